import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { type JWK, SignJWT, createLocalJWKSet, decodeJwt, exportJWK, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAssertion, openDevClientKey, tokenRequestBody } from '#local/dev-clients.ts';
import { jwkThumbprint } from '#shared/crypto/jwk-thumbprint.ts';
import { ACCESS_TOKEN_AUDIENCE, type DiscoveryDocument, MAX_ASSERTION_BYTES } from '#shared/domain/oauth.ts';
import { validIssueRequest } from '../fixtures/issue-request.ts';
import { type LocalApi, startLocalApi } from '../support/api-client.ts';

/**
 * The authorization server through HTTP against DynamoDB Local: discovery and JWKS as API
 * Gateway's authorizer reads them, the token endpoint's refusals (nothing written) and replay
 * protection under concurrency, and 1,000 exchanges registered through the admin route, each
 * then able to get a token that works on a protected route, with no change but table items.
 */

const EXCHANGES = 1000;
let local: LocalApi;
let admin: string;

const form = { 'content-type': 'application/x-www-form-urlencoded' };

beforeAll(async () => {
  local = await startLocalApi('oauth-clients');
  admin = await local.service.devClients.token({ role: 'admin' });
}, 180_000);

afterAll(async () => {
  await local?.stop();
});

/** Every item of a kind in the table (an independent count: the service never scans). */
async function countItems(prefix: string): Promise<number> {
  let count = 0;
  let start: Record<string, never> | undefined;
  do {
    const page = await local.dynamodb.send(
      new ScanCommand({
        TableName: local.service.tableName,
        FilterExpression: 'begins_with(pk, :p)',
        ExpressionAttributeValues: { ':p': { S: prefix } },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  return count;
}

async function newKey(): Promise<{ privateKey: ReturnType<typeof generateKeyPairSync>['privateKey']; jwk: JWK & { kid: string } }> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = (await exportJWK(publicKey)) as JWK;
  return { privateKey, jwk: { ...jwk, kid: jwkThumbprint(jwk), alg: 'ES256' } };
}

async function assertionFor(clientId: string, key: Awaited<ReturnType<typeof newKey>>, claims: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: clientId, sub: clientId, aud: `${local.service.url}/oauth2/token`, iat: now, exp: now + 60, jti: randomUUID(), ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: key.jwk.kid })
    .sign(key.privateKey);
}

async function token(assertion: string): Promise<{ status: number; json: Record<string, string>; headers: Headers }> {
  const r = await local.api.post('/oauth2/token', { body: tokenRequestBody(assertion), headers: form });
  return { status: r.status, json: r.json(), headers: r.headers };
}

function issueRequest(transactionRef: string) {
  const day = 86_400_000;
  const now = Date.now();
  const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const request = validIssueRequest();
  request.transactionRef = transactionRef;
  request.tradedAt = iso(now - 3_600_000);
  request.compliance.assessedAt = iso(now - 2 * day);
  request.usage.validFrom = iso(now + day);
  request.usage.validUntil = iso(now + 300 * day);
  return request;
}

describe('discovery, as API Gateway\'s JWT authorizer reads it', () => {
  it('names this service as issuer, its token endpoint and a JWKS of RSA keys', async () => {
    const r = await local.api.get('/.well-known/openid-configuration');
    expect(r.status).toBe(200);
    const doc = r.json<DiscoveryDocument>();
    const issuer = local.service.url;
    expect(doc).toMatchObject({
      issuer,
      token_endpoint: `${issuer}/oauth2/token`,
      jwks_uri: `${issuer}/oauth2/jwks.json`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['ES256', 'RS256', 'EdDSA'],
      scopes_supported: ['dcc/issue', 'dcc/read', 'dcc/revoke'],
    });
    const jwks = await local.api.get(new URL(doc.jwks_uri).pathname);
    expect(jwks.headers.get('content-type')).toBe('application/jwk-set+json');
    const { keys } = jwks.json<{ keys: Record<string, string>[] }>();
    expect(keys).toHaveLength(1);
    expect(Object.keys(keys[0] as object).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    // The access token verifies against exactly what discovery points at.
    await jwtVerify(admin, createLocalJWKSet({ keys }), { issuer, audience: ACCESS_TOKEN_AUDIENCE, algorithms: ['RS256'] });
    // Distinct from the certificate keys.
    const certificateKeys = (await local.api.get('/.well-known/jwks.json')).json<{ keys: { kid: string }[] }>().keys;
    expect(certificateKeys.map((k) => k.kid)).not.toContain(keys[0]?.['kid']);
  });
});

describe('the token endpoint over HTTP', () => {
  it('answers a good request with a no-store Bearer token', async () => {
    const key = await openDevClientKey(local.service.dataDir, 'demo-exchange');
    const r = await token(await clientAssertion(key, 'demo-exchange', local.service.url));
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.json).toMatchObject({ token_type: 'Bearer', scope: 'dcc/issue', expires_in: 43_200 });
    expect(decodeJwt(r.json['access_token'] as string)).toMatchObject({ client_id: 'demo-exchange', sub: 'demo-exchange', aud: ACCESS_TOKEN_AUDIENCE });
  });

  it('refuses bad requests with RFC 6749 errors and writes nothing', async () => {
    const before = await countItems('JTI#');
    const key = await openDevClientKey(local.service.dataDir, 'demo-exchange');
    const stranger = await newKey();
    const good = () => clientAssertion(key, 'demo-exchange', local.service.url);
    const oversized = await assertionFor('demo-exchange', stranger, { pad: 'x'.repeat(MAX_ASSERTION_BYTES) });
    const cases: [string, () => Promise<{ status: number; json: Record<string, string>; headers: Headers }>, number, string][] = [
      ['wrong key', async () => token(await assertionFor('demo-exchange', stranger)), 401, 'invalid_client'],
      ['unknown client', async () => token(await assertionFor('nobody-here', stranger)), 401, 'invalid_client'],
      ['oversized assertion', async () => token(oversized), 401, 'invalid_client'],
      ['JSON instead of a form', async () => {
        const r = await local.api.post('/oauth2/token', { json: { grant_type: 'client_credentials' } });
        return { status: r.status, json: r.json(), headers: r.headers };
      }, 400, 'invalid_request'],
      ['a field twice', async () => {
        const r = await local.api.post('/oauth2/token', { body: `${tokenRequestBody(await good())}&grant_type=client_credentials`, headers: form });
        return { status: r.status, json: r.json(), headers: r.headers };
      }, 400, 'invalid_request'],
      ['an unknown scope', async () => {
        const r = await local.api.post('/oauth2/token', { body: tokenRequestBody(await good(), 'dcc/everything'), headers: form });
        return { status: r.status, json: r.json(), headers: r.headers };
      }, 400, 'invalid_scope'],
    ];
    for (const [why, send, status, error] of cases) {
      const r = await send();
      expect(r.status, why).toBe(status);
      expect(r.json['error'], why).toBe(error);
      expect(typeof r.json['error_description'], why).toBe('string');
      expect(r.headers.get('cache-control'), why).toBe('no-store');
      if (status === 401) expect(r.headers.get('www-authenticate'), why).toMatch(/invalid_client/);
    }
    expect(await countItems('JTI#')).toBe(before);
  });

  it('accepts a jti once, even from 12 parallel requests', async () => {
    const key = await openDevClientKey(local.service.dataDir, 'demo-exchange');
    const before = await countItems('JTI#');
    const assertion = await clientAssertion(key, 'demo-exchange', local.service.url);
    const results = await Promise.all(Array.from({ length: 12 }, () => token(assertion)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const refused = results.filter((r) => r.status === 401);
    expect(refused).toHaveLength(11);
    for (const r of refused) expect(r.json).toMatchObject({ error: 'invalid_client', error_description: expect.stringMatching(/replayed/) });
    expect(await countItems('JTI#')).toBe(before + 1);
  });
});

describe('registration through the admin routes', () => {
  it('validates the JWKS and the ids, and admits admins only', async () => {
    const key = await newKey();
    const put = (path: string, body: unknown, bearer = admin) => local.api.request('PUT', path, { json: body, token: bearer });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const privateJwk = { ...(await exportJWK(privateKey)), kid: 'p1' };
    expect((await put('/v1/exchanges/bad-jwks', { name: 'X', jwks: { keys: [privateJwk] } })).status).toBe(400);
    expect((await put('/v1/exchanges/bad-jwks', { name: 'X', jwks: { keys: [key.jwk, key.jwk] } })).status).toBe(400);
    expect((await put('/v1/exchanges/bad-jwks', { name: 'X', jwks: { keys: Array.from({ length: 6 }, (_, i) => ({ ...key.jwk, kid: `k${i}` })) } })).status).toBe(400);
    expect((await put('/v1/exchanges/Not_An_Id', { name: 'X', jwks: { keys: [key.jwk] } })).status).toBe(400);
    expect((await put('/v1/clients/no-dot-here', { role: 'auditor', name: 'X', jwks: { keys: [key.jwk] } })).status).toBe(400);
    const exchangeToken = await local.service.devClients.token({ role: 'exchange' });
    expect((await put('/v1/exchanges/sneaky', { name: 'X', jwks: { keys: [key.jwk] } }, exchangeToken)).status).toBe(403);
    expect((await local.api.get('/v1/exchanges/demo-exchange', { token: exchangeToken })).status).toBe(403);
    expect((await local.api.get('/v1/exchanges/never-registered', { token: admin })).status).toBe(404);
  });

  it('registers an auditor client whose token reads; suspending an exchange stops its tokens', async () => {
    const key = await newKey();
    const created = await local.api.request('PUT', '/v1/clients/auditor.hz', { json: { role: 'auditor', name: 'Auditor', jwks: { keys: [key.jwk] } }, token: admin });
    expect(created.status, created.text).toBe(201);
    expect(created.json()).toMatchObject({ clientId: 'auditor.hz', role: 'auditor', scope: 'dcc/read', status: 'active' });
    const auditor = await token(await assertionFor('auditor.hz', key));
    expect(auditor.json['scope']).toBe('dcc/read');
    // Past the authorizer and the role check: what is left is the (missing) certificate.
    const read = await local.api.get(`/v1/certificates/${randomUUID()}`, { token: auditor.json['access_token'] });
    expect([400, 404], read.text).toContain(read.status);
    const denied = await local.api.post(`/v1/certificates/${randomUUID()}/revoke`, { json: { reason: 'issued-in-error' }, token: auditor.json['access_token'] });
    expect(denied.status).toBe(403);

    const exchangeKey = await newKey();
    const body = { name: 'Soon Suspended', jwks: { keys: [exchangeKey.jwk] } };
    expect((await local.api.request('PUT', '/v1/exchanges/soon-suspended', { json: body, token: admin })).status).toBe(201);
    const before = await token(await assertionFor('soon-suspended', exchangeKey));
    expect(before.status).toBe(200);
    const suspended = await local.api.request('PUT', '/v1/exchanges/soon-suspended', { json: { ...body, status: 'suspended' }, token: admin });
    expect(suspended.status).toBe(200);
    expect((await token(await assertionFor('soon-suspended', exchangeKey))).json).toMatchObject({ error: 'invalid_client' });
    const refused = await local.api.get('/v1/certificates?transactionRef=x', { token: before.json['access_token'] });
    expect(refused.status).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'exchange-suspended' });
  });

  it(`registers ${EXCHANGES} exchanges through PUT /v1/exchanges/{id}; the first, the last and a sample each get a working token`, async () => {
    const ids = Array.from({ length: EXCHANGES }, (_, i) => `bulk-${String(i).padStart(4, '0')}`);
    const keys = new Map<string, Awaited<ReturnType<typeof newKey>>>();
    // One key shared by most of them keeps key generation out of the time; the sample gets its own.
    const shared = await newKey();
    const sample = [ids[0], ids[EXCHANGES - 1], ...Array.from({ length: 18 }, (_, i) => ids[Math.floor(((i + 1) * EXCHANGES) / 20)])] as string[];
    for (const id of sample) keys.set(id, await newKey());
    let next = 0;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = next++; i < ids.length; i = next++) {
          const id = ids[i] as string;
          const key = keys.get(id) ?? shared;
          const r = await local.api.request('PUT', `/v1/exchanges/${id}`, { json: { name: `Exchange ${i}`, jwks: { keys: [key.jwk] } }, token: admin });
          statuses.push(r.status);
        }
      }),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(EXCHANGES);
    expect(await countItems('EXCHANGE#bulk-')).toBe(EXCHANGES);
    expect((await local.api.get(`/v1/exchanges/${ids[0]}`, { token: admin })).json()).toMatchObject({ exchangeId: ids[0], clientId: ids[0], role: 'exchange', scope: 'dcc/issue' });

    for (const id of sample) {
      const r = await token(await assertionFor(id, keys.get(id) as Awaited<ReturnType<typeof newKey>>));
      expect(r.status, id).toBe(200);
      const read = await local.api.get('/v1/certificates?transactionRef=none-yet', { token: r.json['access_token'] });
      expect(read.status, `${id}: ${read.text}`).toBe(200);
    }
    // The last one issues a certificate in its own name.
    const last = ids[EXCHANGES - 1] as string;
    const lastToken = (await token(await assertionFor(last, keys.get(last) as Awaited<ReturnType<typeof newKey>>))).json['access_token'];
    const issued = await local.api.post('/v1/certificates', { json: issueRequest(`TX-${randomUUID()}`), token: lastToken });
    expect(issued.status, issued.text).toBe(201);
    const credential = decodeJwt(issued.json<{ token: string }>().token) as { credentialSubject: { transaction: { exchange: { id: string } } } };
    expect(credential.credentialSubject.transaction.exchange.id).toBe(last);
  }, 600_000);
});
