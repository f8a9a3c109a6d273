import module from 'node:module';
import { type CompileCacheModule, enablePrivateCompileCache } from './compile-cache.ts';

/**
 * The `dcc` program as a process runs it: the arguments and the process's streams in, the exit
 * status out. `bin/dcc.mjs` loads it through tsx in the repository; the installable package
 * bundles it (scripts/build-dcc.ts) into plain JavaScript.
 *
 * Node 22.1 and later keep the compiled code of the program in a cache on disk, so that a
 * second run does not compile it again (the greater part of a short run's time); the program is
 * imported after the cache is switched on, as the cache covers only modules loaded later. The
 * cache is kept in the user's own cache folder, never in the shared temporary one
 * (cli/compile-cache.ts). Node 20 has no such cache and runs the program as it is.
 */
enablePrivateCompileCache(module as CompileCacheModule, process.env, process.getuid?.());
const { processIo, runCli } = await import('./main.ts');
const code = await runCli(process.argv.slice(2), processIo());
// Let stdout drain before exiting (a pipe to `head` or a file must receive everything).
process.exitCode = code;
