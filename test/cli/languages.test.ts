import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCertificateSigner } from '#shared/adapters/key-file/certificate-signer.ts';
import { signedBy } from '../shared/domain/certificate/support/forge.ts';
import { SAMPLE_VALID_AT, sampleCredential } from '../shared/domain/certificate/support/sample-credential.ts';
import { runDcc, runDccHere } from './support/run-dcc.ts';

/**
 * `dcc inspect` and `dcc verify` in both languages: chosen by `--lang`, else by `LC_ALL`,
 * `LC_MESSAGES` or `LANG`; `--json` the same in both. Certificates are signed here with a fresh
 * key, so no service is needed.
 */

let dir: string;
let jwks: string;
let genuine: string;
let tampered: string;
const at = SAMPLE_VALID_AT.toISOString();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dcc-lang-'));
  const signer = LocalCertificateSigner.fromPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  const jwk = await signer.publicJwk();
  jwks = join(dir, 'jwks.json');
  await writeFile(jwks, JSON.stringify({ keys: [jwk] }));
  const credential = sampleCredential();
  const header = { alg: 'ES256', typ: 'vc+jwt', kid: jwk.kid };
  genuine = join(dir, 'genuine.jwt');
  await writeFile(genuine, await signedBy(signer, header, credential));
  const forged = structuredClone(credential);
  forged.credentialSubject.transaction.amount.value = '1.00';
  const [h, , s] = (await signedBy(signer, header, credential)).split('.');
  tampered = join(dir, 'tampered.jwt');
  await writeFile(tampered, `${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${s}`);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('dcc inspect reads like an invoice in Chinese', () => {
  it('with --lang zh-CN: heading, number, amount in ¥ and in capitals, Beijing time beside UTC', async () => {
    const run = await runDccHere(['inspect', genuine, '--lang', 'zh-CN']);
    expect(run.code).toBe(0);
    const c = sampleCredential();
    const no = c.certificateNo.replace(/(\d{4})(?=\d)/g, '$1 ');
    expect(run.stdout).toContain(`数据合规流通数字证书　　证书编号：${no}`);
    expect(run.stdout).toMatch(/交易金额\s+¥120,000\.00\n/);
    expect(run.stdout).toMatch(/金额（大写）\s+人民币壹拾贰万元整\n/);
    expect(run.stdout).toMatch(/数据提供方\s+阿里巴巴（中国）有限公司\n\s+统一社会信用代码\s+91330100799655058B/);
    expect(run.stdout).toMatch(/数据需求方\s+Tencent Technology \(Shenzhen\) Co\., Ltd\./);
    // 08:30 UTC is 16:30 in Beijing; the instant itself stays on the line.
    expect(run.stdout).toMatch(/交易时间\s+2026年11月20日 16:30:00（北京时间，2026-11-20T08:30:00Z）/);
    expect(run.stdout).toMatch(/通过\s+数据来源合法 \(source-legality\)/);
    expect(run.stdout).toMatch(/授予权利\s+数据加工使用权\n/);
    expect(run.stdout).toMatch(/跨境\s+无（数据不出境）/);
    expect(run.stdout).toContain('验证结论：未验证');
    expect(run.stdout).not.toMatch(/Provider|Amount|Verdict/);
  });

  it('labels line up in terminal columns (a Chinese character is two columns wide)', async () => {
    const run = await runDccHere(['inspect', genuine, '--lang', 'zh-CN']);
    const column = (label: string) => {
      const line = run.stdout.split('\n').find((l) => l.trimStart().startsWith(label)) ?? '';
      const value = line.slice(line.indexOf(label) + label.length).match(/^\s*/)?.[0].length ?? 0;
      return line.indexOf(label) + [...label].length * 2 + value;
    };
    expect(column('交易金额')).toBe(column('金额（大写）'));
    expect(column('交易编号')).toBe(column('数据交易所'));
  });

  it('follows LANG, and LC_ALL over LANG (spawned, as users run it)', async () => {
    const zh = await runDcc(['inspect', genuine], { env: { LANG: 'zh_CN.UTF-8' } });
    expect(zh.stdout).toContain('数据合规流通数字证书');
    const en = await runDcc(['inspect', genuine], { env: { LANG: 'zh_CN.UTF-8', LC_ALL: 'en_US.UTF-8' } });
    expect(en.stdout).toContain('DATA COMPLIANCE CERTIFICATE');
    expect(en.stdout).not.toContain('数据合规流通数字证书');
  });

  it('stays English by default, and --lang en wins over LANG', async () => {
    const plain = await runDccHere(['inspect', genuine]);
    expect(plain.stdout).toContain('DATA COMPLIANCE CERTIFICATE  No.');
    expect(plain.stdout).toMatch(/Amount\s+120,000\.00 CNY/);
    const forced = await runDccHere(['inspect', genuine, '--lang', 'en'], { env: { LANG: 'zh_CN.UTF-8' } });
    expect(forced.stdout).toContain('DATA COMPLIANCE CERTIFICATE  No.');
  });

  it('refuses a language it has no catalogue for', async () => {
    const run = await runDccHere(['inspect', genuine, '--lang', 'fr']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--lang.*zh-CN, en/);
  });
});

