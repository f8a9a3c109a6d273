import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type Metafile, build } from 'esbuild';
import { LAMBDA_ENTRY_MODULE, type SdkPlacement, lambdaBuildOptions, startupOutputs } from '../infra/constructs/lambda-bundle.ts';
import { instructionCountsUnavailable, instructionsOf } from './instructions.ts';
import { median, round, runJsonChild } from './support.ts';

/** Root of the project: where `package.json` and `node_modules` are. */
export const PROJECT_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/**
 * The Node flags of the functions (`NODE_OPTIONS` of `ApiFunction`): none. `--enable-source-maps`
 * is not set there, because it makes Node scan the bundle and parse its maps at every import; the
 * functions read their maps on the first stack trace instead (`shared/app/lazy-source-maps.ts`).
 */
const FUNCTION_NODE_FLAGS: readonly string[] = [];

/** The floor's entry: a function that only builds the SDK clients every function builds. */
const FLOOR_ENTRY = join(PROJECT_ROOT, 'bench', 'floor-function.ts');

/** Times the import of a module (its whole top-level init) in the fresh process it runs in. */
const RUNNER_SOURCE = `
const started = performance.now();
const module = await import(process.argv[2]);
const initMs = performance.now() - started;
if (typeof module.handler !== 'function') throw new Error('no handler exported');
process.stdout.write(JSON.stringify({ initMs }));
`;

export interface ColdStartRow {
  function: string;
  sdk: SdkPlacement;
  /**
   * What a start-up loads of the minified bundle: `index.mjs` and every chunk it imports
   * statically, without source maps. The chunks that only a dynamic `import()` reaches are not
   * counted: a cold start neither reads nor compiles them.
   */
  bytes: number;
  /**
   * How many modules that is. Each one costs a start-up time of its own, whatever its size (its
   * file read, compiled and linked on its own): about 0.3 ms on Node 20 for a module of one line.
   */
  modules: number;
  /** Every module of the bundle, the chunks loaded on demand included (without source maps). */
  assetBytes: number;
  /** Gzip size of every module of the bundle: close to what the zipped asset costs to download. */
  gzipBytes: number;
  /** Median time to import the bundle in a fresh `node` process. */
  initMs: number;
  /** The same for the floor bundle with the same SDK placement: the median of the floor samples paired with this function's. */
  floorInitMs: number;
  /** What the floor's start-up loads, counted as `bytes` is. */
  floorBytes: number;
  /** How many modules the floor's start-up loads. */
  floorModules: number;
  /**
   * The median, over the runs, of the function's init over the floor's init of the same pair: a
   * function's sample is taken right beside a floor sample of its own, so that load which comes
   * and goes on the machine falls on both sides of each ratio.
   */
  ratio: number;
  runs: number;
  /**
   * Instructions the import executes (callgrind, every thread counted), less those of importing
   * an empty module in the same runner: the same for the same bundle whatever else the machine
   * runs. Bundled SDK only, and only where valgrind is installed.
   */
  importInstructions?: number;
  /** The same for the floor bundle. */
  floorImportInstructions?: number;
  /** importInstructions / floorImportInstructions: the cold-start ratio counted instead of timed. */
  instructionRatio?: number;
}

export interface ColdStartResults {
  rows: ColdStartRow[];
  /** Why no row has instruction counts, when none has (valgrind not found). */
  instructionsUnavailable?: string;
  /** Which SDK placement started faster, by the sum of medians over the functions measured. */
  faster: SdkPlacement;
  /** How the processes ran. */
  method: string;
}

export interface ColdStartOptions {
  functions: readonly string[];
  runs: number;
  /** Environment of the processes (the functions' configuration). */
  env: Record<string, string>;
  /** Also count each bundled-SDK import's instructions under callgrind (see `ColdStartRow`). */
  instructions: boolean;
  log: (line: string) => void;
}

