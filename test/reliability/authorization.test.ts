import { createHmac, createPrivateKey, type KeyObject, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '#local/local-service.ts';
import type { AccessTokenJwk } from '#shared/domain/access-token.ts';
import { ACCESS_TOKEN_AUDIENCE } from '#shared/domain/oauth.ts';
import { routeKey, routes } from '#shared/http/routes.ts';
import { validIssueRequest } from '../fixtures/issue-request.ts';
import { liveIssueRequest, plainDynamoDb, scanTable } from './support/harness.ts';
import { checkTable } from './support/table-invariants.ts';

/**
 * Deeper than the functional authorization matrix (test/integration/api-guards.test.ts, which
 * covers none, malformed, expired, wrong issuer, foreign key, each role, another, suspended and
 * unregistered exchanges): token forgeries aimed at the local JWT authorizer itself, over every
 * route of the routes table through real HTTP, and exchange isolation on the write paths.
 */

let dataDir: string;
let service: LocalService | undefined;
let tokenKey: KeyObject;
let tokenJwk: AccessTokenJwk;
const OTHER = 'other-exchange-auth';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dcc-authz-'));
  service = await startLocalService({ dataDir, port: 0, accessLog: false, log: { info: () => undefined, error: () => undefined } });
  await service.devClients.registerExchange(OTHER, { name: 'Other Exchange' });
  // The service's own access-token key: forgeries below are well signed, and wrong otherwise.
  tokenKey = createPrivateKey(await readFile(service.accessTokenKeyFile, 'utf8'));
  tokenJwk = await (await service.app.authorizationServer.signer()).publicJwk();
}, 180_000);

afterAll(async () => {
  await service?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const s = () => service as LocalService;
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Claims of an admin-and-exchange token that the authorizer would accept, before tampering. */
function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: s().url,
    aud: ACCESS_TOKEN_AUDIENCE,
    sub: 'demo-exchange',
    client_id: 'demo-exchange',
    scope: 'dcc/issue dcc/read dcc/revoke',
    iat: now - 60,
    exp: now + 3600,
    jti: randomUUID(),
    ...extra,
  };
}

async function signed(payload: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: tokenJwk.kid, typ: 'at+jwt', ...header }).sign(tokenKey);
}

