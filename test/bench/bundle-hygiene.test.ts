import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import {
  FUNCTION_ENTRIES,
  ROOT as root,
  bundleInputs,
  bundledSources as bundled,
  startupImportsOf,
  startupSources,
  startupSourcesOf as atStartup,
} from '../support/function-bundles.ts';

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
 * The functions whose routes take no input a schema describes bundle no zod at all: its code
 * (about 100 KB minified) is not even in their bundle, so nothing of it is compiled at their
 * cold start. One value import of a schema module anywhere in their graph (a store decoding its
 * items with zod, the configuration as a zod schema) brings it back for all of them, hence the
 * check on the bundles themselves, built as the CDK builds them.
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
 * The functions that bundle zod (to explain a refused input) build their schemas with
 * `zod/mini`: the full `zod` (`v4/classic`) costs about 13 ms to load and its chained schemas
 * several times mini's to build. One value import of it anywhere in a function's graph (a
 * schema written with `zod`'s methods, a helper imported from `'zod'`) brings it back, hence the
 * check on every function's bundle, as the CDK builds it.
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
    const metafile = await buildSnippet('classic.ts', "import * as z from 'zod'; export const handler = () => z.string().min(1).parse('x');");
    const inputs = Object.values(metafile.outputs).flatMap((output) => Object.keys(output.inputs));
    expect(inputs.some((path) => CLASSIC.test(path))).toBe(true);
  }, 60_000);
});

/**
 * The start-up of a function is what its split bundle loads before anything else; what a dynamic
 * `import()` reaches is apart, loaded on demand. The verifier bundles the credential's schema, to
 * explain a refused payload, but does not build it at start-up (the check below, that no function
 * evaluates zod at all, rests on this).
 */
describe('what loads on demand stays apart from a start-up', () => {
  it('the verifier bundles the credential schema and does not evaluate it at start-up', async () => {
    expect(await bundled('functions/verify-certificate.ts')).toContain('shared/domain/schemas/credential.ts');
    expect(await atStartup('functions/verify-certificate.ts')).toContain('functions/verify-certificate.ts');
    expect(await atStartup('functions/verify-certificate.ts')).not.toContain('shared/domain/schemas/credential.ts');
  }, 60_000);
});

/** zod's own files. */
const ZOD_FILE = /node_modules\/zod\//;
/** Our schema modules: some build zod schemas, others (the `*-check.ts` contracts, the constants) are zod-free. */
const SCHEMA_MODULE = /^shared\/domain\/schemas\/[^/]+\.ts$/;

/** The modules of a start-up's import graph that evaluate zod: zod's own files and every module that statically reaches one. */
function zodEvaluating(imports: ReadonlyMap<string, readonly string[]>): Set<string> {
  const evaluating = new Set([...imports.keys()].filter((path) => ZOD_FILE.test(path)));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [path, imported] of imports) {
      if (!evaluating.has(path) && imported.some((target) => evaluating.has(target))) {
        evaluating.add(path);
        grew = true;
      }
    }
  }
  return evaluating;
}

/**
 * Where zod comes into the start-up of `entry`: each module through which it first does (one of
 * zod's files imported directly, or one of our schema modules that evaluates zod), with the
 * shortest chain of static imports from the entry to it.
 */
function zodDoorsOf(entry: string, imports: ReadonlyMap<string, readonly string[]>): string[] {
  const evaluating = zodEvaluating(imports);
  const isDoor = (path: string) => ZOD_FILE.test(path) || (SCHEMA_MODULE.test(path) && evaluating.has(path));
  const chains = new Map<string, readonly string[]>([[entry, [entry]]]);
  const doors = new Set<string>();
  // Breadth first, so each chain is a shortest one; a Map visits the entries added while it is walked.
  for (const [path, chain] of chains) {
    // Behind a door is only more of zod and the schemas: the chain to the door is what to mend.
    if (isDoor(path)) {
      // zod's files, all reached at once through its package entry, as one.
      doors.add(chain.map((step) => (ZOD_FILE.test(step) ? 'zod' : step)).join(' -> '));
      continue;
    }
    for (const target of imports.get(path) ?? []) if (!chains.has(target)) chains.set(target, [...chain, target]);
  }
  return [...doors];
}

/**
 * No function evaluates zod at its start-up (about 3 ms to load `zod/mini`, and each schema
 * built on top): a route judges its inputs with the zod-free predicates of a contract
 * (`shared/domain/schemas/*-check.ts`, `input-contract.ts`), and a schema module is reached only
 * through the contract's `import()`, on the first refusal. One static import of a schema module
 * (even for a constant) anywhere in a function's start-up brings zod back; the failure names,
 * for the function, every schema module and zod file it evaluates and the chain of imports
 * through which zod comes in. Which schema modules are zod-free is read from the imports
 * themselves. Checked on the bundles as the CDK builds them, split so that what loads on demand
 * is apart.
 */
