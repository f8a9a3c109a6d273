import { processIo, runCli } from './main.ts';

/**
 * The `dcc` program as a process runs it: the arguments and the process's streams in, the exit
 * status out. `bin/dcc.mjs` loads it through tsx in the repository; the installable package
 * bundles it (scripts/build-dcc.ts) into plain JavaScript.
 */
const code = await runCli(process.argv.slice(2), processIo());
// Let stdout drain before exiting (a pipe to `head` or a file must receive everything).
process.exitCode = code;
