import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '#local/local-service.ts';
import { issueThroughService } from '../support/local-issue.ts';

/**
 * The verification page in Chinese and in English, in headless Chromium against a local
 * service: it follows the browser's languages, switches on request and remembers the choice,
 * sets `<html lang>`, and prints like an invoice in Chinese. Screenshots of both languages (screen
 * and print) go to test-output/page-languages/; the assertions are on the visible text.
 */

const CHROMIUM = process.env['DCC_CHROMIUM'] ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  console.warn(`\n!!! BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM}. Install it (apt-get install -y chromium) or set DCC_CHROMIUM. !!!\n`);
}

/** Whether fontconfig knows a font for Chinese; without one the screenshots show empty boxes. */
function hasCjkFont(): boolean {
  try {
    return execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}
if (available && !hasCjkFont()) {
  console.warn('\n!!! NO CJK FONT: the Chinese screenshots will show empty boxes. Install fonts-noto-cjk (apt-get install -y fonts-noto-cjk). !!!\n');
}

const SCREENSHOTS = join(process.cwd(), 'test-output', 'page-languages');

let dir: string;
let service: LocalService | undefined;
let browser: Browser | undefined;
let genuine: { certificateNo: string; token: string };
let revoked: { id: string; certificateNo: string; token: string };
const violations: string[] = [];

function running(): LocalService {
  if (!service) throw new Error('the service did not start');
  return service;
}

const issue = (transactionRef: string) => issueThroughService(running(), transactionRef);

/** A page in a fresh browser context whose languages are `locale` (navigator.languages, Accept-Language). */
async function openPage(locale: string): Promise<Page> {
  if (!browser) throw new Error('no browser');
  const context = await browser.newContext({ locale });
  await context.addInitScript({
    content:
      "document.addEventListener('securitypolicyviolation', (e) => console.error('Content-Security-Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));",
  });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (/Content[- ]Security[- ]Policy|Trusted Type/i.test(m.text())) violations.push(m.text());
  });
  page.on('pageerror', (e) => violations.push(`page error: ${e.message}`));
  await page.goto(`${running().url}/verify`);
  return page;
}

async function verifyPasted(page: Page, token: string): Promise<void> {
  await page.fill('#token', token);
  await page.click('#verify-button');
  await page.waitForSelector('#verdict:not([data-verdict="checking"])[data-verdict]');
}

const text = async (page: Page, selector: string) => ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();

