import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '#local/local-service.ts';
import { issueThroughService } from '../support/local-issue.ts';

/**
 * The verification page in headless Chromium against a local service started here: the
 * verdicts a person sees for genuine, revoked, tampered and garbage tokens, the QR link, and
 * the CSP (header present, no violation reported while the page works).
 */

const CHROMIUM = process.env['DCC_CHROMIUM'] ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  console.warn(
    `\n!!! BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM}. Install it (apt-get install -y chromium) or set DCC_CHROMIUM. !!!\n`,
  );
}

const SCREENSHOTS = join(process.cwd(), 'test-output', 'verification-page');

let dir: string;
let service: LocalService | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let genuine: { id: string; certificateNo: string; token: string };
let revoked: { id: string; certificateNo: string; token: string };
const violations: string[] = [];

function running(): LocalService {
  if (!service) throw new Error('the service did not start');
  return service;
}

const issue = (transactionRef: string) => issueThroughService(running(), transactionRef);

async function openPage(): Promise<Page> {
  if (!context) throw new Error('no browser');
  const page = await context.newPage();
  page.on('console', (m) => {
    if (/Content[- ]Security[- ]Policy|Trusted Type/i.test(m.text())) violations.push(m.text());
  });
  page.on('pageerror', (e) => violations.push(`page error: ${e.message}`));
  return page;
}

/** Opens the page, pastes `token`, verifies, and waits for the verdict. */
async function verifyPasted(token: string): Promise<Page> {
  const page = await openPage();
  await page.goto(`${running().url}/verify`);
  await page.fill('#token', token);
  await page.click('#verify-button');
  await page.waitForSelector('#verdict:not([data-verdict="checking"])[data-verdict]');
  return page;
}

async function verdictOf(page: Page): Promise<{ verdict: string | null; title: string; reason: string }> {
  return {
    verdict: await page.getAttribute('#verdict', 'data-verdict'),
    title: (await page.textContent('#verdict-title')) ?? '',
    reason: (await page.textContent('#verdict-reason')) ?? '',
  };
}

