import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '#local/local-service.ts';
import { issueThroughService } from '../support/local-issue.ts';

/**
 * The verification page in headless Chromium against a local service of the SM2 suite: the
 * browser has no SM2 in WebCrypto, so the page's bundled SM2 verifier checks the certificate
 * and its SM2-signed status list.
 */

const CHROMIUM = process.env['DCC_CHROMIUM'] ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  console.warn(`\n!!! BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM}. Install it (apt-get install -y chromium) or set DCC_CHROMIUM. !!!\n`);
}

let dir: string;
let service: LocalService | undefined;
let browser: Browser | undefined;
const pageErrors: string[] = [];

function running(): LocalService {
  if (!service) throw new Error('the service did not start');
  return service;
}

const issue = (transactionRef: string) => issueThroughService(running(), transactionRef);

async function verdictFor(token: string): Promise<{ verdict: string | null; reason: string }> {
  if (!browser) throw new Error('no browser');
  const page: Page = await browser.newPage({ locale: 'en-US' });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  try {
    await page.goto(`${running().url}/verify`);
    await page.fill('#token', token);
    await page.click('#verify-button');
    await page.waitForSelector('#verdict:not([data-verdict="checking"])[data-verdict]');
    return { verdict: await page.getAttribute('#verdict', 'data-verdict'), reason: (await page.textContent('#verdict-reason')) ?? '' };
  } finally {
    await page.close();
  }
}

describe.skipIf(!available)('the verification page with SM2 certificates', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dcc-sm2-page-'));
    service = await startLocalService({ dataDir: dir, port: 0, log: { info: () => undefined, error: () => undefined }, accessLog: false, settings: { DCC_SIGNATURE_SUITE: 'sm2' } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  });

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows a genuine SM2 certificate as valid (signature and SM2-signed status list checked in the browser)', async () => {
    const { token } = await issue('PAGE-SM2-1');
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'SM2' });
    expect(await verdictFor(token)).toEqual({ verdict: 'active', reason: 'Genuine: signed by the issuer, inside its validity window, and not revoked.' });
    expect(pageErrors).toEqual([]);
  });

  it('shows a revoked SM2 certificate as revoked, and one with a changed signature as invalid', async () => {
    const record = await issue('PAGE-SM2-2');
    const r = await fetch(`${running().url}/v1/certificates/${record.id}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await running().devClients.token({ role: 'admin' })}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'issued-in-error' }),
    });
    expect(r.status).toBe(200);
    expect((await verdictFor(record.token)).verdict).toBe('revoked');
    const [h, p, s] = record.token.split('.') as [string, string, string];
    const sig = Buffer.from(s, 'base64url');
    sig[10]! ^= 0x40;
    const tampered = await verdictFor(`${h}.${p}.${sig.toString('base64url')}`);
    expect(tampered.verdict).toBe('invalid');
    expect(tampered.reason).toMatch(/signature/i);
    expect(pageErrors).toEqual([]);
  });
});