describe('start-ups evaluate no zod', () => {
  it.each(FUNCTION_ENTRIES)('%s evaluates neither zod nor a schema module built with it', async (entry) => {
    const imports = await startupImportsOf(entry);
    expect([...imports.keys()]).toContain(entry);
    const evaluating = zodEvaluating(imports);
    const schemas = [...imports.keys()].filter((path) => SCHEMA_MODULE.test(path) && evaluating.has(path));
    const zodFiles = [...imports.keys()].filter((path) => ZOD_FILE.test(path));
    const evaluated = [...schemas, ...(zodFiles.length > 0 ? [`${zodFiles.length} files of zod`] : [])];
    expect(evaluated, `${entry} evaluates zod at start-up, through:\n  ${zodDoorsOf(entry, imports).join('\n  ')}\n`).toEqual([]);
  }, 60_000);

  it('the check tells the schema modules built with zod from the zod-free ones, and finds the chain', () => {
    const imports = new Map<string, readonly string[]>([
      ['functions/f.ts', ['shared/http/endpoints/f.ts']],
      ['shared/http/endpoints/f.ts', ['shared/domain/schemas/api-check.ts', 'shared/domain/schemas/terms.ts']],
      ['shared/domain/schemas/api-check.ts', ['shared/domain/text.ts']],
      ['shared/domain/text.ts', []],
      ['shared/domain/schemas/terms.ts', ['shared/domain/schemas/api.ts']],
      ['shared/domain/schemas/api.ts', ['shared/domain/schemas/zod-locale.ts', 'node_modules/zod/v4/mini/index.js']],
      ['shared/domain/schemas/zod-locale.ts', ['node_modules/zod/v4/mini/index.js']],
      ['node_modules/zod/v4/mini/index.js', []],
    ]);
    const schemas = [...zodEvaluating(imports)].filter((path) => SCHEMA_MODULE.test(path));
    expect(schemas.sort()).toEqual(['shared/domain/schemas/api.ts', 'shared/domain/schemas/terms.ts', 'shared/domain/schemas/zod-locale.ts']);
    expect(zodDoorsOf('functions/f.ts', imports)).toEqual(['functions/f.ts -> shared/http/endpoints/f.ts -> shared/domain/schemas/terms.ts']);
    imports.set('shared/http/endpoints/f.ts', ['node_modules/zod/v4/mini/index.js', 'node_modules/zod/v4/core/core.js']);
    imports.set('node_modules/zod/v4/core/core.js', []);
    expect(zodDoorsOf('functions/f.ts', imports)).toEqual(['functions/f.ts -> shared/http/endpoints/f.ts -> zod']);
  });

  it("the check reads a function's real imports, zod-free schema modules among them, and finds zod where a start-up evaluates it", async () => {
    const imports = await startupImportsOf('functions/verify-certificate.ts');
    expect(imports.get('functions/verify-certificate.ts')).toContain('shared/http/endpoints/verify-certificate.ts');
    expect(imports.get('shared/http/endpoints/verify-certificate.ts')).toContain('shared/domain/schemas/api-check.ts');
    expect(zodEvaluating(imports).has('shared/domain/schemas/api-check.ts')).toBe(false);
    // And it finds zod where a start-up does evaluate it: the OpenAPI rendering imports the schemas.
    const rendering = await startupImportsOf('shared/http/openapi.ts');
    expect([...rendering.keys()].some((path) => ZOD_FILE.test(path))).toBe(true);
    expect(zodDoorsOf('shared/http/openapi.ts', rendering)).toContain('shared/http/openapi.ts -> shared/domain/schemas/api.ts');
  }, 60_000);
});

/** The `require()` calls in `inputs` of modules outside the bundle: each needs a `require` the ESM bundle does not have. */
function externalRequires(inputs: Metafile['inputs']): string[] {
  return Object.entries(inputs).flatMap(([path, input]) =>
    input.imports.filter((imported) => imported.external && imported.kind.startsWith('require')).map((imported) => `${path} requires ${imported.path}`),
  );
}