describe('dcc verify in both languages', () => {
  it('says VALID / 有效 with its checks named in the reader\'s language', async () => {
    const en = await runDccHere(['verify', genuine, '--jwks', jwks, '--at', at]);
    expect(en.code).toBe(0);
    expect(en.stdout).toMatch(/^VALID\s+No\. \d+/);
    expect(en.stdout).toContain('✓ signature');
    expect(en.stdout).toContain('(revocation not checked: add --online)');
    const zh = await runDccHere(['verify', genuine, '--jwks', jwks, '--at', at, '--lang', 'zh-CN']);
    expect(zh.code).toBe(0);
    expect(zh.stdout).toMatch(/^有效\s+编号 \d+/);
    expect(zh.stdout).toContain('✓ 签名');
    expect(zh.stdout).toContain('✓ 有效期');
    expect(zh.stdout).toContain('（未检查吊销状态：请加 --online）');
  });

  it('names a tampered certificate 无效 and keeps the verifier\'s technical detail', async () => {
    const zh = await runDccHere(['verify', tampered, '--jwks', jwks, '--at', at], { env: { LC_MESSAGES: 'zh_CN.UTF-8' } });
    expect(zh.code).toBe(1);
    expect(zh.stdout).toMatch(/^无效\s+/);
    expect(zh.stdout).toMatch(/✗ 签名: The signature does not verify/);
  });

  it('summarises a batch in Chinese', async () => {
    const batch = join(dir, 'batch');
    const { mkdir, copyFile } = await import('node:fs/promises');
    await mkdir(batch, { recursive: true });
    await copyFile(genuine, join(batch, 'a.jwt'));
    await copyFile(genuine, join(batch, 'b.jwt'));
    await copyFile(tampered, join(batch, 'c.jwt'));
    const zh = await runDccHere(['verify', batch, '--jwks', jwks, '--at', at, '--lang', 'zh-CN']);
    expect(zh.code).toBe(1);
    expect(zh.stdout).toContain('共验证 3 份证书：有效 2 份和无效 1 份。');
    expect(zh.stdout).toContain('未检查吊销状态：请加 --online。');
    const en = await runDccHere(['verify', batch, '--jwks', jwks, '--at', at]);
    expect(en.stdout).toContain('Verified 3 certificates: 2 valid, 1 invalid.');
  });

  it('prints the same --json whatever the language', async () => {
    const en = await runDccHere(['verify', tampered, '--jwks', jwks, '--at', at, '--json']);
    const zh = await runDccHere(['verify', tampered, '--jwks', jwks, '--at', at, '--json', '--lang', 'zh-CN']);
    expect(zh.stdout).toBe(en.stdout);
  });
});
