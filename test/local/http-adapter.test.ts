import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LambdaHandler, LocalRoute } from '#local/api-gateway-event.ts';
import { DEFAULT_SERVER_TIMEOUTS, type StartedHttpServer, createRequestListener, startHttpServer } from '#local/http-adapter.ts';
import { createJwtAuthorizer } from '#local/jwt-authorizer.ts';
import { createPublicKey } from 'node:crypto';
import { type TokenSubject, clientIdFor } from '#local/dev-clients.ts';
import { LocalAccessTokenSigner } from '#shared/adapters/key-file/access-token-signer.ts';
import { accessTokenClaims, signAccessToken } from '#shared/domain/access-token.ts';
import { ACCESS_TOKEN_AUDIENCE } from '#shared/domain/oauth.ts';
import { CLIENT_ROLES, routes, scopesOf } from '#shared/http/routes.ts';

/** Test handlers: each records what it was called with and answers what the test asks for. */
interface Call {
  event: APIGatewayProxyEventV2WithJWTAuthorizer;
  context: Context;
}
let calls: Call[] = [];
let answer: (event: APIGatewayProxyEventV2WithJWTAuthorizer) => Promise<unknown>;

const recording: LambdaHandler = async (event, context) => {
  calls.push({ event, context });
  return (await answer(event)) as APIGatewayProxyStructuredResultV2;
};

const EXTRA: LocalRoute[] = [{ handler: 'echo-binary', method: 'POST', path: '/test/binary', auth: 'public' }];

let dataDir: string;
const ISSUER = 'http://127.0.0.1:1';
/** Access tokens as the token endpoint signs them (the endpoint itself is tested elsewhere). */
let issuer: { issue(subject: TokenSubject): Promise<string> };
let server: StartedHttpServer;
let audienceChecks = 0;
const logged: { level: 'info' | 'error'; message: string; error?: unknown }[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dcc-adapter-'));
  const signer = await LocalAccessTokenSigner.fromKeyFile(join(dataDir, 'access-token-key.pem'));
  const jwk = await signer.publicJwk();
  issuer = {
    issue: (subject) =>
      signAccessToken(
        signer,
        accessTokenClaims({ issuer: ISSUER, clientId: clientIdFor(subject), scope: scopesOf(CLIENT_ROLES[subject.role]).join(' '), now: new Date(), lifetimeSeconds: 3600 }),
      ),
  };
  const authorize = createJwtAuthorizer({
    issuer: ISSUER,
    keys: [{ kid: jwk.kid, key: createPublicKey({ key: { ...jwk }, format: 'jwk' }) }],
    audience: () => new Set([ACCESS_TOKEN_AUDIENCE]),
  });
  server = await startHttpServer({
    port: 0,
    listener: createRequestListener({
      bindings: [...routes, ...EXTRA].map((route) => ({ route, handler: recording })),
      authorize,
      beforeAuthorize: async () => {
        audienceChecks++;
      },
      log: {
        info: (message) => logged.push({ level: 'info', message }),
        error: (message, error) => logged.push({ level: 'error', message, error }),
      },
      maxBodyBytes: 4096,
      functionTimeoutMs: 300,
    }),
  });
});

afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  calls = [];
  logged.length = 0;
  audienceChecks = 0;
  answer = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json: () => Record<string, unknown>;
}

/** A raw HTTP request, so that repeated headers and bodies go out exactly as written. */
function send(method: string, path: string, options: { headers?: Record<string, string | string[]>; body?: Buffer | string; chunked?: boolean } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, method, path });
    for (const [name, value] of Object.entries(options.headers ?? {})) req.setHeader(name, value);
    if (options.body !== undefined && !options.chunked) req.setHeader('content-length', Buffer.byteLength(options.body));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8'), json: () => JSON.parse(body.toString('utf8')) });
      });
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

const only = (): Call => {
  expect(calls).toHaveLength(1);
  return calls[0] as Call;
};

