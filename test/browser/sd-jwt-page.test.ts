import { existsSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '#local/local-service.ts';
import { presentCertificate } from '#shared/domain/sd-jwt/certificate-sd-jwt.ts';
import { type HolderPrivateJwk, joinSdJwt, splitSdJwt } from '#shared/domain/sd-jwt/sd-jwt.ts';
import { issueRequestNow } from '../cli/support/run-dcc.ts';

/**
 * The verification page in headless Chromium with presentations of selectively disclosable
 * certificates: what was disclosed and what stayed hidden, key binding with the audience and
 * nonce a person types in, revocation through the status list, and a forged disclosure refused.
 */

const CHROMIUM = process.env['DCC_CHROMIUM'] ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);

let dir: string;
let service: LocalService;
let browser: Browser | undefined;
const errors: string[] = [];

async function call(path: string, token: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as Record<string, unknown>;
}

async function issuedForm(holderJwk?: object): Promise<{ id: string; sdJwt: string }> {
  const token = await service.devClients.token({ role: 'exchange' });
  const { id } = (await call('/v1/certificates', token, issueRequestNow(`PAGE-SD-${Date.now()}-${Math.random().toString(36).slice(2)}`))) as { id: string };
  const { sdJwt } = (await call(`/v1/certificates/${id}/sd-jwt`, token, holderJwk ? { holderJwk } : {})) as { sdJwt: string };
  return { id, sdJwt };
}

async function verifyOnPage(text: string, binding?: { aud: string; nonce: string }): Promise<Page> {
  const page = await browser!.newPage({ locale: 'en-US' });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (/Content[- ]Security[- ]Policy/i.test(m.text())) errors.push(m.text());
  });
  await page.goto(`${service.url}/verify`);
  await page.fill('#token', text);
  if (binding) {
    await page.click('.key-binding summary');
    await page.fill('#aud', binding.aud);
    await page.fill('#nonce', binding.nonce);
  }
  await page.click('#verify-button');
  await page.waitForSelector('#verdict:not([data-verdict="checking"])[data-verdict]');
  return page;
}

describe.skipIf(!available)('the verification page with selectively disclosed certificates', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dcc-page-sd-'));
    service = await startLocalService({ dataDir: dir, port: 0, log: { info: () => undefined, error: () => undefined }, accessLog: false });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  });

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows a presentation VALID, with the hidden claims said to be hidden and none of their values', async () => {
    const { sdJwt } = await issuedForm();
    const request = issueRequestNow('unused');
    const page = await verifyOnPage(await presentCertificate(sdJwt, { disclose: ['amount'] }));
    expect(await page.getAttribute('#verdict', 'data-verdict')).toBe('active');
    expect(await page.getAttribute('#disclosure', 'data-disclosed')).toBe('amount');
    expect(await page.getAttribute('#disclosure', 'data-hidden')).toBe('provider,consumer,dataProduct,purpose');
    const shown = (await page.textContent('#certificate')) ?? '';
    expect(shown).toContain('hidden by the holder');
    expect(shown).not.toContain(request.provider.name);
    expect(shown).not.toContain(request.usage.purpose);
    expect(await page.textContent('#check-list')).toContain('disclosures: ok');
  });

  it('checks a holder-bound presentation against the audience and nonce typed in', async () => {
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    const holder: HolderPrivateJwk = { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y!, d: jwk.d! };
    const { sdJwt } = await issuedForm({ kty: 'EC', crv: 'P-256', x: holder.x, y: holder.y });
    const presented = await presentCertificate(sdJwt, { disclose: ['provider'], keyBinding: { privateJwk: holder, aud: 'https://bank.example', nonce: 'n-1', iat: new Date() } });
    const right = await verifyOnPage(presented, { aud: 'https://bank.example', nonce: 'n-1' });
    expect(await right.getAttribute('#verdict', 'data-verdict')).toBe('active');
    const wrong = await verifyOnPage(presented, { aud: 'https://bank.example', nonce: 'n-2' });
    expect(await wrong.getAttribute('#verdict', 'data-verdict')).toBe('invalid');
    expect(await wrong.textContent('#verdict-reason')).toMatch(/nonce/);
  });

  it('shows a presentation of a revoked certificate REVOKED, from the signed status list', async () => {
    const { id, sdJwt } = await issuedForm();
    const admin = await service.devClients.token({ role: 'admin' });
    await call(`/v1/certificates/${id}/revoke`, admin, { reason: 'data-breach' });
    const page = await verifyOnPage(await presentCertificate(sdJwt, { disclose: [] }));
    expect(await page.getAttribute('#verdict', 'data-verdict')).toBe('revoked');
  });

  it('refuses a disclosure that the issuer did not sign', async () => {
    const a = await issuedForm();
    const b = await issuedForm();
    const forged = joinSdJwt(splitSdJwt(a.sdJwt).issuerJwt, [splitSdJwt(b.sdJwt).disclosures[0]!]);
    const page = await verifyOnPage(forged);
    expect(await page.getAttribute('#verdict', 'data-verdict')).toBe('invalid');
    expect(await page.textContent('#verdict-reason')).toMatch(/not referenced/);
  });

  it('reported no script error and no CSP violation', () => {
    expect(errors).toEqual([]);
  });
});
