import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '#local/local-service.ts';
import { WORKER_THRESHOLD } from '../../cli/verification.ts';
import { issueRequestNow, runDcc, runDccHere } from './support/run-dcc.ts';

/**
 * `dcc` end to end against a real local service (DynamoDB Local, local signing key, local token
 * issuer) started by this file. `runDcc` spawns the executable `bin/dcc.mjs` as users run it;
 * `runDccHere` runs the same program in this process, to keep the file fast.
 */

let dir: string;
let service: LocalService | undefined;
let jwksFile: string;
let exchangeToken: string;
let adminToken: string;
let auditorToken: string;

interface IssuedRecord {
  id: string;
  certificateNo: string;
  token: string;
  status: string;
}

function running(): LocalService {
  if (!service) throw new Error('the service did not start');
  return service;
}

async function issueDirect(transactionRef: string): Promise<IssuedRecord> {
  const response = await fetch(`${running().url}/v1/certificates`, {
    method: 'POST',
    headers: { authorization: `Bearer ${exchangeToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(issueRequestNow(transactionRef)),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as IssuedRecord;
}

/** The token with its amount changed and the original signature kept. */
function tampered(token: string): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as {
    credentialSubject: { transaction: { amount: { value: string } } };
  };
  payload.credentialSubject.transaction.amount.value = '1.00';
  return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
}

const api = () => ({ DCC_API_URL: running().url });

let genuine: IssuedRecord;
let revoked: IssuedRecord;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dcc-cli-'));
  service = await startLocalService({ dataDir: join(dir, 'data'), port: 0, log: { info: () => undefined, error: () => undefined }, accessLog: false });
  exchangeToken = await service.devClients.token({ role: 'exchange' });
  adminToken = await service.devClients.token({ role: 'admin' });
  auditorToken = await service.devClients.token({ role: 'auditor' });
  jwksFile = join(dir, 'jwks.json');
  await writeFile(jwksFile, await (await fetch(`${service.url}/.well-known/jwks.json`)).text());
});

afterAll(async () => {
  await service?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('dcc issue, get and revoke against the API', () => {
  it('issues a certificate from a request file and prints the record as JSON', async () => {
    const requestFile = join(dir, 'request.json');
    await writeFile(requestFile, JSON.stringify(issueRequestNow('CLI-GENUINE-1')));
    const run = await runDcc(['issue', requestFile, '--json'], { env: { ...api(), DCC_TOKEN: exchangeToken } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    genuine = JSON.parse(run.stdout) as IssuedRecord;
    expect(genuine.status).toBe('active');
    expect(genuine.token.split('.')).toHaveLength(3);
    await writeFile(join(dir, 'genuine.jwt'), `${genuine.token}\n`);
  });

  it('prints a refused request as a readable problem and exits 1', async () => {
    const request = issueRequestNow('CLI-BAD-1');
    request.consumer.uscc = request.provider.uscc;
    const run = await runDccHere(['issue', '-', '--token', exchangeToken, '--api', running().url], { stdin: JSON.stringify(request) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error 422 .*\[compliance-rule-violation\]/);
    expect(run.stderr).toContain('/consumer/uscc');
    expect(run.stderr).toContain('(parties-identical)');
  });

  it('revokes with an admin token, and get shows the revocation', async () => {
    revoked = await issueDirect('CLI-REVOKED-1');
    const run = await runDccHere(['revoke', revoked.id, '--reason', 'compliance-violation', '--comment', 'consent was withdrawn'], {
      env: { ...api(), DCC_TOKEN: adminToken },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Revoked');
    expect(run.stdout).toMatch(/\(compliance-violation\) — consent was withdrawn/);
    await writeFile(join(dir, 'revoked.jwt'), revoked.token);

    const get = await runDccHere(['get', `urn:uuid:${revoked.id}`, '--json'], { env: { ...api(), DCC_TOKEN: auditorToken } });
    expect(get.code).toBe(0);
    expect(JSON.parse(get.stdout)).toMatchObject({ id: revoked.id, status: 'revoked', revocation: { reason: 'compliance-violation' } });

    const again = await runDccHere(['revoke', revoked.id, '--reason', 'unspecified'], { env: { ...api(), DCC_TOKEN: adminToken } });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('[already-revoked]');
  });

  it('exits 1 with the problem for an unknown certificate, 2 without a token', async () => {
    const missing = await runDccHere(['get', '0192f3a4-5b6c-7d8e-9f01-000000000000'], { env: { ...api(), DCC_TOKEN: auditorToken } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error 404/);
    const noToken = await runDcc(['get', '0192f3a4-5b6c-7d8e-9f01-000000000000'], { env: api() });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('no credentials: pass --client-id and --client-key');
  });
});

describe('dcc verify', () => {
  it('accepts a genuine certificate offline and online (exit 0)', async () => {
    const offline = await runDccHere(['verify', join(dir, 'genuine.jwt'), '--jwks', jwksFile]);
    expect(offline.code).toBe(0);
    expect(offline.stdout).toMatch(new RegExp(`^VALID\\s+No\\. ${genuine.certificateNo}`));
    expect(offline.stdout).toContain('✓ signature');
    expect(offline.stdout).toContain('revocation not checked');
    const online = await runDcc(['verify', '-', '--jwks', `${running().url}/.well-known/jwks.json`, '--online'], { stdin: genuine.token });
    expect(online.code).toBe(0);
    expect(online.stdout).toContain('✓ status');
  });

  it('refuses a tampered certificate (exit 1) and names the signature', async () => {
    await writeFile(join(dir, 'tampered.jwt'), tampered(genuine.token));
    const run = await runDccHere(['verify', join(dir, 'tampered.jwt'), '--jwks', jwksFile]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^INVALID/);
    expect(run.stdout).toContain('✗ signature: The signature does not verify');
  });

  it('finds a revoked certificate only online (exit 1), from the signed status list', async () => {
    const offline = await runDccHere(['verify', join(dir, 'revoked.jwt'), '--jwks', jwksFile]);
    expect(offline.code).toBe(0);
    const online = await runDccHere(['verify', join(dir, 'revoked.jwt'), '--jwks', jwksFile, '--online']);
    expect(online.code).toBe(1);
    expect(online.stdout).toMatch(/^REVOKED/);
    expect(online.stdout).toMatch(/✗ status: Revoked: bit \d+ of http/);
  });

  it('reports an expired certificate at a later time (exit 1)', async () => {
    const run = await runDccHere(['verify', join(dir, 'genuine.jwt'), '--jwks', jwksFile, '--at', new Date(Date.now() + 40 * 86_400_000).toISOString()]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^EXPIRED/);
    expect(run.stdout).toContain('✗ validity: Expired at');
  });

  it('verifies a batch of 53 (a folder, then JSON lines) with a correct summary and the failures listed', async () => {
    const batch = await Promise.all(Array.from({ length: 50 }, (_, i) => issueDirect(`CLI-BATCH-${String(i).padStart(3, '0')}`)));
    const folder = join(dir, 'batch');
    await mkdir(folder);
    await Promise.all(batch.map((r, i) => writeFile(join(folder, `cert-${String(i).padStart(3, '0')}.jwt`), `${r.token}\n`)));
    await writeFile(join(folder, 'x-revoked.json'), JSON.stringify(revoked));
    await writeFile(join(folder, 'y-tampered.jwt'), tampered(genuine.token));
    await writeFile(join(folder, 'z-garbage.jwt'), 'not a certificate');

    const json = await runDccHere(['verify', folder, '--jwks', jwksFile, '--online', '--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as {
      summary: { total: number; valid: number; failed: number; byStatus: Record<string, number> };
      results: { source: string; status: string; verified: boolean; reason?: string }[];
    };
    expect(report.summary).toEqual({
      total: 53,
      valid: 50,
      failed: 3,
      byStatus: { active: 50, revoked: 1, expired: 0, 'not-yet-valid': 0, 'status-unknown': 0, invalid: 2 },
    });
    const failures = report.results.filter((r) => !r.verified);
    expect(failures.map((f) => [f.source.replace(`${folder}/`, ''), f.status])).toEqual([
      ['x-revoked.json', 'revoked'],
      ['y-tampered.jwt', 'invalid'],
      ['z-garbage.jwt', 'invalid'],
    ]);
    expect(failures[2]?.reason).toMatch(/dot-separated parts/);

    const lines = [...batch.map((r) => JSON.stringify({ token: r.token })), revoked.token, tampered(genuine.token), '{"token": 42}'].join('\n');
    await writeFile(join(dir, 'batch.jsonl'), `${lines}\n`);
    const human = await runDccHere(['verify', join(dir, 'batch.jsonl'), '--jwks', jwksFile, '--online']);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('Verified 53 certificates: 50 valid, 1 revoked, 2 invalid.');
    expect(human.stdout).toMatch(/^REVOKED .*batch\.jsonl:51: Revoked: bit/m);
    expect(human.stdout).toMatch(/^INVALID .*batch\.jsonl:52: The signature does not verify/m);
    expect(human.stdout).toMatch(/^INVALID .*batch\.jsonl:53: The input is a JSON object without a string "token"/m);
    // Not a terminal: no progress bar on stderr.
    expect(human.stderr).toBe('');
  });

  it('exits 0 for a batch in which every certificate is valid', async () => {
    const one = await issueDirect('CLI-ALL-GOOD-1');
    const run = await runDccHere(['verify', '-', '--jwks', jwksFile, '--online', '--json'], { stdin: `${genuine.token}\n${one.token}\n` });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ summary: { total: 2, valid: 2, failed: 0 } });
  });
});

describe('dcc verify, a batch large enough for worker threads', () => {
  it(`gives the same report and exit code on ${WORKER_THRESHOLD + 3} items as one thread, run as users run it`, async () => {
    const lines = [
      ...Array.from({ length: WORKER_THRESHOLD }, (_, i) => (i === 777 ? tampered(genuine.token) : genuine.token)),
      revoked.token,
      'not a certificate',
      genuine.token,
    ];
    const file = join(dir, 'large.jsonl');
    await writeFile(file, `${lines.join('\n')}\n`);
    const args = ['verify', file, '--jwks', jwksFile, '--online', '--json'];
    // DCC_VERIFY_THREADS=2 forces workers even on a one-core machine; 1 keeps the batch on the main thread.
    const [threaded, single] = await Promise.all([
      runDcc(args, { env: { DCC_VERIFY_THREADS: '2' } }),
      runDcc(args, { env: { DCC_VERIFY_THREADS: '1' } }),
    ]);
    // A worker that fails before the batch is done says so on stderr (and the batch falls back);
    // verify-workers.test.ts proves the workers' own verdicts with every chunk left to them.
    expect(threaded.stderr).toBe('');
    expect(threaded.code).toBe(1);
    expect(threaded.stdout).toBe(single.stdout);
    expect(single.code).toBe(1);
    const report = JSON.parse(threaded.stdout) as { summary: unknown; results: { source: string; status: string }[] };
    // Written a piece at a time, the report is still exactly what one JSON.stringify writes.
    expect(threaded.stdout).toBe(`${JSON.stringify(report, null, 2)}\n`);
    expect(report.summary).toEqual({
      total: WORKER_THRESHOLD + 3,
      valid: WORKER_THRESHOLD,
      failed: 3,
      byStatus: { active: WORKER_THRESHOLD, revoked: 1, expired: 0, 'not-yet-valid': 0, 'status-unknown': 0, invalid: 2 },
    });
    expect(report.results.filter((r) => r.status !== 'active').map((r) => [r.source.replace(`${file}:`, ''), r.status])).toEqual([
      ['778', 'invalid'],
      [String(WORKER_THRESHOLD + 1), 'revoked'],
      [String(WORKER_THRESHOLD + 2), 'invalid'],
    ]);
  }, 60_000);
});

describe('dcc inspect', () => {
  it('prints the certificate like an invoice without claiming validity', async () => {
    const run = await runDccHere(['inspect', join(dir, 'genuine.jwt')]);
    expect(run.code).toBe(0);
    const no = genuine.certificateNo.replace(/(\d{4})(?=\d)/g, '$1 ');
    expect(run.stdout).toContain(`DATA COMPLIANCE CERTIFICATE  No. ${no}`);
    expect(run.stdout).toMatch(/Provider\s+Alibaba \(China\) Co\., Ltd\.\n\s+USCC\s+91330100799655058B/);
    expect(run.stdout).toMatch(/Consumer\s+Tencent Technology \(Shenzhen\) Co\., Ltd\.\n\s+USCC\s+91440300708461136T/);
    expect(run.stdout).toMatch(/Amount\s+120,000\.00 CNY/);
    expect(run.stdout).toMatch(/PASS\s+Lawful source \(source-legality\)/);
    expect(run.stdout).toMatch(/Status list\s+http:\/\/127\.0\.0\.1:\d+\/v1\/status-lists\/\d+/);
    expect(run.stdout).toContain('Verdict: NOT CHECKED');
    expect(run.stdout).not.toMatch(/VALID/);
  });

  it('judges validity with --jwks: valid (0), tampered refused (1)', async () => {
    const good = await runDccHere(['inspect', join(dir, 'genuine.jwt'), '--jwks', jwksFile]);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('Verdict: VALID');
    const bad = await runDccHere(['inspect', join(dir, 'tampered.jwt'), '--jwks', jwksFile, '--json']);
    expect(bad.code).toBe(1);
    const parsed = JSON.parse(bad.stdout) as { certificate: { credentialSubject: { transaction: { amount: { value: string } } } }; verification: { status: string } };
    expect(parsed.certificate.credentialSubject.transaction.amount.value).toBe('1.00');
    expect(parsed.verification.status).toBe('invalid');
  });
});