/** Authorization header values the authorizer must refuse, each with why. */
async function forgedAuthorizations(): Promise<[string, string][]> {
  const good = await signed(claims());
  const [h, p, sig] = good.split('.') as [string, string, string];
  const jwk = tokenJwk;
  const hs256 = (secret: string) => {
    const input = `${b64({ alg: 'HS256', kid: tokenJwk.kid })}.${p}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  };
  const noExp = claims();
  delete noExp['exp'];
  return [
    ['no aud (a client_id is no audience of this authorizer)', `Bearer ${await signed(claims({ aud: undefined }))}`],
    ['an aud that is not ours (aud decides over client_id)', `Bearer ${await signed(claims({ aud: 'https://elsewhere.example' }))}`],
    ['alg none', `Bearer ${b64({ alg: 'none' })}.${p}.`],
    ['HS256 keyed with the public JWK', `Bearer ${hs256(JSON.stringify(jwk))}`],
    ['no exp', `Bearer ${await signed(noExp)}`],
    ['nbf in the future', `Bearer ${await signed(claims({ nbf: Math.floor(Date.now() / 1000) + 3600 }))}`],
    ['scope widened, signature kept', `Bearer ${h}.${b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), scope: 'dcc/issue dcc/read dcc/revoke admin' })}.${sig}`],
    ['signature of another token', `Bearer ${h}.${p}.${(await signed(claims())).split('.')[2]}`],
    ['a kid that names no key', `Bearer ${await signed(claims(), { kid: 'not-a-key' })}`],
    ['the token twice (two Authorization headers joined)', `Bearer ${good}, Bearer ${good}`],
    ['Basic credentials', `Basic ${Buffer.from('admin:admin').toString('base64')}`],
    ['a bearer with nothing after it', 'Bearer '],
    ['a huge header', `Bearer ${'a'.repeat(16_000)}`],
  ];
}

function pathOf(path: string): string {
  return path.replace(/\{id\}/g, '01a21ef8-0000-7000-8000-000000000000').replace(/\{listId\}/g, '0').replace(/\{proxy\+\}/g, '0/000');
}

async function send(route: (typeof routes)[number], authorization: string | null): Promise<Response> {
  return fetch(`${s().url}${pathOf(route.path)}`, {
    method: route.method,
    headers: { ...(authorization ? { authorization } : {}), ...(route.method === 'POST' ? { 'content-type': 'application/json' } : {}) },
    ...(route.method === 'POST' ? { body: '{}' } : {}),
  });
}

describe('forged tokens on every route of the routes table', () => {
  it('a sanity token passes the authorizer, so the forgeries below fail for their own flaw', async () => {
    const route = routes.find((r) => r.handler === 'get-certificate');
    expect(route).toBeDefined();
    const r = await send(route as (typeof routes)[number], `Bearer ${await signed(claims())}`);
    expect(r.status).toBe(404);
  });

  it.each(routes.map((r) => [routeKey(r), r] as const))('%s: every forgery is 401 on a protected route, ignored on a public one', async (_key, route) => {
    const anonymous = await send(route, null);
    for (const [why, authorization] of await forgedAuthorizations()) {
      const r = await send(route, authorization);
      if (route.auth === 'public') {
        expect(r.status, `${why}: a public route does not look at the token`).toBe(anonymous.status);
        continue;
      }
      expect(r.status, `${why}: ${await r.clone().text()}`).toBe(401);
      expect(r.headers.get('content-type'), why).toBe('application/problem+json');
      expect(((await r.json()) as { code: string }).code, why).toBe('unauthorized');
      expect(r.headers.get('www-authenticate'), why).toMatch(/^Bearer/);
    }
  }, 60_000);
});

describe('exchange isolation on the write paths', () => {
  it('the exchange comes from the token: another exchange cannot claim, read or supersede a certificate, and the same transactionRef is its own', async () => {
    const mine = await s().devClients.token({ role: 'exchange' });
    const theirs = await s().devClients.token({ role: 'exchange', exchangeId: OTHER });
    const post = (token: string, body: unknown) =>
      fetch(`${s().url}/v1/certificates`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const body = liveIssueRequest(validIssueRequest(), 'AUTHZ-SHARED-REF');
    const a = await post(mine, body);
    expect(a.status).toBe(201);
    const aRecord = (await a.json()) as { id: string };

    // Naming an exchange in the body is refused, never obeyed.
    const claimed = await post(theirs, { ...body, exchange: 'demo-exchange' });
    expect(claimed.status).toBe(400);

    // The same transactionRef from another exchange is another transaction.
    const b = await post(theirs, body);
    expect(b.status).toBe(201);
    expect(((await b.json()) as { id: string }).id).not.toBe(aRecord.id);

    // Superseding another exchange's certificate is refused and changes nothing.
    const correction = await post(theirs, { ...liveIssueRequest(validIssueRequest(), 'AUTHZ-CORRECTION'), supersedes: aRecord.id });
    expect(correction.status).toBe(409);
    expect(await correction.json()).toMatchObject({ code: 'supersede-target-invalid' });

    // Nor can it read or find it.
    const read = await fetch(`${s().url}/v1/certificates/${aRecord.id}`, { headers: { authorization: `Bearer ${theirs}` } });
    expect(read.status).toBe(404);

    const report = checkTable(await scanTable(plainDynamoDb(s().dynamoDb.endpoint), s().tableName));
    expect(report.violations).toEqual([]);
    expect(report.certificates.find((c) => c['id'] === aRecord.id)?.['status']).toBe('active');
    expect(report.byTransaction.get(`${OTHER}#AUTHZ-CORRECTION`)).toBeUndefined();
    expect(report.byTransaction.get(`demo-exchange#AUTHZ-SHARED-REF`)).toHaveLength(1);
    expect(report.byTransaction.get(`${OTHER}#AUTHZ-SHARED-REF`)).toHaveLength(1);
  }, 60_000);
});
