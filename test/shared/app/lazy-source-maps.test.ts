import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * A bundle built as the functions are (minified ESM, external map without sources) that installs
 * the lazy mapper and throws from a known line, imported in a child process: the mapper replaces
 * V8's own stack formatting for the whole process, so it must not run inside the test runner.
 */

const run = promisify(execFile);
const dir = await mkdtemp(join(tmpdir(), 'dcc-lazy-maps-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const MAPPER = fileURLToPath(new URL('../../../shared/app/lazy-source-maps.ts', import.meta.url));
const ENTRY = join(dir, 'entry.ts');
const BUNDLE = join(dir, 'out', 'index.mjs');
await writeFile(
  ENTRY,
  [
    `import { mapStackTracesOnFirstUse } from ${JSON.stringify(MAPPER)};`,
    'mapStackTracesOnFirstUse(import.meta.url);',
    'export function fail(): never {',
    "  throw new Error('boom');",
    '}',
  ].join('\n'),
);
await build({ entryPoints: [ENTRY], outfile: BUNDLE, bundle: true, platform: 'node', format: 'esm', minify: true, sourcemap: true, sourcesContent: false, logLevel: 'silent' });

/** The stack of the bundle's error, formatted in a fresh `node` with `flags`. */
async function stackOf(flags: string[]): Promise<string> {
  // The last line says whether the mapper took over V8's stack formatting.
  const script = `const before = Error.prepareStackTrace; const m = await import(${JSON.stringify(pathToFileURL(BUNDLE).href)}); try { m.fail(); } catch (e) { console.log(e.stack); } console.log('mapper installed: ' + (Error.prepareStackTrace !== before));`;
  const { stdout } = await run(process.execPath, [...flags, '--input-type=module', '-e', script]);
  return stdout;
}

describe('mapStackTracesOnFirstUse', () => {
  it('names the source line of a frame in the bundle, without --enable-source-maps', async () => {
    const stack = await stackOf([]);
    expect(stack).toMatch(/^Error: boom\n/);
    expect(stack).toContain(`${pathToFileURL(ENTRY).href}:4:9`);
    expect(stack).not.toContain('index.mjs:1:');
    expect(stack).toContain('mapper installed: true');
  });

  it('leaves the mapping to Node when Node maps stacks itself', async () => {
    const stack = await stackOf(['--enable-source-maps']);
    expect(stack).toContain('entry.ts:4:');
    expect(stack).toContain('mapper installed: false');
  });
});
