import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '#local/local-service.ts';
import { SdJwtResponseSchema, VerificationResultSchema } from '#shared/domain/schemas/api-responses.ts';
import { presentCertificate } from '#shared/domain/sd-jwt/certificate-sd-jwt.ts';
import type { HolderPrivateJwk } from '#shared/domain/sd-jwt/sd-jwt.ts';
import { UNBOUND_HOLDER } from '#shared/ports/certificate-store.ts';
import { issueRequestNow } from '../cli/support/run-dcc.ts';
import { uniqueTransactionRef } from '../support/issue-requests.ts';

/**
 * `POST /v1/certificates/{id}/sd-jwt` and `POST /v1/verify` with presentations, through HTTP
 * against the local service on DynamoDB Local: only the issuing exchange obtains the form, asking
 * twice gives the same bytes, another exchange is answered as for a certificate it may not see and
 * writes nothing; presentations verify online, with their log inclusion and revocation.
 */

let dir: string;
let service: LocalService;
let exchangeToken: string;
let otherToken: string;
let adminToken: string;
let auditorToken: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dcc-sd-jwt-'));
  service = await startLocalService({ dataDir: join(dir, 'data'), port: 0, log: { info: () => undefined, error: () => undefined }, accessLog: false });
  exchangeToken = await service.devClients.token({ role: 'exchange' });
  await service.devClients.registerExchange('other-exchange');
  otherToken = await service.devClients.token({ role: 'exchange', exchangeId: 'other-exchange' });
  adminToken = await service.devClients.token({ role: 'admin' });
  auditorToken = await service.devClients.token({ role: 'auditor' });
});

