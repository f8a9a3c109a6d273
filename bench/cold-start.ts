import { mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build } from 'esbuild';
import { median, round, runJsonChild } from './support.ts';

/** Root of the project: where `package.json` and `node_modules` are. */
export const PROJECT_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** How the AWS SDK reaches the function: inside the bundle, or from the Lambda runtime. */
export type SdkPlacement = 'bundled' | 'external';

/**
 * The esbuild options of `infra/constructs/api-function.ts` (`ApiFunction`), mirrored option by
 * option because the construct passes them inline to `NodejsFunction` and exports none: ESM,
 * `target: node24`, `platform: node`, minified, external source map without sources, main
 * fields `module,main`, the `createRequire` banner the SDK's CommonJS parts need, and the
 * ES256 stage's `DCC_SM2_SUITE: false` (the default stage's suite). The
 * external variant leaves `@aws-sdk/*` and `@smithy/*` out, as the construct does when
 * `bundleAwsSdk` is false.
 */
export function lambdaBuildOptions(placement: SdkPlacement): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    external: placement === 'external' ? ['@aws-sdk/*', '@smithy/*'] : [],
    // The default stage signs with ES256, so its bundles leave the SM2 suite out.
    define: { DCC_SM2_SUITE: 'false' },
    logLevel: 'silent',
    absWorkingDir: PROJECT_ROOT,
  };
}

/**
 * The Node flags of the functions (`NODE_OPTIONS` of `ApiFunction`): none. `--enable-source-maps`
 * is not set there, because it makes Node scan the bundle and parse its map at every import; the
 * functions read their map on the first stack trace instead (`shared/app/lazy-source-maps.ts`).
 */
const FUNCTION_NODE_FLAGS: readonly string[] = [];

/**
 * The floor: a handler that does nothing but what every container must do before its first
 * request, building the SDK clients the functions' container builds (DynamoDB with the document
 * client, and KMS), with the same options.
 */
const FLOOR_SOURCE = `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sdkClientOptions } from '#shared/app/sdk-options.ts';
const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient(sdkClientOptions('dynamodb')), { marshallOptions: { removeUndefinedValues: true } });
const kms = new KMSClient(sdkClientOptions('kms'));
export const handler = async () => ({ statusCode: 200, body: String(typeof dynamodb.send === 'function' && typeof kms.send === 'function') });
`;

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
  /** Minified bundle size (the `.mjs`, without its source map). */
  bytes: number;
  /** Gzip size of the bundle: close to what the zipped asset costs to download. */
  gzipBytes: number;
  /** Median time to import the bundle in a fresh `node` process. */
  initMs: number;
  /** The same for the floor bundle with the same SDK placement, measured in the same rounds. */
  floorInitMs: number;
  floorBytes: number;
  ratio: number;
  runs: number;
}

export interface ColdStartResults {
  rows: ColdStartRow[];
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
  log: (line: string) => void;
}

interface Bundle {
  key: string;
  function: string;
  sdk: SdkPlacement;
  file: string;
  bytes: number;
  gzipBytes: number;
  samples: number[];
}

/**
 * Bundles each function (and the floor) as the CDK does, in both SDK placements, each with its
 * source map next to it, then starts a fresh `node` per sample with the flags the functions run
 * with ({@link FUNCTION_NODE_FLAGS}) and times the bundle's import. Samples are taken
 * round-robin, so load on the machine drifts over every bundle alike. The external bundles
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
        const out = join(dir, `${fn}-${sdk}`, 'index.mjs');
        const entry =
          fn === 'floor'
            ? { stdin: { contents: FLOOR_SOURCE, resolveDir: PROJECT_ROOT, loader: 'ts' as const, sourcefile: 'floor.ts' } }
            : { entryPoints: [join(PROJECT_ROOT, 'functions', `${fn}.ts`)] };
        await build({ ...lambdaBuildOptions(sdk), ...entry, outfile: out });
        const code = await readFile(out);
        bundles.push({ key: `${fn}/${sdk}`, function: fn, sdk, file: out, bytes: (await stat(out)).size, gzipBytes: gzipSync(code).length, samples: [] });
      }
    }
    options.log(`cold start: ${bundles.length} bundles built; ${options.runs} runs each`);

    for (let run = 0; run < options.runs; run++) {
      // Alternate the order between rounds so no bundle always runs right after another.
      const order = run % 2 === 0 ? bundles : [...bundles].reverse();
      for (const bundle of order) bundle.samples.push(await timeImport(runner, bundle.file, options.env));
    }

    const rows: ColdStartRow[] = [];
    for (const bundle of bundles) {
      if (bundle.function === 'floor') continue;
      const floor = bundles.find((b) => b.function === 'floor' && b.sdk === bundle.sdk) as Bundle;
      const initMs = median(bundle.samples);
      const floorInitMs = median(floor.samples);
      rows.push({
        function: bundle.function,
        sdk: bundle.sdk,
        bytes: bundle.bytes,
        gzipBytes: bundle.gzipBytes,
        initMs: round(initMs, 1),
        floorInitMs: round(floorInitMs, 1),
        floorBytes: floor.bytes,
        ratio: round(initMs / floorInitMs, 2),
        runs: bundle.samples.length,
      });
    }
    const total = (sdk: SdkPlacement) => rows.filter((r) => r.sdk === sdk).reduce((a, r) => a + r.initMs, 0);
    return {
      rows,
      faster: total('bundled') <= total('external') ? 'bundled' : 'external',
      method: `median of ${options.runs} fresh \`node\` processes per bundle (the functions' flags: ${FUNCTION_NODE_FLAGS.length > 0 ? FUNCTION_NODE_FLAGS.join(' ') : 'none'}), timing \`await import(bundle)\` with the function's environment set; round-robin over bundles`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function timeImport(runner: string, bundle: string, env: Record<string, string>): Promise<number> {
  const { initMs } = await runJsonChild<{ initMs: number }>(process.execPath, [...FUNCTION_NODE_FLAGS, runner, pathToFileURL(bundle).href], {
    what: `importing ${bundle}`,
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
  return initMs;
}