describe.skipIf(!available)('the verification page in Chromium', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dcc-page-'));
    await mkdir(SCREENSHOTS, { recursive: true });
    service = await startLocalService({ dataDir: dir, port: 0, log: { info: () => undefined, error: () => undefined }, accessLog: false });
    genuine = await issue('PAGE-GENUINE-1');
    revoked = await issue('PAGE-REVOKED-1');
    const admin = await service.devClients.token({ role: 'admin' });
    const r = await fetch(`${service.url}/v1/certificates/${revoked.id}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'transaction-cancelled' }),
    });
    expect(r.status).toBe(200);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    // English, whatever the machine's locale: the page follows the browser's languages.
    context = await browser.newContext({ locale: 'en-US' });
    // The page reports CSP violations as events too; collect them from every page.
    // (Source text: it runs in the page, whose DOM types this Node project does not load.)
    await context.addInitScript({
      content:
        "document.addEventListener('securitypolicyviolation', (e) => console.error('Content-Security-Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample));",
    });
  });

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is served with a strict Content-Security-Policy', async () => {
    const response = await fetch(`${running().url}/verify`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/]+=*'; style-src 'sha256-/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('shows a genuine certificate as VALID, laid out like an invoice', async () => {
    const page = await verifyPasted(`\n${genuine.token}\n`);
    expect(await verdictOf(page)).toEqual({
      verdict: 'active',
      title: 'Valid',
      reason: 'Genuine: signed by the issuer, inside its validity window, and not revoked.',
    });
    const text = (await page.textContent('#certificate')) ?? '';
    expect(text).toContain(genuine.certificateNo.replace(/(\d{4})(?=\d)/g, '$1 '));
    expect(text).toContain('Alibaba (China) Co., Ltd.');
    expect(text).toContain('91440300708461136T');
    expect(text).toContain('120,000.00 CNY');
    expect(text).toContain('Merchant credit features');
    expect(text).toContain('PASS Lawful source');
    expect(await page.isVisible('#qr-image')).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'genuine.png'), fullPage: true });
    await page.emulateMedia({ media: 'print' });
    expect(await page.isVisible('#verify-form')).toBe(false);
    // On paper, the compact code: it scans at an invoice's size.
    expect(await page.isVisible('#qr-compact-image')).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'genuine-print.png'), fullPage: true });
    await page.close();
  });

  it('opens a QR link (#z=…) and verifies the token it carries', async () => {
    const first = await verifyPasted(genuine.token);
    const link = await first.getAttribute('#qr', 'data-link');
    await first.close();
    expect(link).toMatch(new RegExp(`^${running().url}/verify#z=[A-Za-z0-9_-]+$`));
    expect(link!.length).toBeLessThan(genuine.token.length);
    const page = await openPage();
    await page.goto(link!);
    await page.waitForSelector('#verdict[data-verdict="active"]');
    expect(await page.inputValue('#token')).toBe(genuine.token);
    await page.close();
  });

  it('offers a compact QR code (number and check value) that scans from paper, and opens it by asking the service', async () => {
    const first = await verifyPasted(genuine.token);
    const compact = await first.getAttribute('#qr', 'data-compact-link');
    /** QR modules per side: the SVG's view box less the quiet zone of 4 on each side. */
    const modules = async (image: string) => Number(decodeURIComponent((await first.getAttribute(image, 'src')) ?? '').match(/viewBox="0 0 (\d+)/)?.[1]) - 8;
    // Version 6 (41 modules) at most for the compact code; the full token needs a far denser one.
    expect(await modules('#qr-compact-image')).toBeLessThanOrEqual(41);
    expect(await modules('#qr-image')).toBeGreaterThan(100);
    await first.emulateMedia({ media: 'print' });
    expect(await first.isVisible('#qr-compact-image')).toBe(true);
    expect(await first.isVisible('#qr-image')).toBe(false);
    await first.close();
    expect(compact).toMatch(new RegExp(`^${running().url}/verify#n=${genuine.certificateNo}&c=[0-9A-HJKMNP-TV-Z]{10}$`));

    const page = await openPage();
    await page.goto(compact!);
    await page.waitForSelector('#verdict[data-verdict="active"]');
    expect(await page.inputValue('#token')).toBe(genuine.token);
    // The address bar keeps the compact form it was opened with.
    expect(page.url()).toBe(compact);
    await page.close();

    const wrong = await openPage();
    await wrong.goto(compact!.replace(/c=(.)/, (_, c: string) => `c=${c === '0' ? '1' : '0'}`));
    await wrong.waitForSelector('#verdict[data-verdict="invalid"]');
    expect(await wrong.isVisible('#certificate')).toBe(false);
    await wrong.close();
  });

  it('shows a revoked certificate as REVOKED, from the signed status list', async () => {
    const page = await verifyPasted(revoked.token);
    const v = await verdictOf(page);
    expect(v.verdict).toBe('revoked');
    expect(v.title).toBe('Revoked');
    expect(v.reason).toMatch(/^Revoked: bit \d+ of http:\/\/127\.0\.0\.1:\d+\/v1\/status-lists\/\d+ is set\.$/);
    expect(await page.textContent('#certificate')).toContain(revoked.certificateNo.slice(0, 4));
    await page.screenshot({ path: join(SCREENSHOTS, 'revoked.png'), fullPage: true });
    await page.close();
  });

  it('shows a tampered certificate as INVALID, naming the signature', async () => {
    const [h, p, s] = genuine.token.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { credentialSubject: { transaction: { amount: { value: string } } } };
    payload.credentialSubject.transaction.amount.value = '1.00';
    const page = await verifyPasted(`${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`);
    const v = await verdictOf(page);
    expect(v).toMatchObject({ verdict: 'invalid', title: 'Invalid' });
    expect(v.reason).toMatch(/^The signature does not verify with the key/);
    expect(await page.isVisible('#certificate')).toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, 'tampered.png'), fullPage: true });
    await page.close();
  });

  it('shows garbage as INVALID, and a padded token too (strict base64url)', async () => {
    const page = await verifyPasted('hello, world');
    expect(await verdictOf(page)).toMatchObject({ verdict: 'invalid', reason: 'Expected 3 dot-separated parts, found 1.' });
    await page.screenshot({ path: join(SCREENSHOTS, 'garbage.png'), fullPage: true });
    await page.close();
    const padded = await verifyPasted(`${genuine.token}=`);
    expect(await verdictOf(padded)).toMatchObject({ verdict: 'invalid', reason: 'The signature part has characters outside the base64url alphabet.' });
    await padded.close();
  });

  it('reported no CSP or Trusted Types violation and no script error on any page', () => {
    expect(violations).toEqual([]);
  });
});
