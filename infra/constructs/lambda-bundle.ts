import { fileURLToPath } from 'node:url';
import type { BuildOptions, Metafile } from 'esbuild';

/** How the AWS SDK reaches a function: inside its bundle, or from the Lambda runtime. */
export type SdkPlacement = 'bundled' | 'external';

/** What shapes a function's bundle besides its entry. */
export interface LambdaBundleOptions {
  /** Where the AWS SDK comes from. */
  readonly sdk: SdkPlacement;
  /**
   * The stage's certificate signature suite: under `es256` the SM2 suite is left out
   * (`DCC_SM2_SUITE` in `shared/crypto/sm2-loader.ts`). Unset, the bundle carries it.
   */
  readonly signatureSuite?: 'es256' | 'sm2';
  /** The project's root: imports resolve, and the metafile and source maps name files, from there. */
  readonly projectRoot: string;
}

/** The module Lambda loads: `index.mjs`, which exports `handler` (so the handler is `index.handler`). */
export const LAMBDA_ENTRY_MODULE = 'index.mjs';

/**
 * What the bundles import instead of `node:stream/web`, which only `@middy/core` imports, for an
 * `instanceof` test it never makes in our functions (see the module).
 */
export const STREAM_WEB_STAND_IN = fileURLToPath(new URL('./readable-stream-on-demand.ts', import.meta.url));

/**
 * The esbuild options of every Lambda bundle, for the function whose entry is `entry`, written
 * to the directory `outdir`: the one definition the CDK construct (`ApiFunction`), the cold-start
 * benchmark and the bundle tests build with.
 *
 * - ESM for Node.js 24, minified, with a linked source map per module and no sources in it (they
 *   are in the repository; shipping them again only grows the asset).
 * - Split: a module reached only through a dynamic `import()` becomes a chunk of its own, next to
 *   `index.mjs`, loaded the first time it is needed. What a start-up never runs is then not even
 *   compiled at a cold start: the schemas that explain a refused input, and the AWS SDK's
 *   credential providers and parts that a function with its role's credentials in the environment
 *   never loads (about a third of the SDK's bytes). A one-file bundle carries them inline, and
 *   Node compiles all of it at every cold start. Every module of the bundle sits in one folder,
 *   so a stack frame's file has its map next to it.
 * - Every module a start-up loads costs it time of its own, whatever its size: measured on the
 *   verify function's bundle, six more chunks at start-up cost more than 35 KB less code saved.
 *   So no banner is added to the modules: the usual one that gives ESM a `require()` of its own
 *   (`createRequire(import.meta.url)`) cost about a quarter of a millisecond per module. No
 *   bundle needs it: `mainFields` prefers a package's ES module build, and nothing calls
 *   `require()` for a module outside the bundle (`test/bench/bundle-hygiene.test.ts` checks it).
 *   And every `import()` splits the start-up code into more chunks, even one in code the function
 *   never runs, so the key-file adapters of local mode, which a function never uses, are left out
 *   (`DCC_KEY_FILES`, `shared/app/container.ts`).
 * - `node:stream/web` is {@link STREAM_WEB_STAND_IN}: its only importer, `@middy/core`, would
 *   otherwise load Node's web streams at every cold start for a test it never makes.
 * - An external SDK leaves `@aws-sdk/*` and `@smithy/*` to the runtime's copy.
 */
export function lambdaBuildOptions(entry: string, outdir: string, options: LambdaBundleOptions): BuildOptions {
  return {
    entryPoints: { index: entry },
    outdir,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    external: options.sdk === 'external' ? ['@aws-sdk/*', '@smithy/*'] : [],
    alias: { 'node:stream/web': STREAM_WEB_STAND_IN },
    define: { DCC_KEY_FILES: 'false', ...(options.signatureSuite === 'es256' ? { DCC_SM2_SUITE: 'false' } : {}) },
    absWorkingDir: options.projectRoot,
  };
}

/**
 * The output files a start-up of the bundle loads, as esbuild's metafile names them: the module
 * of `entry` (the source file, as the metafile names it: relative to the project's root) and,
 * transitively, every chunk it imports statically. The chunks that only a dynamic `import()`
 * reaches are left out: they load on demand (and the metafile counts each of them as an entry
 * point of its own, so the module of `entry` is looked up by its source).
 */
export function startupOutputs(metafile: Metafile, entry: string): string[] {
  const root = Object.keys(metafile.outputs).find((file) => metafile.outputs[file]?.entryPoint === entry);
  if (root === undefined) throw new Error(`${entry} is not an entry point of the build`);
  const atStartup = new Set<string>();
  const visit = (file: string): void => {
    if (atStartup.has(file)) return;
    atStartup.add(file);
    for (const imported of metafile.outputs[file]?.imports ?? []) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(root);
  return [...atStartup];
}
