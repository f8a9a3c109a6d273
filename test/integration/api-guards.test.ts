import { createPrivateKey, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAssertion, openDevClientKey, tokenRequestBody } from '#local/dev-clients.ts';
import { certificateCheckValue } from '#shared/domain/compact-reference.ts';
import { ACCESS_TOKEN_AUDIENCE } from '#shared/domain/oauth.ts';
import {
  AuditTrailSchema,
  CertificateRecordSchema,
  ProblemDocumentSchema,
  TransactionLookupResponseSchema,
} from '#shared/domain/schemas/api-responses.ts';
import type { IssueRequest } from '#shared/domain/schemas/issue-request.ts';
import { type RouteHandlerName, routeKey, routes } from '#shared/http/routes.ts';
import { type ApiResponse, type LocalApi, scanCertificates, startLocalApi } from '../support/api-client.ts';
import { issueRequestAt } from '../support/issue-requests.ts';

/**
 * What the API refuses, through HTTP against the whole local service: the authorization matrix
 * (every route of the routes table × every kind of caller) and bad input of every kind, each
 * answered with a precise problem document and without writing anything.
 */

let local: LocalApi | undefined;
/** Certificates this file meant to write (each 201 it saw). */
let created = 0;

const OTHER = 'other-exchange';
const SUSPENDED = 'suspended-exchange';

const identities = [
  'none',
  'malformed',
  'expired',
  'wrong issuer',
  'foreign key',
  'exchange',
  'other exchange',
  'suspended exchange',
  'unregistered client',
  'auditor',
  'admin',
] as const;
type Identity = (typeof identities)[number];

/** An outcome: the status, and for refusals the problem code. */
type Outcome = '200' | '201' | '401' | `403 ${'insufficient-scope' | 'exchange-suspended' | 'exchange-not-registered'}` | '404';

const unauthenticated = { none: '401', malformed: '401', expired: '401', 'wrong issuer': '401', 'foreign key': '401' } as const;
const everyoneOk = Object.fromEntries(identities.map((i) => [i, '200'])) as Record<Identity, Outcome>;
const scope = '403 insufficient-scope';

/**
 * The expected outcome per route and caller. A protected route must have its row here (the
 * matrix fails for a protected route without one, so a new route cannot be left out); a public
 * route without a row is expected to answer every caller with 200.
 */
const explicit: Partial<Record<RouteHandlerName, Record<Identity, Outcome>>> = {
  'issue-certificate': {
    ...unauthenticated,
    exchange: '201',
    'other exchange': '201',
    'suspended exchange': '403 exchange-suspended',
    'unregistered client': '403 exchange-not-registered',
    auditor: scope,
    admin: scope,
  },
  'find-certificates': {
    ...unauthenticated,
    exchange: '200',
    'other exchange': '200',
    'suspended exchange': '403 exchange-suspended',
    'unregistered client': '403 exchange-not-registered',
    auditor: scope,
    admin: scope,
  },
  'get-certificate': {
    ...unauthenticated,
    exchange: '200',
    // An exchange cannot tell another exchange's certificate from a missing one.
    'other exchange': '404',
    'suspended exchange': '403 exchange-suspended',
    'unregistered client': '403 exchange-not-registered',
    auditor: '200',
    admin: '200',
  },
  'list-certificate-events': {
    ...unauthenticated,
    exchange: scope,
    'other exchange': scope,
    'suspended exchange': scope,
    'unregistered client': scope,
    auditor: '200',
    admin: '200',
  },
  'revoke-certificate': {
    ...unauthenticated,
    exchange: scope,
    'other exchange': scope,
    'suspended exchange': scope,
    'unregistered client': scope,
    auditor: scope,
    admin: '200',
  },
  'issue-sd-jwt': {
    ...unauthenticated,
    // The issuing exchange gets the form (created on this first request); another cannot tell its certificate from a missing one.
    exchange: '201',
    'other exchange': '404',
    'suspended exchange': '403 exchange-suspended',
    'unregistered client': '403 exchange-not-registered',
    auditor: scope,
    admin: scope,
  },
  'put-exchange': { ...unauthenticated, exchange: scope, 'other exchange': scope, 'suspended exchange': scope, 'unregistered client': scope, auditor: scope, admin: '200' },
  'get-exchange': { ...unauthenticated, exchange: scope, 'other exchange': scope, 'suspended exchange': scope, 'unregistered client': scope, auditor: scope, admin: '200' },
  'put-client': { ...unauthenticated, exchange: scope, 'other exchange': scope, 'suspended exchange': scope, 'unregistered client': scope, auditor: scope, admin: '200' },
  // Public routes answer whatever the Authorization header holds, as API Gateway does on a route without an authorizer.
  'verify-certificate': everyoneOk,
  'get-status-list': everyoneOk,
  'get-jwks': everyoneOk,
};

