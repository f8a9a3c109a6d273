import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metafile } from 'esbuild';

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
 * demand). In a one-file bundle a dynamically imported module is a wrapper run only when first
 * imported, so these are the modules a start-up evaluates.
 */
export function startupSources(metafile: Metafile, entry: string): string[] {
  const root = Object.keys(metafile.outputs).find((file) => metafile.outputs[file]?.entryPoint === entry) as string;
  const atStart = new Set<string>();
  const visit = (file: string): void => {
    if (atStart.has(file)) return;
    atStart.add(file);
    for (const imported of metafile.outputs[file]?.imports ?? []) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(root);
  return sourcesOf(metafile, atStart);
}

/** Builds `entry` as the CDK builds a function (`lambdaBuildOptions` of the bench), split or not. */
async function buildFunction(entry: string, split: boolean): Promise<Metafile> {
  const { build } = await import('esbuild');
  const { lambdaBuildOptions } = await import('../../bench/cold-start.ts');
  const result = await build({
    ...lambdaBuildOptions('bundled'),
    entryPoints: [join(ROOT, entry)],
    ...(split ? { splitting: true } : {}),
    write: false,
    outdir: `/tmp/dcc-function-bundles-${split ? 'split' : 'one-file'}`,
    metafile: true,
  });
  return result.metafile;
}

const bundles = new Map<string, Promise<string[]>>();
const splitBuilds = new Map<string, Promise<Metafile>>();

/** The source files in the one-file bundle of the function `entry`, built once per entry and process. */
export function bundledSources(entry: string): Promise<string[]> {
  let sources = bundles.get(entry);
  if (!sources) {
    sources = buildFunction(entry, false).then((metafile) => sourcesOf(metafile, Object.keys(metafile.outputs)));
    bundles.set(entry, sources);
  }
  return sources;
}

/** The split build of the function `entry`, built once per entry and process. */
function splitBuildOf(entry: string): Promise<Metafile> {
  let metafile = splitBuilds.get(entry);
  if (!metafile) {
    metafile = buildFunction(entry, true);
    splitBuilds.set(entry, metafile);
  }
  return metafile;
}

/** The source files the function `entry` evaluates at its start-up (see {@link startupSources}), built once per entry and process. */
export async function startupSourcesOf(entry: string): Promise<string[]> {
  return startupSources(await splitBuildOf(entry), entry);
}

/**
 * The static imports among the source files the function `entry` evaluates at its start-up:
 * for each of them, the ones it imports (or requires) itself, as esbuild resolved them, seen
 * through the files that put no byte into the bundle (a package's entry that only re-exports).
 * With these, a test can say through which chain of imports a start-up reaches a module.
 */
export async function startupImportsOf(entry: string): Promise<ReadonlyMap<string, readonly string[]>> {
  const metafile = await splitBuildOf(entry);
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