describe('routing', () => {
  it('answers an unknown path with a 404 problem document', async () => {
    const r = await send('GET', '/v2/nothing');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toBe('application/problem+json');
    expect(r.json()).toMatchObject({ status: 404, code: 'not-found', type: 'urn:dcc:problem:not-found' });
    expect(calls).toHaveLength(0);
  });

  it('answers a known path with another method with 405 and Allow', async () => {
    const r = await send('DELETE', '/v1/certificates');
    expect(r.status).toBe(405);
    expect(r.headers['allow']).toBe('GET, POST');
    expect(r.json()).toMatchObject({ code: 'method-not-allowed' });
    expect(calls).toHaveLength(0);
  });

  it('invokes the route handler with a payload 2.0 event and a Lambda context', async () => {
    const r = await send('GET', '/.well-known/jwks.json?x=1&x=2&y=a%2Cb', { headers: { 'X-Repeated': ['one', 'two'], 'User-Agent': 'adapter-test' } });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ ok: true });
    const { event, context } = only();
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('GET /.well-known/jwks.json');
    expect(event.rawPath).toBe('/.well-known/jwks.json');
    expect(event.rawQueryString).toBe('x=1&x=2&y=a%2Cb');
    expect(event.queryStringParameters).toEqual({ x: '1,2', y: 'a,b' });
    expect(event.headers['x-repeated']).toBe('one,two');
    expect(event.requestContext.http).toMatchObject({ method: 'GET', path: '/.well-known/jwks.json', userAgent: 'adapter-test', sourceIp: '127.0.0.1' });
    expect(event.requestContext.stage).toBe('$default');
    expect(event.requestContext.authorizer).toBeUndefined();
    expect(r.headers['apigw-requestid']).toBe(event.requestContext.requestId);
    expect(context.functionName).toBe('dcc-local-get-jwks');
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(300);
    // Public routes are not authorised, so the registry is not consulted.
    expect(audienceChecks).toBe(0);
  });

  it('passes path parameters of the matched route', async () => {
    const token = await issuer.issue({ role: 'auditor' });
    await send('GET', '/v1/certificates/0192aa/events', { headers: { authorization: `Bearer ${token}` } });
    const { event } = only();
    expect(event.routeKey).toBe('GET /v1/certificates/{id}/events');
    expect(event.pathParameters).toEqual({ id: '0192aa' });
  });
});

