import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { handler, VERIFICATION_PAGE_CSP } from '#functions/verification-page.ts';
import { buildVerificationPageModule, GENERATED_MODULE } from '../../web/build-page.ts';

/**
 * The verification page's committed bundle is exactly what its sources build to, and the
 * function serves it with a CSP whose hashes admit its inline script and style and nothing else.
 * Runs everywhere (no browser needed).
 */

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64');

async function served() {
  const result = await handler({} as never);
  if (typeof result.body !== 'string') throw new Error('no body');
  return { headers: result.headers as Record<string, string>, body: result.body, status: result.statusCode };
}

describe('the verification page bundle', () => {
  it(`is up to date with web/page/ and web/verifier/ (else run: npx tsx web/build-page.ts)`, async () => {
    const committed = await readFile(new URL(`../../${GENERATED_MODULE}`, import.meta.url), 'utf8');
    expect(committed === (await buildVerificationPageModule()), `${GENERATED_MODULE} is stale: run npx tsx web/build-page.ts`).toBe(true);
  });

  it('is served with a CSP that admits exactly its one inline script and one inline style', async () => {
    const { headers, body, status } = await served();
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/html; charset=utf-8');
    const scripts = [...body.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    const styles = [...body.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    expect(styles).toHaveLength(1);
    expect(body).not.toMatch(/<script[^>]*\bsrc=|\sstyle="|\son[a-z]+="/i);
    const csp = headers['content-security-policy'];
    expect(csp).toBe(VERIFICATION_PAGE_CSP);
    const directives = new Map(csp!.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual([`'sha256-${sha256(scripts[0]!)}'`]);
    expect(directives.get('style-src')).toEqual([`'sha256-${sha256(styles[0]!)}'`]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('img-src')).toEqual(["'self'", 'data:']);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
    });
  });
});
