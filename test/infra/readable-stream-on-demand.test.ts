import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { Readable } from 'node:stream';
import { ReadableStream as WebReadableStream } from 'node:stream/web';
import { describe, expect, it } from 'vitest';
import { STREAM_WEB_STAND_IN } from '../../infra/constructs/lambda-bundle.ts';
import { ReadableStream } from '../../infra/constructs/readable-stream-on-demand.ts';
import { FUNCTION_ENTRIES, ROOT, bundleInputs } from '../support/function-bundles.ts';

const MIDDY_CORE = 'node_modules/@middy/core/index.js';

describe('the stand-in for node:stream/web in the function bundles', () => {
  it('answers instanceof as the web ReadableStream does', () => {
    expect(new WebReadableStream() instanceof ReadableStream).toBe(true);
    expect(new globalThis.ReadableStream() instanceof ReadableStream).toBe(true);
    expect(Readable.from(['a']) instanceof ReadableStream).toBe(false);
    expect({} instanceof ReadableStream).toBe(false);
    expect((null as unknown) instanceof ReadableStream).toBe(false);
    expect(('text' as unknown) instanceof ReadableStream).toBe(false);
  });

  it('@middy/core uses the name for an instanceof test alone', () => {
    const source = readFileSync(`${ROOT}${MIDDY_CORE}`, 'utf8');
    expect(source).toMatch(/^import \{ ReadableStream \} from "node:stream\/web";$/m);
    // Whatever else names it, outside its import and string literals, must be `instanceof`.
    const code = source.replace(/^import .*$/gm, '').replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
    const uses = [...code.matchAll(/(\S+\s+)?\bReadableStream\b/g)].map((match) => (match[1] ?? '').trim());
    expect(uses.length).toBeGreaterThan(0);
    expect(uses.filter((before) => before !== 'instanceof')).toEqual([]);
  });

  /** The modules of `entry`'s bundle that import `node:stream/web`, with what each import resolved to. */
  async function streamWebImporters(entry: string): Promise<{ path: string; resolved: string[] }[]> {
    const inputs = await bundleInputs(entry);
    return Object.entries(inputs)
      .map(([path, input]) => ({ path, resolved: input.imports.filter((i) => i.original === 'node:stream/web' || i.path === 'node:stream/web').map((i) => i.path) }))
      .filter((importer) => importer.resolved.length > 0);
  }

  it.each(FUNCTION_ENTRIES)('%s: only @middy/core imports node:stream/web, and gets the stand-in', async (entry) => {
    const standIn = relative(ROOT, STREAM_WEB_STAND_IN);
    for (const importer of await streamWebImporters(entry)) {
      expect(importer.path).toBe(MIDDY_CORE);
      expect(importer.resolved).toEqual([standIn]);
    }
  }, 60_000);

  it('the check sees the import where middy is bundled', async () => {
    expect(await streamWebImporters('functions/issue-certificate.ts')).toEqual([{ path: MIDDY_CORE, resolved: [relative(ROOT, STREAM_WEB_STAND_IN)] }]);
  }, 60_000);
});