describe('authorization', () => {
  it('hands a valid token’s claims to the handler as strings, with the scopes', async () => {
    const token = await issuer.issue({ role: 'exchange' });
    const r = await send('POST', '/v1/certificates', { headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(200);
    const jwt = only().event.requestContext.authorizer.jwt;
    expect(jwt.scopes).toEqual(['dcc/issue']);
    expect(jwt.claims).toMatchObject({ client_id: 'demo-exchange', sub: 'demo-exchange', aud: ACCESS_TOKEN_AUDIENCE, scope: 'dcc/issue' });
    for (const claim of ['iat', 'exp']) {
      expect(typeof jwt.claims[claim]).toBe('string');
      expect(jwt.claims[claim]).toMatch(/^\d+$/);
    }
    expect(audienceChecks).toBe(1);
  });

  it('refuses a request without a token: 401 problem with WWW-Authenticate, handler not called', async () => {
    const r = await send('GET', '/v1/certificates/abc');
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Bearer');
    expect(r.headers['content-type']).toBe('application/problem+json');
    expect(r.json()).toMatchObject({ status: 401, code: 'unauthorized', type: 'urn:dcc:problem:unauthorized' });
    expect(calls).toHaveLength(0);
  });

  it('refuses an invalid token with 401 and an invalid_token challenge', async () => {
    const token = await issuer.issue({ role: 'admin' });
    const r = await send('GET', '/v1/certificates/abc', { headers: { authorization: `Bearer ${token}x` } });
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toMatch(/^Bearer scope="" error="invalid_token"/);
    expect(calls).toHaveLength(0);
  });

  it('refuses a valid token without a route scope with 403 insufficient-scope', async () => {
    const token = await issuer.issue({ role: 'auditor' });
    const r = await send('POST', '/v1/certificates/abc/revoke', { headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(403);
    expect(r.json()).toMatchObject({ status: 403, code: 'insufficient-scope' });
    expect(r.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
    expect(calls).toHaveLength(0);
  });
});

describe('bodies', () => {
  it('passes a JSON body as text and a binary body as base64', async () => {
    await send('POST', '/v1/verify', { headers: { 'content-type': 'application/json' }, body: '{"token":"a.b.c"}' });
    expect(only().event).toMatchObject({ body: '{"token":"a.b.c"}', isBase64Encoded: false });
    calls = [];
    const bytes = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00]);
    await send('POST', '/test/binary', { headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    const { event } = only();
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body as string, 'base64')).toEqual(bytes);
  });

  it('refuses a body beyond the cap with 413 before calling the handler, declared or chunked', async () => {
    const big = Buffer.alloc(4097, 0x61);
    const declared = await send('POST', '/v1/verify', { headers: { 'content-type': 'application/json' }, body: big });
    expect(declared.status).toBe(413);
    expect(declared.json()).toMatchObject({ code: 'payload-too-large' });
    const chunked = await send('POST', '/v1/verify', { headers: { 'content-type': 'application/json' }, body: big, chunked: true });
    expect(chunked.status).toBe(413);
    expect(calls).toHaveLength(0);
    const atLimit = await send('POST', '/v1/verify', { headers: { 'content-type': 'application/json' }, body: Buffer.alloc(4096, 0x61) });
    expect(atLimit.status).toBe(200);
  });
});

describe('results', () => {
  it('writes status, headers, every cookie and a base64 body back', async () => {
    answer = async () => ({
      statusCode: 201,
      headers: { Location: '/v1/certificates/1', 'x-count': 3 },
      cookies: ['a=1; Path=/', 'b=2; HttpOnly'],
      body: Buffer.from([1, 2, 3, 250]).toString('base64'),
      isBase64Encoded: true,
    });
    const r = await send('GET', '/.well-known/jwks.json');
    expect(r.status).toBe(201);
    expect(r.headers['location']).toBe('/v1/certificates/1');
    expect(r.headers['x-count']).toBe('3');
    expect(r.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect([...r.body]).toEqual([1, 2, 3, 250]);
  });

  it('turns a thrown error into a generic 500 problem, logged but never sent', async () => {
    answer = async () => {
      throw new Error('secret table name dcc-prod-xyz');
    };
    const r = await send('GET', '/.well-known/jwks.json');
    expect(r.status).toBe(500);
    expect(r.json()).toMatchObject({ status: 500, code: 'internal-error', detail: 'The request could not be completed.' });
    expect(r.text).not.toContain('secret');
    const errors = logged.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect((errors[0]?.error as Error).message).toBe('secret table name dcc-prod-xyz');
  });

  it('answers 500 for a malformed result or a header node refuses', async () => {
    answer = async () => ({ statusCode: 'OK' });
    expect((await send('GET', '/.well-known/jwks.json')).status).toBe(500);
    answer = async () => ({ statusCode: 200, headers: { 'x-bad': 'a\nb' }, body: 'x' });
    const r = await send('GET', '/.well-known/jwks.json');
    expect(r.status).toBe(500);
    expect(r.headers['x-bad']).toBeUndefined();
    expect(r.headers['apigw-requestid']).toBeDefined();
  });

  it('answers 500 when the handler outlives the function timeout', async () => {
    answer = () => new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200 }), 1_000));
    const r = await send('GET', '/.well-known/jwks.json');
    expect(r.status).toBe(500);
    expect(logged.some((l) => l.level === 'error' && /timed out/.test((l.error as Error).message))).toBe(true);
  });

  it('logs one access line per request', async () => {
    await send('GET', '/nowhere');
    await new Promise((r) => setTimeout(r, 20));
    expect(logged.filter((l) => l.level === 'info').map((l) => l.message)).toEqual([expect.stringMatching(/^GET \/nowhere 404 \d+ms$/)]);
  });
});