afterAll(async () => {
  await service?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, token: string | null, body?: unknown, raw?: string) {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

async function issue(): Promise<{ id: string; token: string }> {
  const response = await call('POST', '/v1/certificates', exchangeToken, issueRequestNow(uniqueTransactionRef('SD')));
  expect(response.status).toBe(201);
  return response.json as { id: string; token: string };
}

const verify = async (body: Record<string, unknown>, query = '') => {
  const response = await call('POST', `/v1/verify${query}`, null, body);
  expect(response.status).toBe(200);
  return VerificationResultSchema.parse(response.json);
};

function holderKey(): HolderPrivateJwk {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y!, d: jwk.d! };
}

describe('POST /v1/certificates/{id}/sd-jwt', () => {
  it('gives the issuing exchange the form (201, then 200 with the very same bytes), with or without a body', async () => {
    const { id } = await issue();
    const first = await call('POST', `/v1/certificates/${id}/sd-jwt`, exchangeToken);
    expect(first.status).toBe(201);
    const { sdJwt } = SdJwtResponseSchema.parse(first.json);
    expect(sdJwt.split('~')).toHaveLength(7);
    const second = await call('POST', `/v1/certificates/${id}/sd-jwt`, exchangeToken, {});
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
  });

  it('answers another exchange 404 exactly as for an unknown certificate, and writes nothing', async () => {
    const { id } = await issue();
    const other = await call('POST', `/v1/certificates/${id}/sd-jwt`, otherToken);
    const unknown = await call('POST', '/v1/certificates/01890a5d-ac96-774b-bcce-b302099a8057/sd-jwt', otherToken);
    expect([other.status, unknown.status]).toEqual([404, 404]);
    expect({ ...other.json, detail: null }).toEqual({ ...unknown.json, detail: null });
    await expect(service.app.stores.sdJwts.getSdJwt(id, UNBOUND_HOLDER)).resolves.toBeNull();
    // The issuing exchange's first request is still the one that signs.
    expect((await call('POST', `/v1/certificates/${id}/sd-jwt`, exchangeToken)).status).toBe(201);
  });

  it('admits exchanges only: an auditor or admin token is refused by scope', async () => {
    const { id } = await issue();
    expect((await call('POST', `/v1/certificates/${id}/sd-jwt`, auditorToken)).status).toBe(403);
    expect((await call('POST', `/v1/certificates/${id}/sd-jwt`, adminToken)).status).toBe(403);
    expect((await call('POST', `/v1/certificates/${id}/sd-jwt`, null)).status).toBe(401);
  });

  it('refuses a holder key that is not a public P-256 key (400), and a body that is not JSON (400)', async () => {
    const { id } = await issue();
    const { d: _d, ...pub } = holderKey();
    const withPrivate = await call('POST', `/v1/certificates/${id}/sd-jwt`, exchangeToken, { holderJwk: { ...pub, d: _d } });
    expect(withPrivate.status).toBe(400);
    expect((await call('POST', `/v1/certificates/${id}/sd-jwt`, exchangeToken, { holderJwk: { ...pub, y: pub.x } })).status).toBe(400);
    expect((await call('POST', `/v1/certificates/${id}/sd-jwt`, exchangeToken, undefined, '{')).status).toBe(415);
  });
});

describe('POST /v1/verify with presentations', () => {
  it('verifies a minimal presentation online, with the certificate\'s log inclusion, and says what stayed hidden', async () => {
    const { id } = await issue();
    const { sdJwt } = SdJwtResponseSchema.parse((await call('POST', `/v1/certificates/${id}/sd-jwt`, exchangeToken)).json);
    const minimal = await presentCertificate(sdJwt, { disclose: [] });
    let result = await verify({ token: minimal }, '?log=true');
    for (let i = 0; i < 50 && result.log?.issued === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100));
      result = await verify({ token: minimal }, '?log=true');
    }
    expect(result).toMatchObject({
      verified: true,
      status: 'active',
      presentation: { format: 'vc+sd-jwt', disclosed: [], hidden: ['amount', 'provider', 'consumer', 'dataProduct', 'purpose'], holderBound: false },
      log: { inclusionVerified: true },
    });
    expect(result.certificate).toBeUndefined();
    expect(result.presentation!.claims.credentialSubject.provider).toBeUndefined();
  });

  it('verifies a holder-bound presentation for the expected aud and nonce only', async () => {
    const { id } = await issue();
    const holder = holderKey();
    const { d: _d, ...holderJwk } = holder;
    const { sdJwt } = SdJwtResponseSchema.parse((await call('POST', `/v1/certificates/${id}/sd-jwt`, exchangeToken, { holderJwk })).json);
    const presented = await presentCertificate(sdJwt, { disclose: ['amount'], keyBinding: { privateJwk: holder, aud: 'https://bank.example', nonce: 'n-42', iat: new Date() } });
    expect(await verify({ token: presented, aud: 'https://bank.example', nonce: 'n-42' })).toMatchObject({ verified: true, presentation: { holderBound: true, disclosed: ['amount'] } });
    const wrong = await verify({ token: presented, aud: 'https://bank.example', nonce: 'n-43' });
    expect(wrong).toMatchObject({ verified: false, status: 'invalid' });
    expect(wrong.checks.at(-1)).toMatchObject({ name: 'key-binding', ok: false });
    expect((await call('POST', '/v1/verify', null, { token: presented, aud: 'https://bank.example' })).status).toBe(400);
  });

  it('reports every form revoked once the certificate is revoked', async () => {
    const { id, token } = await issue();
    const { sdJwt } = SdJwtResponseSchema.parse((await call('POST', `/v1/certificates/${id}/sd-jwt`, exchangeToken)).json);
    const presented = await presentCertificate(sdJwt, { disclose: ['provider'] });
    expect((await call('POST', `/v1/certificates/${id}/revoke`, adminToken, { reason: 'data-breach' })).status).toBe(200);
    for (const form of [token, sdJwt, presented]) expect(await verify({ token: form })).toMatchObject({ verified: false, status: 'revoked' });
    // No new form for a revoked certificate; the one issued before is still returned as it was.
    const holder = holderKey();
    const { d: _d, ...holderJwk } = holder;
    expect((await call('POST', `/v1/certificates/${id}/sd-jwt`, exchangeToken, { holderJwk })).status).toBe(409);
    expect(SdJwtResponseSchema.parse((await call('POST', `/v1/certificates/${id}/sd-jwt`, exchangeToken)).json).sdJwt).toBe(sdJwt);
  });
});