interface Fixture {
  /** Issued by the demo exchange; read by the matrix. */
  certificate: ReturnType<typeof CertificateRecordSchema.parse>;
  transactionRef: string;
  /** Issued by the demo exchange; revoked by the matrix's admin. */
  toRevoke: string;
  listId: string;
}
let fixture: Fixture | undefined;
const tokens = {} as Record<Identity, string | undefined>;

beforeAll(async () => {
  local = await startLocalApi('api-guards');
  const clients = local.service.devClients;
  await clients.registerExchange(OTHER, { name: 'Other Data Exchange' });
  await clients.registerExchange(SUSPENDED, { name: 'Suspended Data Exchange' });

  // Tokens the endpoint would never issue, signed with the service's own access-token key.
  const tokenKey = createPrivateKey(await readFile(local.service.accessTokenKeyFile, 'utf8'));
  const { kid } = await (await local.service.app.authorizationServer.signer()).publicJwk();
  const now = Math.floor(Date.now() / 1000);
  const forge = (key: KeyObject, claims: { iss?: string; client_id?: string; scope?: string; iat?: number; exp?: number }) =>
    new SignJWT({ client_id: claims.client_id ?? 'demo-exchange', scope: claims.scope ?? 'dcc/issue dcc/read dcc/revoke' })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
      .setIssuer(claims.iss ?? local?.service.url ?? '')
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setSubject(claims.client_id ?? 'demo-exchange')
      .setIssuedAt(claims.iat ?? now - 60)
      .setExpirationTime(claims.exp ?? now + 3600)
      .setJti(randomUUID())
      .sign(key);

  tokens.none = undefined;
  tokens.malformed = 'not-a-jwt';
  // Every scope, so only the expiry, issuer or key can be why it is refused.
  tokens.expired = await forge(tokenKey, { iat: now - 3600, exp: now - 3540 });
  tokens['wrong issuer'] = await forge(tokenKey, { iss: 'https://issuer.example.com' });
  tokens['foreign key'] = await forge(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, {});
  tokens.exchange = await clients.token({ role: 'exchange' });
  tokens['other exchange'] = await clients.token({ role: 'exchange', exchangeId: OTHER });
  tokens['suspended exchange'] = await clients.token({ role: 'exchange', exchangeId: SUSPENDED });
  // A token the authorizer admits (right issuer, key and audience), holding `dcc/issue`, of a client no exchange is registered for.
  tokens['unregistered client'] = await forge(tokenKey, { client_id: 'auditor.local', scope: 'dcc/issue' });
  tokens.auditor = await clients.token({ role: 'auditor' });
  tokens.admin = await clients.token({ role: 'admin' });
  // The registrations the matrix's admin replaces (200) and reads.
  await clients.registerExchange('matrix-exchange');
  const matrixKey = await openDevClientKey(local.service.dataDir, 'matrix.client');
  const registered = await running().api.request('PUT', '/v1/clients/matrix.client', { json: { role: 'auditor', name: 'Matrix', jwks: { keys: [matrixKey.jwk] } }, token: tokens.admin });
  expect(registered.status, registered.text).toBe(201);

  // The suspended exchange is admitted first (so it is registered and active), then suspended in the registry.
  const before = await issue(issueRequestAt(new Date()), tokens['suspended exchange']);
  expect(before.status, before.text).toBe(201);
  await running().service.app.stores.exchanges.putExchange({ id: SUSPENDED, name: 'Suspended Data Exchange', clientIds: [SUSPENDED], status: 'suspended' });

  const request = issueRequestAt(new Date());
  const first = await issue(request, tokens.exchange);
  expect(first.status, first.text).toBe(201);
  const certificate = CertificateRecordSchema.parse(first.json());
  const second = await issue(issueRequestAt(new Date()), tokens.exchange);
  expect(second.status, second.text).toBe(201);
  fixture = {
    certificate,
    transactionRef: request.transactionRef,
    toRevoke: CertificateRecordSchema.parse(second.json()).id,
    listId: certificate.statusListCredential.split('/').pop() as string,
  };
});

afterAll(async () => {
  await local?.stop();
});