/**
 * A client on a raw socket that writes `bytes` one at a time, every `everyMs`, starting with
 * `first` at once; resolves when the server closes the connection, with the time that took and
 * what the server answered.
 */
function trickle(port: number, first: string, bytes: string, everyMs: number, giveUpMs: number): Promise<{ ms: number; answer: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let i = 0;
    const timer = setInterval(() => {
      if (i < bytes.length) socket.write(bytes[i++] as string);
    }, everyMs);
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server still held the connection after ${giveUpMs} ms`));
    }, giveUpMs);
    socket.on('connect', () => {
      if (first) socket.write(first);
    });
    socket.setEncoding('utf8').on('data', (d: string) => (answer += d));
    socket.on('error', () => undefined); // a reset is a cut too
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ ms: performance.now() - started, answer });
    });
  });
}

describe('slow clients', () => {
  // Short limits, and Node's sweep left at the adapter's default (1 s): the test measures the
  // shipped promptness (each cut comes about 2 s after connecting). With Node's own 30 s sweep
  // the same clients held their connection for about 30 s; with the 10 s / 30 s limits of
  // `npm start`, 30 s and 60 s.
  const HEADERS_MS = 1_000;
  const REQUEST_MS = 2_000;
  const SWEEP_MS = DEFAULT_SERVER_TIMEOUTS.checkIntervalMs;
  // Generous for a busy 2-core machine; far below the 30 s a default sweep takes.
  const MARGIN_MS = 1_500;
  let slow: StartedHttpServer;
  const served: string[] = [];

  beforeAll(async () => {
    slow = await startHttpServer({
      port: 0,
      listener: (req, res) => {
        served.push(`${req.method} ${req.url}`);
        req.resume();
        req.on('end', () => res.end('served'));
      },
      timeouts: { headersMs: HEADERS_MS, requestMs: REQUEST_MS },
    });
  });

  afterAll(async () => {
    await slow?.close(0);
  });

  it('cuts a client that sends its headers a byte a second soon after the headers timeout', async () => {
    const headers = 'GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: aaaaaaaaaaaaaaaa\r\n\r\n';
    const cut = await trickle(slow.port, headers.slice(0, 1), headers.slice(1), 1_000, 20_000);
    expect(cut.ms).toBeGreaterThanOrEqual(HEADERS_MS - 50);
    expect(cut.ms).toBeLessThan(HEADERS_MS + SWEEP_MS + MARGIN_MS);
    expect(cut.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(served).not.toContain('GET /slow');
  });

  it('cuts a client that connects and sends nothing within the same bound', async () => {
    const cut = await trickle(slow.port, '', '', 1_000, 20_000);
    expect(cut.ms).toBeLessThan(HEADERS_MS + SWEEP_MS + MARGIN_MS);
  });

  it('cuts a client that sends its body slowly soon after the request timeout', async () => {
    const head = 'POST /slow-body HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n';
    const cut = await trickle(slow.port, head, 'a'.repeat(1_000), 250, 20_000);
    expect(cut.ms).toBeGreaterThanOrEqual(REQUEST_MS - 50);
    expect(cut.ms).toBeLessThan(REQUEST_MS + SWEEP_MS + MARGIN_MS);
    expect(cut.answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('still serves a prompt client, and refuses limits Node would ignore', async () => {
    const ok = await trickle(slow.port, 'GET /prompt HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', '', 1_000, 5_000);
    expect(ok.answer).toMatch(/^HTTP\/1\.1 200 [\s\S]*served$/);
    await expect(startHttpServer({ port: 0, listener: () => undefined, timeouts: { headersMs: 2_000, requestMs: 1_000 } })).rejects.toThrow(RangeError);
  });
});
