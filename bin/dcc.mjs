#!/usr/bin/env node
// The `dcc` command. The program is TypeScript (cli/main.ts); tsx's ESM loader runs it as is,
// so there is no build step and no bundle to keep in step with its sources.
import { register } from 'tsx/esm/api';

register();
const { processIo, runCli } = await import('../cli/main.ts');
const io = processIo();
const code = await runCli(process.argv.slice(2), io);
// Let stdout drain before exiting (a pipe to `head` or a file must receive everything).
process.exitCode = code;