function running(): LocalApi {
  if (!local) throw new Error('the local service did not start');
  return local;
}

function fixed(): Fixture {
  if (!fixture) throw new Error('the fixture was not set up');
  return fixture;
}

async function issue(request: IssueRequest | unknown, token: string | undefined): Promise<ApiResponse> {
  const r = await running().api.post('/v1/certificates', { ...(token ? { token } : {}), json: request });
  if (r.status === 201) created += 1;
  return r;
}

function expectProblem(r: ApiResponse, status: number, code: string) {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get('content-type')).toBe('application/problem+json');
  const doc = ProblemDocumentSchema.parse(r.json());
  expect(doc).toMatchObject({ status, code });
  return doc;
}

/**
 * One request per route, with a path and body that succeed for a caller the route admits. A
 * route without path parameters or body needs no entry: it is simply fetched.
 */
const requestFor: Partial<Record<RouteHandlerName, (token: string | undefined) => Promise<ApiResponse>>> = {
  'issue-certificate': (token) => issue(issueRequestAt(new Date()), token),
  'find-certificates': (token) =>
    running().api.get(`/v1/certificates?transactionRef=${encodeURIComponent(fixed().transactionRef)}`, token ? { token } : {}),
  'get-certificate': (token) => running().api.get(`/v1/certificates/${fixed().certificate.id}`, token ? { token } : {}),
  'list-certificate-events': (token) => running().api.get(`/v1/certificates/${fixed().certificate.id}/events`, token ? { token } : {}),
  'revoke-certificate': (token) =>
    running().api.post(`/v1/certificates/${fixed().toRevoke}/revoke`, { ...(token ? { token } : {}), json: { reason: 'issued-in-error' } }),
  'verify-certificate': (token) => running().api.post('/v1/verify', { ...(token ? { token } : {}), json: { token: fixed().certificate.token } }),
  'get-status-list': (token) => running().api.get(`/v1/status-lists/${fixed().listId}`, token ? { token } : {}),
  'get-jwks': (token) => running().api.get('/.well-known/jwks.json', token ? { token } : {}),
  'issue-sd-jwt': (token) => running().api.post(`/v1/certificates/${fixed().certificate.id}/sd-jwt`, token ? { token } : {}),
  'get-certificate-by-number': async (token) => {
    const check = await certificateCheckValue(fixed().certificate.token);
    return running().api.get(`/v1/certificate-numbers/${fixed().certificate.certificateNo}?check=${check}`, token ? { token } : {});
  },
  'get-vocabulary': (token) => running().api.get('/ns/data-compliance/v1.jsonld', token ? { token } : {}),
  // The token endpoint ignores the Authorization header: the demo exchange's assertion decides.
  'oauth-token': async (token) => {
    const key = await openDevClientKey(running().service.dataDir, 'demo-exchange');
    const body = tokenRequestBody(await clientAssertion(key, 'demo-exchange', running().service.url));
    return running().api.post('/oauth2/token', { body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  },
  'put-exchange': async (token) => {
    const key = await openDevClientKey(running().service.dataDir, 'matrix-exchange');
    return running().api.request('PUT', '/v1/exchanges/matrix-exchange', { ...(token ? { token } : {}), json: { name: 'Matrix Exchange', jwks: { keys: [key.jwk] } } });
  },
  'get-exchange': (token) => running().api.get('/v1/exchanges/matrix-exchange', token ? { token } : {}),
  'put-client': async (token) => {
    const key = await openDevClientKey(running().service.dataDir, 'matrix.client');
    return running().api.request('PUT', '/v1/clients/matrix.client', { ...(token ? { token } : {}), json: { role: 'auditor', name: 'Matrix', jwks: { keys: [key.jwk] } } });
  },
  // The log's routes answer once the in-process integrator has taken the fixture in (within seconds).
  'get-certificate-proof': (token) =>
    untilIntegrated(() => running().api.get(`/v1/certificates/${fixed().certificate.id}/proof`, token ? { token } : {})),
  'log-tile': (token) =>
    untilIntegrated(async () => {
      const size = Number((await running().api.get('/v1/log/checkpoint')).text.split('\n')[1]);
      return running().api.get(`/v1/log/tile/entries/000.p/${size}`, token ? { token } : {});
    }),
};

/** Retries a log read until it is not a 404, for at most ten seconds. */
async function untilIntegrated(send: () => Promise<ApiResponse>): Promise<ApiResponse> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await send();
    if (r.status !== 404 || Date.now() > deadline) return r;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

type Route = (typeof routes)[number];

function expectedFor(route: Route): Record<Identity, Outcome> {
  const row = explicit[route.handler];
  if (row) return row;
  if (route.auth === 'public') return everyoneOk;
  throw new Error(`The authorization matrix has no row for the protected route ${routeKey(route)}; add one.`);
}

function sendFor(route: Route): (token: string | undefined) => Promise<ApiResponse> {
  const send = requestFor[route.handler];
  if (send) return send;
  if (route.method === 'GET' && !route.path.includes('{')) {
    return (token) => running().api.get(route.path, token ? { token } : {});
  }
  throw new Error(`The authorization matrix has no request for ${routeKey(route)}; add one.`);
}

function outcomeOf(r: ApiResponse): string {
  if (r.status < 400 || r.status === 404 || r.status === 401) return String(r.status);
  return `${r.status} ${r.json<{ code?: string }>().code}`;
}

describe('the authorization matrix', () => {
  it('covers every route of the routes table, and only those', () => {
    const handlers: string[] = routes.map((r) => r.handler);
    for (const route of routes) {
      expect(() => expectedFor(route), routeKey(route)).not.toThrow();
      expect(() => sendFor(route), routeKey(route)).not.toThrow();
      expect(Object.keys(expectedFor(route)).sort()).toEqual([...identities].sort());
    }
    for (const handler of [...Object.keys(explicit), ...Object.keys(requestFor)]) expect(handlers).toContain(handler);
    // Every protected route is in the matrix by name, not by default.
    expect(Object.keys(explicit)).toEqual(expect.arrayContaining(routes.filter((r) => r.auth !== 'public').map((r) => r.handler)));
  });

  it('public routes in the table are exactly the ones every caller may use', () => {
    for (const route of routes) {
      const row = expectedFor(route);
      const open = identities.every((i) => row[i] === '200');
      expect({ route: routeKey(route), public: open }).toEqual({ route: routeKey(route), public: route.auth === 'public' });
    }
  });

  for (const route of routes) {
    it(`${routeKey(route)}`, async () => {
      const seen: Record<string, string> = {};
      for (const identity of identities) {
        const r = await sendFor(route)(tokens[identity]);
        seen[identity] = outcomeOf(r);
        if (r.status >= 400) {
          expect(r.headers.get('content-type'), `${identity}: ${r.text}`).toBe('application/problem+json');
          ProblemDocumentSchema.parse(r.json());
        }
        if (r.status === 401) expect(r.headers.get('www-authenticate'), identity).toMatch(/^Bearer/);
      }
      expect(seen).toEqual(expectedFor(route));
    });
  }

  it('shows what each admitted caller may see', async () => {
    const { certificate, transactionRef } = fixed();
    const api = running().api;
    const path = `/v1/certificates?transactionRef=${encodeURIComponent(transactionRef)}`;
    const own = TransactionLookupResponseSchema.parse((await api.get(path, { token: tokens.exchange })).json());
    expect(own.items.map((i) => i.id)).toEqual([certificate.id]);
    const foreign = TransactionLookupResponseSchema.parse((await api.get(path, { token: tokens['other exchange'] })).json());
    expect(foreign.items).toEqual([]);
    const read = CertificateRecordSchema.parse((await api.get(`/v1/certificates/${certificate.id}`, { token: tokens.exchange })).json());
    expect(read.token).toBe(certificate.token);
    const trail = AuditTrailSchema.parse((await api.get(`/v1/certificates/${certificate.id}/events`, { token: tokens.auditor })).json());
    expect(trail.events.map((e) => e.type)).toEqual(['issued']);
    // The matrix's one admitted revocation happened, once.
    const revoked = CertificateRecordSchema.parse((await api.get(`/v1/certificates/${fixed().toRevoke}`, { token: tokens.auditor })).json());
    expect(revoked).toMatchObject({ status: 'revoked', revocation: { reason: 'issued-in-error' } });
    const revokedTrail = AuditTrailSchema.parse((await api.get(`/v1/certificates/${fixed().toRevoke}/events`, { token: tokens.admin })).json());
    expect(revokedTrail.events.map((e) => e.type)).toEqual(['issued', 'revoked']);
  });
});

describe('bad input', () => {
  const post = (body: string | Buffer, headers: Record<string, string>) =>
    running().api.post('/v1/certificates', { token: tokens.exchange, body, headers });

  it('answers malformed JSON with 400 malformed-json', async () => {
    for (const body of ['{"transactionRef":', '{', 'null,', "{'a':1}", '{"a":1}}']) {
      expectProblem(await post(body, { 'content-type': 'application/json' }), 400, 'malformed-json');
    }
  });

  it('answers schema violations with 400 validation-failed and pointers at the fields', async () => {
    const cases: { what: string; change: (r: Record<string, unknown>) => void; pointers: string[] }[] = [
      { what: 'wrong type', change: (r) => ((r['amount'] as Record<string, unknown>)['value'] = 120000), pointers: ['/amount/value'] },
      { what: 'unknown top-level field', change: (r) => (r['exchangeId'] = 'someone-else'), pointers: ['/exchangeId'] },
      { what: 'unknown nested field', change: (r) => ((r['amount'] as Record<string, unknown>)['rate'] = '1'), pointers: ['/amount/rate'] },
      { what: 'missing field', change: (r) => delete r['provider'], pointers: ['/provider'] },
      {
        what: 'missing nested field',
        change: (r) => delete ((r['dataProduct'] as Record<string, unknown>)['digest'] as Record<string, unknown>)['value'],
        pointers: ['/dataProduct/digest/value'],
      },
      {
        what: 'bad array member',
        change: (r) => (((r['compliance'] as Record<string, unknown>)['checks'] as Record<string, unknown>[])[2]!['result'] = 'maybe'),
        pointers: ['/compliance/checks/2/result'],
      },
      { what: 'bad transactionRef', change: (r) => (r['transactionRef'] = 'no spaces allowed'), pointers: ['/transactionRef'] },
      {
        what: 'two problems',
        change: (r) => {
          r['tradedAt'] = 'yesterday';
          (r['consumer'] as Record<string, unknown>)['uscc'] = '91440300708461136X';
        },
        pointers: ['/consumer/uscc', '/tradedAt'],
      },
      { what: 'not an object', change: () => undefined, pointers: [''] },
    ];
    for (const c of cases) {
      const request = issueRequestAt(new Date()) as unknown as Record<string, unknown>;
      c.change(request);
      const body = c.what === 'not an object' ? [request] : request;
      const doc = expectProblem(await issue(body, tokens.exchange), 400, 'validation-failed');
      expect({ what: c.what, pointers: [...new Set(doc.errors.map((e) => e.pointer))].sort() }).toEqual({ what: c.what, pointers: c.pointers });
      expect(doc.errors.every((e) => e.message.length > 0)).toBe(true);
    }
  });

  it('answers an oversized body with 413 and anything but JSON with 415', async () => {
    const big = issueRequestAt(new Date()) as unknown as Record<string, unknown>;
    big['padding'] = 'x'.repeat(70 * 1024);
    expectProblem(await post(JSON.stringify(big), { 'content-type': 'application/json' }), 413, 'payload-too-large');
    const valid = JSON.stringify(issueRequestAt(new Date()));
    expectProblem(await post(valid, { 'content-type': 'text/plain' }), 415, 'unsupported-media-type');
    expectProblem(await post(valid, { 'content-type': 'application/json; charset=latin1' }), 415, 'unsupported-media-type');
    // A binary body: fetch sends no Content-Type at all.
    expectProblem(await post(Buffer.from(valid), {}), 415, 'unsupported-media-type');
  });

  it('answers each compliance rule violation with 422 listing every violated rule', async () => {
    type Req = IssueRequest;
    const day = 86_400_000;
    const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const setCheck = (r: Req, code: Req['compliance']['checks'][number]['code'], result: 'pass' | 'fail' | 'not-applicable') => {
      const found = r.compliance.checks.find((c) => c.code === code);
      if (found) found.result = result;
      else r.compliance.checks.push({ code, result });
    };
    const cases: { change: (r: Req) => void; codes: string[] }[] = [
      { change: (r) => (r.dataProduct.classification = 'core'), codes: ['core-data-not-certifiable'] },
      { change: (r) => (r.dataProduct.personalInformation = 'sensitive'), codes: ['sensitive-pi-consent-required'] },
      { change: (r) => (r.usage.crossBorder = { destination: 'CN', assessmentRef: 'SA-1' }), codes: ['cross-border-destination-domestic'] },
      { change: (r) => (r.usage.crossBorder = { destination: 'SG', assessmentRef: null }), codes: ['cross-border-assessment-ref-missing'] },
      {
        change: (r) => {
          r.dataProduct.classification = 'important';
          r.usage.crossBorder = { destination: 'SG', assessmentRef: 'SA-2' };
        },
        codes: ['important-data-export-assessment-required'],
      },
      { change: (r) => setCheck(r, 'traceability', 'fail'), codes: ['baseline-check-not-passed'] },
      { change: (r) => (r.compliance.checks = r.compliance.checks.filter((c) => c.code !== 'risk-control')), codes: ['baseline-check-missing'] },
      { change: (r) => (r.consumer = { ...r.provider }), codes: ['parties-identical'] },
      {
        change: (r) => {
          r.usage.validFrom = iso(Date.now() + 2 * day);
          r.usage.validUntil = iso(Date.now() + day);
        },
        codes: ['validity-window-not-ordered'],
      },
      { change: (r) => (r.usage.validUntil = iso(Date.now() - day)), codes: ['validity-window-ended', 'validity-window-not-ordered'] },
      { change: (r) => (r.usage.validUntil = iso(Date.now() + 3000 * day)), codes: ['validity-window-too-long'] },
      { change: (r) => (r.tradedAt = iso(Date.now() + day)), codes: ['traded-at-in-future'] },
      { change: (r) => (r.compliance.assessedAt = iso(Date.now() - 3600_000)), codes: ['assessment-after-trade'] },
      {
        // Several at once: every one is listed.
        change: (r) => {
          r.dataProduct.classification = 'core';
          r.consumer = { ...r.provider };
          setCheck(r, 'usage-scope', 'fail');
          r.tradedAt = iso(Date.now() + day);
        },
        codes: ['baseline-check-not-passed', 'core-data-not-certifiable', 'parties-identical', 'traded-at-in-future'],
      },
    ];
    for (const c of cases) {
      const request = issueRequestAt(new Date());
      c.change(request);
      const doc = expectProblem(await issue(request, tokens.exchange), 422, 'compliance-rule-violation');
      const codes = [...new Set(doc.errors.map((e) => e.code))].sort();
      expect({ codes, pointers: doc.errors.every((e) => e.pointer.startsWith('/')) }).toEqual({ codes: c.codes, pointers: true });
    }
  });

  it('answers bad revocations precisely', async () => {
    const api = running().api;
    const r = await issue(issueRequestAt(new Date()), tokens.exchange);
    expect(r.status).toBe(201);
    const id = CertificateRecordSchema.parse(r.json()).id;
    const revoke = (json: unknown, target = id) => api.post(`/v1/certificates/${target}/revoke`, { token: tokens.admin, json });

    const badReason = expectProblem(await revoke({ reason: 'because' }), 400, 'validation-failed');
    expect(badReason.errors.map((e) => e.pointer)).toEqual(['/reason']);
    const unknownField = expectProblem(await revoke({ reason: 'unspecified', by: 'me' }), 400, 'validation-failed');
    expect(unknownField.errors.map((e) => e.pointer)).toEqual(['/by']);
    expectProblem(await revoke({}), 400, 'validation-failed');
    expectProblem(await api.post(`/v1/certificates/${id}/revoke`, { token: tokens.admin, body: '{"reason":', headers: { 'content-type': 'application/json' } }), 400, 'malformed-json');

    expect((await revoke({ reason: 'compliance-violation', comment: 'audit finding 7' })).status).toBe(200);
    expectProblem(await revoke({ reason: 'unspecified' }), 409, 'already-revoked');
    const still = CertificateRecordSchema.parse((await api.get(`/v1/certificates/${id}`, { token: tokens.auditor })).json());
    expect(still.revocation).toMatchObject({ reason: 'compliance-violation', comment: 'audit finding 7' });

    const unknown = '01900000-0000-7000-8000-000000000000';
    expectProblem(await revoke({ reason: 'unspecified' }, unknown), 404, 'certificate-not-found');
    expectProblem(await api.get(`/v1/certificates/${unknown}`, { token: tokens.admin }), 404, 'certificate-not-found');
    expectProblem(await api.get(`/v1/certificates/${unknown}/events`, { token: tokens.admin }), 404, 'certificate-not-found');
    const badId = expectProblem(await api.get('/v1/certificates/not-an-id', { token: tokens.admin }), 400, 'validation-failed');
    expect(badId.errors.map((e) => e.pointer)).toEqual(['/id']);
    expectProblem(await api.get('/v1/nowhere'), 404, 'not-found');
  });

  it('leaves no certificate in the table that was not meant to be written', async () => {
    const s = running();
    const stored = await scanCertificates(s.dynamodb, s.service.tableName);
    expect(stored).toHaveLength(created);
    expect(s.errors).toEqual([]);
  });
});
