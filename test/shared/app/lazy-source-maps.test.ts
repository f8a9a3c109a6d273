import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { lambdaBuildOptions } from '../../../infra/constructs/lambda-bundle.ts';

/**
 * A bundle built as the functions are (`lambdaBuildOptions`: split, minified ESM, a map without
 * sources next to each module) that installs the lazy mapper and throws from known lines, in its
 * entry module and in a chunk it loads on demand, imported in a child process: the mapper
 * replaces V8's own stack formatting for the whole process, so it must not run inside the test
 * runner.
 */

const run = promisify(execFile);
const dir = await mkdtemp(join(tmpdir(), 'dcc-lazy-maps-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const MAPPER = fileURLToPath(new URL('../../../shared/app/lazy-source-maps.ts', import.meta.url));
const ENTRY = join(dir, 'entry.ts');
const LATER = join(dir, 'later.ts');
const OUT = join(dir, 'out');
const BUNDLE = join(OUT, 'index.mjs');
await writeFile(
  ENTRY,
  [
    `import { mapStackTracesOnFirstUse } from ${JSON.stringify(MAPPER)};`,
    'mapStackTracesOnFirstUse(import.meta.url);',
    'export function fail(): never {',
    "  throw new Error('boom');",
    '}',
    "export const failLater = async (): Promise<never> => (await import('./later.ts')).failHere();",
  ].join('\n'),
);
await writeFile(LATER, ['export function failHere(): never {', "  throw new Error('later');", '}'].join('\n'));
await build({ ...lambdaBuildOptions(ENTRY, OUT, { sdk: 'bundled', projectRoot: dir }), logLevel: 'silent' });
const CHUNKS = (await readdir(OUT)).filter((file) => file.startsWith('chunk-') && file.endsWith('.mjs'));

/** The stacks of the bundle's two errors, formatted in a fresh `node` with `flags`. */
async function stackOf(flags: string[]): Promise<string> {
  // The last line says whether the mapper took over V8's stack formatting.
  const script = [
    'const before = Error.prepareStackTrace;',
    `const m = await import(${JSON.stringify(pathToFileURL(BUNDLE).href)});`,
    'try { m.fail(); } catch (e) { console.log(e.stack); }',
    'try { await m.failLater(); } catch (e) { console.log(e.stack); }',
    "console.log('mapper installed: ' + (Error.prepareStackTrace !== before));",
  ].join(' ');
  const { stdout } = await run(process.execPath, [...flags, '--input-type=module', '-e', script]);
  return stdout;
}

describe('mapStackTracesOnFirstUse', () => {
  it('names the source line of a frame in the bundle, in its entry and in a chunk, without --enable-source-maps', async () => {
    // The later module is a chunk of its own, loaded on demand.
    expect(CHUNKS.length).toBeGreaterThan(0);
    const stack = await stackOf([]);
    expect(stack).toMatch(/^Error: boom\n/);
    expect(stack).toContain(`${pathToFileURL(ENTRY).href}:4:9`);
    expect(stack).toContain('Error: later\n');
    expect(stack).toContain(`${pathToFileURL(LATER).href}:2:9`);
    expect(stack).not.toContain('index.mjs:');
    for (const chunk of CHUNKS) expect(stack).not.toContain(`${chunk}:`);
    expect(stack).toContain('mapper installed: true');
  });

  it('leaves the mapping to Node when Node maps stacks itself', async () => {
    const stack = await stackOf(['--enable-source-maps']);
    expect(stack).toContain('entry.ts:4:');
    expect(stack).toContain('later.ts:2:');
    expect(stack).toContain('mapper installed: false');
  });
});
