import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Plugin, build } from 'esbuild';
import { zodLocalesOmitted } from '../web/build-page.ts';

/**
 * Builds the installable `dcc`: the program (cli/bin.ts) and its verification worker
 * (cli/verify-worker.ts) bundled with every dependency into plain JavaScript under
 * `cli/package/dist/` (the two entries and the chunks they share), so that `npm pack` in `cli/package/` yields a package that needs neither
 * the repository, nor TypeScript, nor any other package at run time. `npm pack` runs it (the
 * package's `prepack`); `npx tsx scripts/build-dcc.ts` runs it by hand.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
/** The package's folder, relative to the repository root. */
export const PACKAGE_DIR = 'cli/package';
/** The bundles, relative to the package's folder. */
export const PROGRAM = 'dist/dcc.mjs';
export const WORKER = 'dist/verify-worker.mjs';

/** What a build wrote: the bytes each entry loads, its chunks included. */
export interface DccBuild {
  programBytes: number;
  workerBytes: number;
}

/**
 * commander requires `node:child_process` as it loads, for executable subcommands (a `dcc-<name>`
 * program beside `dcc`), which dcc has none of; loading it brings `net`, `dgram` and the stream
 * modules with it: about 3 ms on Node 20, a tenth of what `dcc --version` costs over a bare
 * `node`. Here commander gets a `spawn` that loads the module on its first call, which no run makes.
 */
const childProcessOnFirstSpawn: Plugin = {
  name: 'child-process-on-first-spawn',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'child-process-on-first-spawn' } : undefined,
    );
    b.onLoad({ filter: /^child_process$/, namespace: 'child-process-on-first-spawn' }, () => ({
      contents: "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };",
      loader: 'js',
    }));
  },
};

/** What gives an ES module a `require()` of its own. */
const REQUIRE_BANNER = "import { createRequire as __dccRequire } from 'node:module'; const require = __dccRequire(import.meta.url);";
/** esbuild's helper for a CommonJS `require()` of a module outside the bundle: it reads `require` where it is defined. */
const REQUIRE_HELPER = /typeof require\b/;

/** Builds both bundles and makes the program executable. */
export async function buildDcc(): Promise<DccBuild> {
  const out = `${root}${PACKAGE_DIR}/`;
  await rm(`${out}dist`, { recursive: true, force: true });
  await mkdir(`${out}dist`, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: { dcc: 'cli/bin.ts', 'verify-worker': 'cli/verify-worker.ts' },
    outdir: `${out}dist`,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    // The program's entry switches the compile cache on, then imports the rest (its own chunk).
    splitting: true,
    chunkNames: 'dcc-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    minify: true,
    legalComments: 'none',
    metafile: true,
    // The worker thread is started from the program's folder (cli/verify-workers.ts).
    define: { DCC_BUNDLED_WORKER: JSON.stringify(`./${WORKER.slice('dist/'.length)}`) },
    write: false,
    plugins: [zodLocalesOmitted, childProcessOnFirstSpawn],
    logLevel: 'silent',
  });
  for (const file of result.outputFiles) {
    let text = file.text;
    // Some dependencies are CommonJS and call require() for node's own modules: esbuild's helper
    // for it, in one chunk, reads that chunk's `require`, which ESM does not have. Only that
    // chunk gets one: the same line in every module cost each of them a quarter of a millisecond.
    if (REQUIRE_HELPER.test(text)) text = `${REQUIRE_BANNER}\n${text}`;
    if (file.path === `${out}${PROGRAM}`) text = `#!/usr/bin/env node\n${text}`;
    await writeFile(file.path, text);
  }
  await chmod(`${out}${PROGRAM}`, 0o755);
  // What each entry loads: itself and every chunk it imports, statically or not.
  const outputs = result.metafile.outputs;
  const loaded = (entry: string, seen = new Set<string>()): number => {
    if (seen.has(entry)) return 0;
    seen.add(entry);
    const output = outputs[entry];
    return output ? output.bytes + output.imports.reduce((sum, i) => sum + (i.external ? 0 : loaded(i.path, seen)), 0) : 0;
  };
  const entry = (name: string) => Object.keys(outputs).find((path) => path.endsWith(`/dist/${name}`)) ?? '';
  return { programBytes: loaded(entry('dcc.mjs')), workerBytes: loaded(entry('verify-worker.mjs')) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = await buildDcc();
  process.stdout.write(`built ${PACKAGE_DIR}/${PROGRAM} (${built.programBytes} bytes) and ${PACKAGE_DIR}/${WORKER} (${built.workerBytes} bytes)\n`);
}
