#!/usr/bin/env node
// The `dcc` command in the repository. The program is TypeScript (cli/bin.ts); tsx's ESM loader
// runs it as is, so working on it needs no build step. The installable package runs a bundle of
// the same program instead (scripts/build-dcc.ts).
import { register } from 'tsx/esm/api';

register();
await import('../cli/bin.ts');