/** A function of one module, `contents` on stdin named `sourcefile`, built with the functions' options, in memory. */
async function buildSnippet(sourcefile: string, contents: string): Promise<Metafile> {
  const { build } = await import('esbuild');
  const { lambdaBuildOptions } = await import('../../infra/constructs/lambda-bundle.ts');
  const { entryPoints: _, ...options } = lambdaBuildOptions('', '/tmp/dcc-bundle-hygiene-snippet', { sdk: 'bundled', projectRoot: root });
  const loader = sourcefile.endsWith('.ts') ? 'ts' : 'js';
  const result = await build({ ...options, stdin: { contents, resolveDir: root, loader, sourcefile }, write: false, metafile: true, logLevel: 'silent' });
  return result.metafile as Metafile;
}

/** The function `entry` built as the CDK builds it, with `change` applied to its options, in memory. */
async function buildWith(entry: string, change: (options: BuildOptions) => BuildOptions): Promise<Metafile> {
  const { build } = await import('esbuild');
  const { lambdaBuildOptions } = await import('../../infra/constructs/lambda-bundle.ts');
  const options = lambdaBuildOptions(join(root, entry), '/tmp/dcc-bundle-hygiene-options', { sdk: 'bundled', projectRoot: root });
  const result = await build({ ...change(options), write: false, metafile: true, logLevel: 'silent' });
  return result.metafile as Metafile;
}

/**
 * The Lambda bundles are ESM without the usual banner that gives each module a `require()` of
 * its own: a module a start-up loads costs it time whatever its size, and the banner about a
 * quarter of a millisecond more per module (`infra/constructs/lambda-bundle.ts`). That holds
 * only while nothing in a bundle calls `require()` for a module outside it (a Node built-in, say,
 * from a CommonJS dependency): such a call fails at run time with "Dynamic require … is not
 * supported", and only on the path that makes it, so it is checked here on every bundle.
 */
describe('no bundle needs require()', () => {
  it.each(FUNCTION_ENTRIES)('%s requires no module from outside its bundle', async (entry) => {
    const inputs = await bundleInputs(entry);
    expect(Object.keys(inputs)).toContain(entry);
    expect(externalRequires(inputs), 'a module outside the bundle is required: give the bundles a createRequire banner again').toEqual([]);
  }, 60_000);

  it.each(['functions/issue-certificate.ts', 'functions/verify-certificate.ts'])('%s requires none with the SM2 suite either', async (entry) => {
    const metafile = await buildWith(entry, (options) => ({ ...options, define: { ...options.define, DCC_SM2_SUITE: 'true' } }));
    expect(Object.keys(metafile.inputs).some((path) => path.endsWith('shared/crypto/sm2.ts'))).toBe(true);
    expect(externalRequires(metafile.inputs)).toEqual([]);
  }, 60_000);

  it('the check finds a CommonJS module that requires a built-in', async () => {
    const metafile = await buildSnippet('cjs.js', "const https = require('node:https'); module.exports = { agent: https.Agent };");
    expect(externalRequires(metafile.inputs)).toEqual(['cjs.js requires node:https']);
  }, 60_000);
});

/**
 * A function signs with KMS: the key-file adapters of local mode are left out of every bundle
 * (`DCC_KEY_FILES`, `shared/app/container.ts`). Their `import()` calls would otherwise split the
 * start-up code of every function that names a signer into more chunks, each loaded at every
 * cold start, although no function ever runs them.
 */
describe('the bundles leave out the key-file adapters', () => {
  const KEY_FILES = /^shared\/adapters\/key-file\//;

  it.each(FUNCTION_ENTRIES)('%s bundles no key-file adapter', async (entry) => {
    const sources = await bundled(entry);
    expect(sources).toContain(entry);
    expect(sources.filter((path) => KEY_FILES.test(path))).toEqual([]);
  }, 60_000);

  it('without the definition, a function that signs bundles them', async () => {
    const metafile = await buildWith('functions/issue-certificate.ts', ({ define: { DCC_KEY_FILES: _, ...define } = {}, ...options }) => ({ ...options, define }));
    expect(Object.keys(metafile.inputs).filter((path) => KEY_FILES.test(path))).toContain('shared/adapters/key-file/certificate-signer.ts');
  }, 60_000);
});

/**
 * jose is the reference the verification's parity tests compare against; the verifier itself
 * checks with `node:crypto` and imports each key with it. So the verify function's start-up does
 * not compile jose, and a request imports no key a second time through WebCrypto.
 */
describe('the verifier starts without jose', () => {
  it('verify-certificate bundles jose for the reference path only, outside its start-up', async () => {
    const JOSE = /node_modules\/jose\//;
    expect((await bundled('functions/verify-certificate.ts')).some((path) => JOSE.test(path))).toBe(true);
    expect((await atStartup('functions/verify-certificate.ts')).filter((path) => JOSE.test(path))).toEqual([]);
  }, 60_000);
});
