#!/usr/bin/env node
// The `dcc` command in the repository. The program is TypeScript (cli/bin.ts); tsx's ESM loader
// runs it as is, so working on it needs no build step. The installable package runs a bundle of
// the same program instead (scripts/build-dcc.ts).
import module from 'node:module';

// Node 22.1 and later: compiled code is cached on disk (see cli/bin.ts), switched on before tsx
// loads so that tsx's own modules are cached too. Node 20 has no such cache.
module.enableCompileCache?.();
const { register } = await import('tsx/esm/api');
register();
await import('../cli/bin.ts');