interface Bundle {
  key: string;
  function: string;
  sdk: SdkPlacement;
  file: string;
  bytes: number;
  modules: number;
  assetBytes: number;
  gzipBytes: number;
  samples: number[];
  /** For a function: the floor's sample taken beside each of its own. */
  floorSamples: number[];
}

/**
 * Bundles each function (and the floor) as the CDK does, with the options of
 * `infra/constructs/lambda-bundle.ts` (split, each module's source map next to it), in both SDK
 * placements, then starts a fresh `node` per sample with the flags the functions run
 * with ({@link FUNCTION_NODE_FLAGS}) and times the bundle's import. Samples are taken
 * round-robin, so load on the machine drifts over every bundle alike, and each beside a floor
 * sample of its own, so that a ratio compares two imports made moments apart. The external bundles
 * resolve the SDK from the project's `node_modules`, as the runtime's own copy would be resolved
 * from its `node_modules`.
 */
export async function measureColdStarts(options: ColdStartOptions): Promise<ColdStartResults> {
  const dir = await mkdtemp(join(tmpdir(), 'dcc-bench-cold-'));
  try {
    // External SDK imports resolve upwards from the bundle: point that at the project's packages.
    await symlink(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const runner = join(dir, 'runner.mjs');
    await writeFile(runner, RUNNER_SOURCE);

    const bundles: Bundle[] = [];
    for (const sdk of ['bundled', 'external'] as const) {
      for (const fn of [...options.functions, 'floor']) {
        const outdir = join(dir, `${fn}-${sdk}`);
        const entry = fn === 'floor' ? FLOOR_ENTRY : join(PROJECT_ROOT, 'functions', `${fn}.ts`);
        // As the default stage builds its functions: it signs with ES256.
        const { metafile } = await build({
          ...lambdaBuildOptions(entry, outdir, { sdk, signatureSuite: 'es256', projectRoot: PROJECT_ROOT }),
          metafile: true,
          logLevel: 'silent',
        });
        const modules = await moduleSizes(metafile, entry);
        bundles.push({
          key: `${fn}/${sdk}`,
          function: fn,
          sdk,
          file: join(outdir, LAMBDA_ENTRY_MODULE),
          bytes: modules.atStartup,
          modules: modules.startupModules,
          assetBytes: modules.all,
          gzipBytes: modules.gzip,
          samples: [],
          floorSamples: [],
        });
      }
    }
    options.log(`cold start: ${bundles.length} bundles built; ${options.runs} runs each`);

    const functions = bundles.filter((b) => b.function !== 'floor');
    const floorOf = (sdk: SdkPlacement) => bundles.find((b) => b.function === 'floor' && b.sdk === sdk) as Bundle;
    for (let run = 0; run < options.runs; run++) {
      // Alternate the order between rounds so no bundle always runs right after another.
      const order = run % 2 === 0 ? functions : [...functions].reverse();
      for (const [i, bundle] of order.entries()) {
        // Each sample beside a floor sample of its own, first and second in turn.
        const floorFirst = (run + i) % 2 === 0;
        const floor = floorFirst ? await timeImport(runner, floorOf(bundle.sdk).file, options.env) : undefined;
        bundle.samples.push(await timeImport(runner, bundle.file, options.env));
        bundle.floorSamples.push(floor ?? (await timeImport(runner, floorOf(bundle.sdk).file, options.env)));
      }
    }

    const rows: ColdStartRow[] = [];
    for (const bundle of functions) {
      const floor = floorOf(bundle.sdk);
      const initMs = median(bundle.samples);
      const floorInitMs = median(bundle.floorSamples);
      rows.push({
        function: bundle.function,
        sdk: bundle.sdk,
        bytes: bundle.bytes,
        modules: bundle.modules,
        assetBytes: bundle.assetBytes,
        gzipBytes: bundle.gzipBytes,
        initMs: round(initMs, 1),
        floorInitMs: round(floorInitMs, 1),
        floorBytes: floor.bytes,
        floorModules: floor.modules,
        ratio: round(median(bundle.samples.map((ms, i) => ms / (bundle.floorSamples[i] as number))), 2),
        runs: bundle.samples.length,
      });
    }
    const unavailable = options.instructions ? await instructionCountsUnavailable() : 'not asked for';
    if (unavailable === null) await countImports(dir, runner, floorOf('bundled').file, rows, bundles, options);
    const total = (sdk: SdkPlacement) => rows.filter((r) => r.sdk === sdk).reduce((a, r) => a + r.initMs, 0);
    return {
      rows,
      ...(unavailable === null ? {} : { instructionsUnavailable: unavailable }),
      faster: total('bundled') <= total('external') ? 'bundled' : 'external',
      method: `median of ${options.runs} fresh \`node\` processes per bundle (the functions' flags: ${FUNCTION_NODE_FLAGS.length > 0 ? FUNCTION_NODE_FLAGS.join(' ') : 'none'}), timing \`await import(index.mjs)\` of the split bundle (it loads its static chunks; the chunks a dynamic import reaches load on demand) with the function's environment set; round-robin over the functions, each sample paired with a floor sample taken right before or after it, the ratio the median of the pairs' ratios`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Each bundled-SDK function's import counted in instructions beside the floor's, both less an
 * empty module's import (what starting node and the runner cost), into the rows. Deterministic,
 * so each bundle is counted once; two at a time.
 */
async function countImports(dir: string, runner: string, floor: string, rows: ColdStartRow[], bundles: readonly Bundle[], options: ColdStartOptions): Promise<void> {
  const empty = join(dir, 'empty.mjs');
  await writeFile(empty, 'export const handler = () => undefined;\n');
  const env = { PATH: process.env['PATH'] ?? '', ...options.env };
  const count = (file: string) => instructionsOf([...FUNCTION_NODE_FLAGS, runner, pathToFileURL(file).href], env);
  const bundled = rows.filter((row) => row.sdk === 'bundled');
  options.log(`cold start: counting the instructions of ${bundled.length + 2} imports under callgrind`);
  const [base, floorTotal] = await Promise.all([count(empty), count(floor)]);
  const floorImport = floorTotal - base;
  for (let i = 0; i < bundled.length; i += 2) {
    await Promise.all(
      bundled.slice(i, i + 2).map(async (row) => {
        const bundle = bundles.find((b) => b.function === row.function && b.sdk === 'bundled') as Bundle;
        const imported = (await count(bundle.file)) - base;
        row.importInstructions = imported;
        row.floorImportInstructions = floorImport;
        row.instructionRatio = round(imported / floorImport, 3);
      }),
    );
  }
}

/**
 * The sizes of a bundle's modules (source maps aside): those its entry loads at start-up (the
 * entry and, transitively, every chunk it imports statically), all of them, and all of them
 * gzipped one by one, as a zip archive compresses its files.
 */
async function moduleSizes(metafile: Metafile, entry: string): Promise<{ atStartup: number; startupModules: number; all: number; gzip: number }> {
  const bytesOf = (file: string): number => metafile.outputs[file]?.bytes ?? 0;
  const modules = Object.keys(metafile.outputs).filter((file) => file.endsWith('.mjs'));
  let gzip = 0;
  for (const file of modules) gzip += gzipSync(await readFile(join(PROJECT_ROOT, file))).length;
  const atStartup = startupOutputs(metafile, relative(PROJECT_ROOT, entry));
  return {
    atStartup: atStartup.reduce((sum, file) => sum + bytesOf(file), 0),
    startupModules: atStartup.length,
    all: modules.reduce((sum, file) => sum + bytesOf(file), 0),
    gzip,
  };
}

async function timeImport(runner: string, bundle: string, env: Record<string, string>): Promise<number> {
  const { initMs } = await runJsonChild<{ initMs: number }>(process.execPath, [...FUNCTION_NODE_FLAGS, runner, pathToFileURL(bundle).href], {
    what: `importing ${bundle}`,
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
  return initMs;
}
