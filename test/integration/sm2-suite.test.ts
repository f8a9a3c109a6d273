import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalService, SM2_SIGNING_KEY_FILE, startLocalService } from '#local/local-service.ts';
import { Sm2PrivateKey } from '#shared/crypto/sm2.ts';
import { checkRevocationStatus } from '#shared/domain/status-list-check.ts';
import { readJwks } from '#shared/crypto/webcrypto-jws.ts';
import { runDcc, runDccHere } from '../cli/support/run-dcc.ts';
import { issueThroughService } from '../support/local-issue.ts';

/**
 * Local mode with `DCC_SIGNATURE_SUITE=sm2` (an SM2 key file standing in for a KMS `SM2` key),
 * through HTTP against DynamoDB Local: the certificate it issues is an `alg: SM2` compact JWS
 * that `POST /v1/verify`, `dcc verify` (offline and online) and the signed status list all check.
 */

let dataDir: string;
let service: LocalService | undefined;
const log = { info: () => undefined, error: () => undefined };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dcc-sm2-suite-'));
  service = await startLocalService({ dataDir, port: 0, log, accessLog: false, settings: { DCC_SIGNATURE_SUITE: 'sm2' } });
});

afterAll(async () => {
  await service?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function running(): LocalService {
  if (!service) throw new Error('the service did not start');
  return service;
}

const issue = (transactionRef: string) => issueThroughService(running(), transactionRef);

describe('local mode with DCC_SIGNATURE_SUITE=sm2', () => {
  it('signs with the SM2 key file and publishes {kty: EC, crv: SM2} in the JWKS', async () => {
    const s = running();
    expect(s.environment['DCC_SIGNATURE_SUITE']).toBe('sm2');
    expect(s.environment['DCC_LOCAL_KEY_FILE']).toBe(join(s.dataDir, SM2_SIGNING_KEY_FILE));
    const pem = await readFile(join(s.dataDir, SM2_SIGNING_KEY_FILE), 'utf8');
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const key = Sm2PrivateKey.fromPkcs8(der);
    const jwks = (await (await fetch(`${s.url}/.well-known/jwks.json`)).json()) as { keys: Record<string, string>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'SM2', alg: 'SM2', use: 'sig', x: Buffer.from(key.publicKey.x).toString('base64url') });
  });

  it('issues an alg SM2 certificate that POST /v1/verify, dcc verify offline and online, and its status list verify', async () => {
    const s = running();
    const record = await issue('SM2-IT-0001');
    const header = JSON.parse(Buffer.from(record.token.split('.')[0]!, 'base64url').toString()) as Record<string, string>;
    expect(header['alg']).toBe('SM2');

    const verified = await fetch(`${s.url}/v1/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await s.devClients.token({ role: 'auditor' })}`, 'content-type': 'application/json' },
      body: JSON.stringify({ token: record.token }),
    });
    expect(verified.status).toBe(200);
    expect(await verified.json()).toMatchObject({ verified: true, status: 'active' });

    const jwksFile = join(dataDir, 'jwks.json');
    await writeFile(jwksFile, await (await fetch(`${s.url}/.well-known/jwks.json`)).text());
    const tokenFile = join(dataDir, 'sm2.jwt');
    await writeFile(tokenFile, record.token);
    const offline = await runDccHere(['verify', tokenFile, '--jwks', jwksFile]);
    expect(offline.code, offline.stderr).toBe(0);
    // The executable itself, online: the status list is fetched, its SM2 signature checked, the bit read.
    const online = await runDcc(['verify', '-', '--jwks', `${s.url}/.well-known/jwks.json`, '--online', '--json'], { stdin: record.token });
    expect(online.code, online.stderr).toBe(0);
    expect(online.stdout).toContain('"status": "active"');

    const list = await (await fetch(record.statusListCredential)).text();
    expect(JSON.parse(Buffer.from(list.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'SM2' });
    const keys = await readJwks(JSON.parse(await readFile(jwksFile, 'utf8')));
    const payload = JSON.parse(Buffer.from(record.token.split('.')[1]!, 'base64url').toString()) as {
      issuer: string;
      credentialStatus: { statusListCredential: string; statusListIndex: string; statusPurpose: string };
    };
    const status = await checkRevocationStatus(payload.credentialStatus, payload.issuer, keys, async (url) => (await fetch(url)).text(), new Date());
    expect(status).toMatchObject({ ok: true, revoked: false });
  });

  it('a revocation shows through the SM2-signed status list in dcc verify --online', async () => {
    const s = running();
    const record = await issue('SM2-IT-0002');
    const revoked = await fetch(`${s.url}/v1/certificates/${record.id}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await s.devClients.token({ role: 'admin' })}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'issued-in-error' }),
    });
    expect(revoked.status, await revoked.clone().text()).toBe(200);
    const online = await runDccHere(['verify', '-', '--jwks', `${s.url}/.well-known/jwks.json`, '--online', '--json'], { stdin: record.token });
    expect(online.stdout).toContain('"status": "revoked"');
  });
});
