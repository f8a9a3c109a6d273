import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metafile } from 'esbuild';
import { lambdaBuildOptions, startupOutputs } from '../../infra/constructs/lambda-bundle.ts';

/** The repository's root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every Lambda entry point, `functions/<name>.ts`, sorted. */
export const FUNCTION_ENTRIES: readonly string[] = readdirSync(join(ROOT, 'functions'))
  .filter((name) => name.endsWith('.ts'))
  .map((name) => `functions/${name}`)
  .sort();

/** The source files that put at least one byte into `outputs` (tree-shaken ones do not). */
function sourcesOf(metafile: Metafile, outputs: Iterable<string>): string[] {
  return [...outputs].flatMap((file) =>
    Object.entries(metafile.outputs[file]?.inputs ?? {})
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path),
  );
}

/**
 * The source files of what `entry` loads before anything else: its chunk and every chunk it
 * imports statically, as built with `splitting` (a dynamic import becomes a chunk loaded on
 * demand, as in the functions' bundles): the modules a start-up loads and evaluates.
 */
export function startupSources(metafile: Metafile, entry: string): string[] {
  return sourcesOf(metafile, startupOutputs(metafile, entry));
}

/** Builds `entry` as the CDK builds a function (`infra/constructs/lambda-bundle.ts`), in memory. */
async function buildFunction(entry: string): Promise<Metafile> {
  const { build } = await import('esbuild');
  const result = await build({
    ...lambdaBuildOptions(join(ROOT, entry), '/tmp/dcc-function-bundles', { sdk: 'bundled', signatureSuite: 'es256', projectRoot: ROOT }),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile as Metafile;
}

const builds = new Map<string, Promise<Metafile>>();

/** The build of the function `entry`, built once per entry and process. */
function buildOf(entry: string): Promise<Metafile> {
  let metafile = builds.get(entry);
  if (!metafile) {
    metafile = buildFunction(entry);
    builds.set(entry, metafile);
  }
  return metafile;
}

/** Every source file esbuild read for the bundle of the function `entry`, with what it imports, as resolved. */
export async function bundleInputs(entry: string): Promise<Metafile['inputs']> {
  return (await buildOf(entry)).inputs;
}

/** The source files anywhere in the bundle of the function `entry`, the chunks loaded on demand included. */
export async function bundledSources(entry: string): Promise<string[]> {
  const metafile = await buildOf(entry);
  return sourcesOf(metafile, Object.keys(metafile.outputs));
}

/** The source files the function `entry` evaluates at its start-up (see {@link startupSources}), built once per entry and process. */
export async function startupSourcesOf(entry: string): Promise<string[]> {
  return startupSources(await buildOf(entry), entry);
}

/**
 * The static imports among the source files the function `entry` evaluates at its start-up:
 * for each of them, the ones it imports (or requires) itself, as esbuild resolved them, seen
 * through the files that put no byte into the bundle (a package's entry that only re-exports).
 * With these, a test can say through which chain of imports a start-up reaches a module.
 */
export async function startupImportsOf(entry: string): Promise<ReadonlyMap<string, readonly string[]>> {
  const metafile = await buildOf(entry);
  const atStart = new Set(startupSources(metafile, entry));
  const staticImports = (path: string) =>
    (metafile.inputs[path]?.imports ?? []).filter((imported) => imported.kind === 'import-statement' || imported.kind === 'require-call').map((imported) => imported.path);
  const importedBy = (path: string): string[] => {
    const found = new Set<string>();
    const seen = new Set<string>();
    const visit = (target: string): void => {
      if (seen.has(target)) return;
      seen.add(target);
      if (atStart.has(target)) found.add(target);
      else staticImports(target).forEach(visit);
    };
    staticImports(path).forEach(visit);
    return [...found];
  };
  return new Map([...atStart].map((path) => [path, importedBy(path)]));
}
