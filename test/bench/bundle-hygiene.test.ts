import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTION_ENTRIES, ROOT as root, bundledSources as bundled, startupSources, startupSourcesOf as atStartup } from '../support/function-bundles.ts';

/** Every `.ts` file under `dir`, recursively. */
async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? sources(join(dir, e.name)) : Promise.resolve(e.name.endsWith('.ts') ? [join(dir, e.name)] : []))),
  );
  return nested.flat();
}

/**
 * `import { z } from 'zod'` (or the default import) binds zod's whole namespace object as a
 * value, so esbuild keeps all of zod in the bundle, every locale and the JSON Schema tooling
 * included: measured by `npm run bench`, 455 KB of a 950 KB function bundle. `import * as z`
 * lets it keep only what is used. One such import anywhere in a function's graph undoes it
 * for that function, hence the check over everything a function can import. `zod/mini`
 * exports its namespace as `z` in the same way.
 */
const WHOLE_ZOD_IMPORT = /^\s*import\s+(?!type\b)(?:\{\s*z\s*\}|z)\s+from\s+['"]zod(?:\/mini)?['"]/m;

describe('function bundles keep only the zod they use', () => {
  it('no file under shared/ or functions/ imports zod as a whole value', async () => {
    const files = [...(await sources(join(root, 'shared'))), ...(await sources(join(root, 'functions')))];
    expect(files.length).toBeGreaterThan(10);
    const offenders: string[] = [];
    for (const file of files) {
      if (WHOLE_ZOD_IMPORT.test(await readFile(file, 'utf8'))) offenders.push(relative(root, file));
    }
    expect(offenders, "use `import * as z from 'zod/mini'` (or `import type * as z` for types)").toEqual([]);
  });

  it('the check recognises the imports it forbids and lets the others pass', () => {
    expect(WHOLE_ZOD_IMPORT.test("import { z } from 'zod';")).toBe(true);
    expect(WHOLE_ZOD_IMPORT.test('import z from "zod";')).toBe(true);
    expect(WHOLE_ZOD_IMPORT.test("import * as z from 'zod';")).toBe(false);
    expect(WHOLE_ZOD_IMPORT.test("import type { z } from 'zod';")).toBe(false);
    expect(WHOLE_ZOD_IMPORT.test("import { z } from 'zod/mini';")).toBe(true);
    expect(WHOLE_ZOD_IMPORT.test("import * as z from 'zod/mini';")).toBe(false);
  });
});

/**
 * The functions whose routes parse no request body with a zod schema start without zod at all:
 * its code (about 100 KB minified) is neither compiled nor run at their cold start. One value
 * import of a schema module anywhere in their graph (a store decoding its items with zod, the
 * configuration as a zod schema) brings it back for all of them, hence the check on the bundles
 * themselves, built as the CDK builds them.
 */
const WITHOUT_ZOD = [
  'functions/get-jwks.ts',
  'functions/log-checkpoint.ts',
  'functions/log-integrator.ts',
  'functions/log-key.ts',
  'functions/oauth-jwks.ts',
  'functions/oauth-token.ts',
  'functions/openid-configuration.ts',
  'functions/verification-page.ts',
];

describe('start-ups without zod', () => {

  it.each(WITHOUT_ZOD)('%s bundles no zod', async (entry) => {
    const inputs = await bundled(entry);
    // The check sees the bundle's sources: the entry itself is among them.
    expect(inputs).toContain(entry);
    expect(inputs.filter((path) => /node_modules\/zod\//.test(path))).toEqual([]);
  }, 60_000);

  it('the check finds zod where a function does use it', async () => {
    expect((await bundled('functions/issue-certificate.ts')).some((path) => /node_modules\/zod\//.test(path))).toBe(true);
  }, 60_000);

  it("dcc's offline verification starts without zod: it loads only with the first refused payload", async () => {
    const { build } = await import('esbuild');
    // Split as the installable dcc is built: a dynamic import becomes a chunk loaded on demand.
    const result = await build({
      entryPoints: [join(root, 'cli/verify-worker.ts')],
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      write: false,
      outdir: '/tmp/dcc-bundle-hygiene-cli',
      metafile: true,
      logLevel: 'silent',
    });
    // What a worker loads before verifying anything.
    const atStart = startupSources(result.metafile, 'cli/verify-worker.ts');
    expect(atStart).toContain('shared/domain/certificate.ts');
    expect(atStart.filter((path) => /node_modules\/zod\//.test(path))).toEqual([]);
    // zod is in the program all the same, for refusals' detailed issues.
    expect(Object.values(result.metafile.outputs).some((output) => Object.keys(output.inputs).some((path) => /node_modules\/zod\//.test(path)))).toBe(true);
  }, 60_000);
});

/**
 * The functions that do parse with zod build their schemas with `zod/mini`: the full `zod`
 * (`v4/classic`) costs a cold start about 13 ms to load and its chained schemas several times
 * mini's to build. One value import of it anywhere in a function's graph (a schema written with
 * `zod`'s methods, a helper imported from `'zod'`) brings it back, hence the check on every
 * function's bundle, as the CDK builds it.
 */
describe('function bundles without the full zod', () => {
  const functions = FUNCTION_ENTRIES;
  const CLASSIC = /node_modules\/zod\/v4\/classic\//;

  it('there are functions to check', () => {
    expect(functions).toContain('functions/issue-certificate.ts');
  });

  it.each(functions)('%s bundles no zod classic', async (entry) => {
    const inputs = await bundled(entry);
    expect(inputs).toContain(entry);
    expect(inputs.filter((path) => CLASSIC.test(path))).toEqual([]);
  }, 60_000);

  it('the check finds zod classic where a bundle does use it', async () => {
    const { build } = await import('esbuild');
    const { lambdaBuildOptions } = await import('../../bench/cold-start.ts');
    const result = await build({
      ...lambdaBuildOptions('bundled'),
      stdin: { contents: "import * as z from 'zod'; export const handler = () => z.string().min(1).parse('x');", resolveDir: root, loader: 'ts', sourcefile: 'classic.ts' },
      write: false,
      outdir: '/tmp/dcc-bundle-hygiene-classic',
      metafile: true,
    });
    const inputs = Object.values(result.metafile.outputs).flatMap((output) => Object.keys(output.inputs));
    expect(inputs.some((path) => CLASSIC.test(path))).toBe(true);
  }, 60_000);
});

/**
 * A function builds at its cold start only the schemas its route parses: every top-level
 * `z.…()` call of a module it imports as a value runs then (esbuild cannot know it is pure), and
 * the credential's schema alone costs about 9 ms. The response schemas (`api-responses.ts`, the
 * whole credential among them) are types to the routes; the OpenAPI document rendered from them
 * is served from a generated module, so no function builds them. The credential's schema is
 * built at start-up only where the route uses it on every request: the issue (it builds the
 * credential), the SD-JWT issue (it checks every form against the verifiers' schema), and the
 * credential's JSON Schema rendered from it at `get-vocabulary`. The verifier loads it only to
 * explain a refusal.
 * Checked on the bundles as the CDK builds them, split so that what loads on demand is apart.
 */
describe('start-ups build only the schemas their routes parse', () => {
  const functions = FUNCTION_ENTRIES;
  const NEEDED: Record<string, readonly string[]> = {
    'shared/domain/schemas/credential.ts': ['functions/get-vocabulary.ts', 'functions/issue-certificate.ts', 'functions/issue-sd-jwt.ts'],
    'shared/domain/schemas/api-responses.ts': [],
  };
  it.each(functions)('%s builds the credential and response schemas only if its route needs them', async (entry) => {
    const sources = await atStartup(entry);
    expect(sources).toContain(entry);
    const built = Object.keys(NEEDED).filter((schema) => sources.includes(schema));
    expect(built).toEqual(Object.keys(NEEDED).filter((schema) => NEEDED[schema]?.includes(entry)));
  }, 60_000);

  it('the check sees what loads only on demand as apart', async () => {
    // The verifier bundles the credential's schema, for refusals, but does not build it at start-up.
    expect(await bundled('functions/verify-certificate.ts')).toContain('shared/domain/schemas/credential.ts');
    expect(await atStartup('functions/verify-certificate.ts')).not.toContain('shared/domain/schemas/credential.ts');
  }, 60_000);
});
