import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '#local/local-service.ts';
import { issueRequestNow, runDcc, runDccHere } from './support/run-dcc.ts';

/**
 * `dcc sd-jwt`, `dcc present` and `dcc verify` with presentations, end to end against a local
 * service: the exchange obtains the form, the holder presents chosen claims (bound to its key or
 * not), and a verifier checks the presentation offline and online and is told what was disclosed.
 */

let dir: string;
let service: LocalService;
let exchangeToken: string;
let adminToken: string;
let jwksFile: string;
let certificateId: string;
let sdJwtFile: string;
let boundFile: string;
let holderKeyFile: string;

const api = () => ({ DCC_API_URL: service.url });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dcc-sd-jwt-cli-'));
  service = await startLocalService({ dataDir: join(dir, 'data'), port: 0, log: { info: () => undefined, error: () => undefined }, accessLog: false });
  exchangeToken = await service.devClients.token({ role: 'exchange' });
  adminToken = await service.devClients.token({ role: 'admin' });
  jwksFile = join(dir, 'jwks.json');
  await writeFile(jwksFile, await (await fetch(`${service.url}/.well-known/jwks.json`)).text());
  const issued = await fetch(`${service.url}/v1/certificates`, {
    method: 'POST',
    headers: { authorization: `Bearer ${exchangeToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(issueRequestNow(`CLI-SD-${Date.now()}`)),
  });
  certificateId = ((await issued.json()) as { id: string }).id;
  const holder = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  holderKeyFile = join(dir, 'holder.jwk');
  await writeFile(holderKeyFile, JSON.stringify(holder));
  const { d: _d, ...holderPublic } = holder;
  await writeFile(join(dir, 'holder.pub.jwk'), JSON.stringify(holderPublic));
  sdJwtFile = join(dir, 'certificate.sd-jwt');
  boundFile = join(dir, 'bound.json');
});

afterAll(async () => {
  await service?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('dcc sd-jwt and dcc present', () => {
  it('obtains the form as the issuing exchange (the same bytes twice), bound or not', async () => {
    const first = await runDcc(['sd-jwt', certificateId], { env: { ...api(), DCC_TOKEN: exchangeToken } });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const again = await runDccHere(['sd-jwt', certificateId], { env: { ...api(), DCC_TOKEN: exchangeToken } });
    expect(again.stdout).toBe(first.stdout);
    await writeFile(sdJwtFile, first.stdout);
    const bound = await runDccHere(['sd-jwt', certificateId, '--holder-jwk', join(dir, 'holder.pub.jwk'), '--json'], { env: { ...api(), DCC_TOKEN: exchangeToken } });
    expect(bound.code).toBe(0);
    await writeFile(boundFile, bound.stdout);
  });

  it('refuses the request of an admin (exit 1, the problem shown)', async () => {
    const run = await runDccHere(['sd-jwt', certificateId], { env: { ...api(), DCC_TOKEN: adminToken } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/403/);
  });

  it('presents only the chosen claims, and verify says which were disclosed and which stayed hidden', async () => {
    const presented = await runDccHere(['present', sdJwtFile, '--disclose', 'amount,provider']);
    expect(presented.code).toBe(0);
    expect(presented.stdout.trim().split('~')).toHaveLength(4);
    const file = join(dir, 'presentation.txt');
    await writeFile(file, presented.stdout);
    const offline = await runDccHere(['verify', file, '--jwks', jwksFile]);
    expect(offline.code).toBe(0);
    expect(offline.stdout).toMatch(/^VALID\s+No\. \d{20}/);
    expect(offline.stdout).toContain('✓ disclosures');
    expect(offline.stdout).toContain('Disclosed: amount, provider');
    expect(offline.stdout).toContain('Hidden:    consumer, dataProduct, purpose');
    const online = await runDcc(['verify', '-', '--jwks', `${service.url}/.well-known/jwks.json`, '--online', '--json'], { stdin: presented.stdout });
    expect(online.code).toBe(0);
    const report = JSON.parse(online.stdout) as { results: { status: string; presentation: unknown; checks: { name: string }[] }[] };
    expect(report.results[0]).toMatchObject({ status: 'active', presentation: { disclosed: ['amount', 'provider'], hidden: ['consumer', 'dataProduct', 'purpose'], holderBound: false } });
    expect(report.results[0]!.checks.map((c) => c.name)).toContain('status');
  });

  it('binds a presentation to the holder key, and verify needs the matching --aud and --nonce', async () => {
    const presented = await runDccHere(['present', boundFile, '--disclose', 'purpose', '--holder-key', holderKeyFile, '--aud', 'https://bank.example', '--nonce', 'n-9']);
    expect(presented.code).toBe(0);
    const file = join(dir, 'bound-presentation.txt');
    await writeFile(file, presented.stdout);
    const right = await runDccHere(['verify', file, '--jwks', jwksFile, '--aud', 'https://bank.example', '--nonce', 'n-9']);
    expect(right.code).toBe(0);
    expect(right.stdout).toContain("bound to the holder's key");
    const wrong = await runDccHere(['verify', file, '--jwks', jwksFile, '--aud', 'https://other.example', '--nonce', 'n-9']);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('✗ key-binding');
    const missing = await runDccHere(['present', boundFile, '--disclose', 'purpose']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/bound to a holder key/);
    const unknownClaim = await runDccHere(['present', sdJwtFile, '--disclose', 'certificateNo']);
    expect(unknownClaim.code).toBe(2);
  });

  it('finds a presentation of a revoked certificate revoked online (exit 1)', async () => {
    const presented = await runDccHere(['present', sdJwtFile]);
    const revoke = await fetch(`${service.url}/v1/certificates/${certificateId}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'transaction-cancelled' }),
    });
    expect(revoke.status).toBe(200);
    const online = await runDccHere(['verify', '-', '--jwks', jwksFile, '--online'], { stdin: presented.stdout });
    expect(online.code).toBe(1);
    expect(online.stdout).toMatch(/^REVOKED/);
  });
});