describe.skipIf(!available)('the verification page in Chinese and English', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dcc-page-lang-'));
    await mkdir(SCREENSHOTS, { recursive: true });
    service = await startLocalService({ dataDir: dir, port: 0, log: { info: () => undefined, error: () => undefined }, accessLog: false });
    genuine = await issue('PAGE-LANG-GENUINE-1');
    revoked = await issue('PAGE-LANG-REVOKED-1');
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
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('speaks Chinese to a Chinese browser, and prints like an invoice', async () => {
    const page = await openPage('zh-CN');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.title()).toBe('数据合规流通数字证书验证');
    expect(await text(page, 'h1')).toBe('数据合规流通数字证书验证');
    expect(await text(page, '#verify-button')).toBe('验证');
    expect(await page.getAttribute('[data-locale="zh-CN"]', 'aria-pressed')).toBe('true');

    await verifyPasted(page, genuine.token);
    expect(await text(page, '#verdict-title')).toBe('有效');
    expect(await text(page, '#verdict-reason')).toBe('真实有效：由签发机构签名，处于有效期内，且未被吊销。');
    const certificate = await text(page, '#certificate');
    expect(certificate).toContain('数据合规流通数字证书');
    expect(certificate).toContain(`证书编号${genuine.certificateNo.replace(/(\d{4})(?=\d)/g, '$1 ')}`);
    expect(certificate).toContain('交易金额¥120,000.00');
    expect(certificate).toContain('金额（大写）壹拾贰万元整');
    expect(certificate).toContain('数据提供方Alibaba (China) Co., Ltd.');
    expect(certificate).toContain('数据需求方统一社会信用代码91440300708461136T');
    expect(certificate).toContain('授予权利数据加工使用权');
    expect(certificate).toContain('通过 数据来源合法');
    expect(certificate).toMatch(/交易时间\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}:\d{2}（北京时间，\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z）/);
    expect(await text(page, '#check-list')).toContain('签名：通过');
    await page.screenshot({ path: join(SCREENSHOTS, 'zh-CN-genuine.png'), fullPage: true });

    await page.emulateMedia({ media: 'print' });
    expect(await page.isVisible('#verify-form')).toBe(false);
    expect(await page.isVisible('.masthead')).toBe(false);
    expect(await page.isVisible('#certificate h2')).toBe(true);
    // The invoice's title: centred, in the colour of China's invoice forms.
    // (Source text: it runs in the page, whose DOM types this Node project does not load.)
    const title = await page.evaluate(
      "(() => { const h = document.querySelector('#certificate h2'); const s = getComputedStyle(h); return { align: s.textAlign, color: s.color, text: h.textContent }; })()",
    );
    expect(title).toEqual({ align: 'center', color: 'rgb(139, 35, 35)', text: '数据合规流通数字证书' });
    await page.screenshot({ path: join(SCREENSHOTS, 'zh-CN-genuine-print.png'), fullPage: true });
    await page.context().close();
  });

  it('says 已吊销 for a revoked certificate and keeps the verifier\'s English detail beside it', async () => {
    const page = await openPage('zh-CN');
    await verifyPasted(page, revoked.token);
    expect(await text(page, '#verdict-title')).toBe('已吊销');
    expect(await text(page, '#verdict-reason')).toBe('已被签发机构吊销：签发机构签名的状态列表已标记本证书。');
    expect(await page.isVisible('#verdict-detail')).toBe(true);
    expect(await page.getAttribute('#verdict-detail', 'lang')).toBe('en');
    expect(await text(page, '#verdict-detail')).toMatch(/^技术细节（英文）：Revoked: bit \d+ of http:\/\/127\.0\.0\.1:\d+\/v1\/status-lists\/\d+ is set\.$/);
    await page.screenshot({ path: join(SCREENSHOTS, 'zh-CN-revoked.png'), fullPage: true });
    await page.context().close();
  });

  it('speaks English to an English browser', async () => {
    const page = await openPage('en-US');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await text(page, 'h1')).toBe('Verify a data compliance certificate');
    await verifyPasted(page, genuine.token);
    expect(await text(page, '#verdict-title')).toBe('Valid');
    const certificate = await text(page, '#certificate');
    expect(certificate).toContain('Data compliance certificate');
    expect(certificate).toContain('120,000.00 CNY');
    expect(certificate).not.toMatch(/[\u4e00-\u9fff]/);
    expect(await page.isVisible('#verdict-detail')).toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, 'en-genuine.png'), fullPage: true });
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: join(SCREENSHOTS, 'en-genuine-print.png'), fullPage: true });
    await page.context().close();
  });

  it('switches language on request, redraws what it showed, and remembers the choice', async () => {
    const page = await openPage('en-US');
    await verifyPasted(page, genuine.token);
    expect(await text(page, '#verdict-title')).toBe('Valid');
    await page.click('[data-locale="zh-CN"]');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await text(page, '#verdict-title')).toBe('有效');
    expect(await text(page, '#certificate')).toContain('交易金额¥120,000.00');
    expect(await text(page, 'label[for="token"]')).toBe('证书令牌');
    expect(await page.getAttribute('[data-locale="zh-CN"]', 'aria-pressed')).toBe('true');
    expect(await page.getAttribute('[data-locale="en"]', 'aria-pressed')).toBe('false');
    await page.reload();
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await text(page, 'h1')).toBe('数据合规流通数字证书验证');
    await page.click('[data-locale="en"]');
    expect(await text(page, 'h1')).toBe('Verify a data compliance certificate');
    await page.reload();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.context().close();
  });

  it('gives a Traditional Chinese browser English (no Traditional catalogue), with the switch at hand', async () => {
    const page = await openPage('zh-TW');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.isVisible('[data-locale="zh-CN"]')).toBe(true);
    await page.context().close();
  });

  it('reported no CSP or Trusted Types violation and no script error in either language', () => {
    expect(violations).toEqual([]);
  });
});
