import { describe, expect, it } from 'vitest';
import {
  type RawHttpRequest,
  buildHttpApiEvent,
  clfTime,
  createLambdaContext,
  isTextMediaType,
  matchRoute,
  newRequestId,
  splitTarget,
  toHttpResponse,
} from '#local/api-gateway-event.ts';
import { routes } from '#shared/http/routes.ts';

function request(overrides: Partial<RawHttpRequest> = {}): RawHttpRequest {
  return {
    method: 'GET',
    target: '/v1/certificates',
    rawHeaders: ['Host', '127.0.0.1:3000', 'User-Agent', 'curl/8.5.0'],
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
    localPort: 3000,
    ...overrides,
  };
}

const env = (over: Partial<Parameters<typeof buildHttpApiEvent>[1]> = {}) => ({
  routeKey: 'GET /v1/certificates',
  pathParameters: {},
  requestId: 'AbCdEfGhIjKlMnO=',
  now: new Date('2026-03-12T19:03:58.123Z'),
  ...over,
});

describe('matchRoute against the routes table', () => {
  it('matches a literal route and reports no path parameters', () => {
    const m = matchRoute(routes, 'POST', '/v1/certificates');
    expect(m.kind).toBe('matched');
    if (m.kind !== 'matched') return;
    expect(m.route.handler).toBe('issue-certificate');
    expect(m.pathParameters).toEqual({});
  });

  it('extracts and percent-decodes path parameters', () => {
    const m = matchRoute(routes, 'GET', '/v1/certificates/urn%3Auuid%3A0192/events');
    expect(m).toMatchObject({ kind: 'matched', pathParameters: { id: 'urn:uuid:0192' } });
    if (m.kind === 'matched') expect(m.route.handler).toBe('list-certificate-events');
  });

  it('answers method-not-allowed with every method the path has', () => {
    expect(matchRoute(routes, 'DELETE', '/v1/certificates')).toEqual({ kind: 'method-not-allowed', allow: ['GET', 'POST'] });
    expect(matchRoute(routes, 'GET', '/v1/certificates/abc/revoke')).toEqual({ kind: 'method-not-allowed', allow: ['POST'] });
  });

  it('does not match empty parameters, extra segments or a trailing slash', () => {
    expect(matchRoute(routes, 'GET', '/v1/certificates//events').kind).toBe('not-found');
    expect(matchRoute(routes, 'GET', '/v1/certificates/a/b/c').kind).toBe('not-found');
    expect(matchRoute(routes, 'POST', '/v1/certificates/').kind).toBe('not-found');
    expect(matchRoute(routes, 'GET', '/nope').kind).toBe('not-found');
  });

  it('prefers a literal segment over a parameter, whatever the table order', () => {
    const table = [
      { method: 'GET', path: '/a/{id}', handler: 'param' },
      { method: 'GET', path: '/a/special', handler: 'literal' },
    ];
    const m = matchRoute(table, 'GET', '/a/special');
    expect(m.kind === 'matched' && m.route.handler).toBe('literal');
    const other = matchRoute(table, 'GET', '/a/other');
    expect(other.kind === 'matched' && other.route.handler).toBe('param');
  });
});

describe('buildHttpApiEvent', () => {
  it('builds the payload 2.0 envelope with route key, raw path and request context', () => {
    const e = buildHttpApiEvent(request({ target: '/v1/certificates?transactionRef=SDE-1' }), env());
    expect(e.version).toBe('2.0');
    expect(e.routeKey).toBe('GET /v1/certificates');
    expect(e.rawPath).toBe('/v1/certificates');
    expect(e.rawQueryString).toBe('transactionRef=SDE-1');
    expect(e.isBase64Encoded).toBe(false);
    expect(e.body).toBeUndefined();
    expect(e.pathParameters).toBeUndefined();
    expect(e.cookies).toBeUndefined();
    expect(e.requestContext).toMatchObject({
      routeKey: 'GET /v1/certificates',
      stage: '$default',
      requestId: 'AbCdEfGhIjKlMnO=',
      domainName: '127.0.0.1',
      time: '12/Mar/2026:19:03:58 +0000',
      timeEpoch: Date.parse('2026-03-12T19:03:58.123Z'),
      http: { method: 'GET', path: '/v1/certificates', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'curl/8.5.0' },
    });
    expect(e.requestContext.accountId).toMatch(/^\d{12}$/);
    expect('authorizer' in e.requestContext).toBe(false);
  });

  it('lower-cases header names and joins repeated headers with commas', () => {
    const e = buildHttpApiEvent(
      request({ rawHeaders: ['Host', 'h', 'X-Custom', 'a', 'x-custom', 'b', 'Accept', 'text/plain', 'ACCEPT', 'application/json'] }),
      env(),
    );
    expect(e.headers['x-custom']).toBe('a,b');
    expect(e.headers['accept']).toBe('text/plain,application/json');
    expect(Object.keys(e.headers).every((k) => k === k.toLowerCase())).toBe(true);
    expect(e.headers['x-forwarded-proto']).toBe('http');
    expect(e.headers['x-forwarded-port']).toBe('3000');
    expect(e.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(e.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it('moves cookie headers into cookies, one entry per cookie', () => {
    const e = buildHttpApiEvent(request({ rawHeaders: ['Host', 'h', 'Cookie', 'a=1; b=2', 'cookie', 'c=3'] }), env());
    expect(e.cookies).toEqual(['a=1', 'b=2', 'c=3']);
    expect(e.headers['cookie']).toBeUndefined();
  });

  it('decodes query parameters and joins repeated keys with commas; raw string untouched', () => {
    const e = buildHttpApiEvent(request({ target: '/v1/certificates?a=1&b=x%20y&a=2&c=' }), env());
    expect(e.rawQueryString).toBe('a=1&b=x%20y&a=2&c=');
    expect(e.queryStringParameters).toEqual({ a: '1,2', b: 'x y', c: '' });
  });

  it('passes path parameters through', () => {
    const e = buildHttpApiEvent(request({ target: '/v1/certificates/abc' }), env({ routeKey: 'GET /v1/certificates/{id}', pathParameters: { id: 'abc' } }));
    expect(e.pathParameters).toEqual({ id: 'abc' });
    expect(e.requestContext.routeKey).toBe('GET /v1/certificates/{id}');
  });

  it('sends a JSON body as text', () => {
    const body = Buffer.from('{"token":"é"}', 'utf8');
    const e = buildHttpApiEvent(request({ method: 'POST', body, rawHeaders: ['Content-Type', 'application/json; charset=utf-8'] }), env());
    expect(e.isBase64Encoded).toBe(false);
    expect(e.body).toBe('{"token":"é"}');
  });

  it('base64-encodes binary media types, a missing content type, form posts and invalid UTF-8', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    for (const headers of [
      ['Content-Type', 'application/octet-stream'],
      [],
      ['Content-Type', 'application/x-www-form-urlencoded'],
      ['Content-Type', 'application/json'],
    ]) {
      const e = buildHttpApiEvent(request({ method: 'POST', body: bytes, rawHeaders: headers }), env());
      expect(e.isBase64Encoded).toBe(true);
      expect(Buffer.from(e.body as string, 'base64')).toEqual(bytes);
    }
    const form = buildHttpApiEvent(request({ method: 'POST', body: Buffer.from('a=1'), rawHeaders: ['content-type', 'application/x-www-form-urlencoded'] }), env());
    expect(form).toMatchObject({ isBase64Encoded: true, body: Buffer.from('a=1').toString('base64') });
  });

  it('puts the authorizer output into requestContext.authorizer.jwt on protected routes', () => {
    const claims = { sub: 'demo-exchange', iat: '1795813535', scope: 'dcc/issue' };
    const e = buildHttpApiEvent(request(), env({ authorizer: { claims, scopes: ['dcc/issue'] } }));
    expect(e.requestContext.authorizer.jwt).toEqual({ claims, scopes: ['dcc/issue'] });
  });

  it('reads the path of an absolute-form target', () => {
    expect(splitTarget('http://example.test:3000/v1/verify?x=1')).toEqual({ rawPath: '/v1/verify', rawQueryString: 'x=1' });
    expect(splitTarget('/a?b?c')).toEqual({ rawPath: '/a', rawQueryString: 'b?c' });
  });
});

describe('isTextMediaType', () => {
  it('admits only the types API Gateway passes as text', () => {
    for (const t of ['application/json', 'Application/JSON; charset=utf-8', 'text/plain', 'text/csv', 'application/xml', 'application/javascript']) {
      expect(isTextMediaType(t)).toBe(true);
    }
    for (const t of [undefined, '', 'application/octet-stream', 'application/x-www-form-urlencoded', 'image/png', 'multipart/form-data; boundary=x']) {
      expect(isTextMediaType(t)).toBe(false);
    }
  });
});

describe('toHttpResponse', () => {
  it('maps status, lower-cased headers, cookies and a text body', () => {
    const r = toHttpResponse({ statusCode: 201, headers: { Location: '/v1/certificates/1', 'X-N': 5 }, cookies: ['a=1', 'b=2; HttpOnly'], body: '{"ok":true}' });
    expect(r.statusCode).toBe(201);
    expect(r.headers).toEqual({ location: '/v1/certificates/1', 'x-n': '5', 'set-cookie': ['a=1', 'b=2; HttpOnly'] });
    expect(r.body.toString('utf8')).toBe('{"ok":true}');
  });

  it('decodes a base64 body', () => {
    const r = toHttpResponse({ statusCode: 200, body: Buffer.from([0, 1, 2, 255]).toString('base64'), isBase64Encoded: true });
    expect([...r.body]).toEqual([0, 1, 2, 255]);
  });

  it('treats a result without statusCode as the JSON body of a 200', () => {
    const r = toHttpResponse({ hello: 'world' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body.toString('utf8'))).toEqual({ hello: 'world' });
  });

  it('refuses a malformed status code', () => {
    expect(() => toHttpResponse({ statusCode: 99 })).toThrow(TypeError);
    expect(() => toHttpResponse({ statusCode: '200' })).toThrow(TypeError);
    expect(() => toHttpResponse({ statusCode: 200.5 })).toThrow(TypeError);
  });
});

describe('Lambda context and ids', () => {
  it('counts the remaining time down from the timeout and never below zero', () => {
    let now = 1_000_000;
    const ctx = createLambdaContext({ functionName: 'dcc-local-get-jwks', timeoutMs: 10_000, clock: () => now });
    expect(ctx.getRemainingTimeInMillis()).toBe(10_000);
    now += 2_500;
    expect(ctx.getRemainingTimeInMillis()).toBe(7_500);
    now += 60_000;
    expect(ctx.getRemainingTimeInMillis()).toBe(0);
    expect(ctx.functionName).toBe('dcc-local-get-jwks');
    expect(ctx.invokedFunctionArn).toMatch(/^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:dcc-local-get-jwks$/);
    expect(ctx.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ctx.functionVersion).toBe('$LATEST');
  });

  it('makes request ids and CLF times of the AWS shape', () => {
    const ids = new Set(Array.from({ length: 50 }, newRequestId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect(clfTime(new Date('2026-01-05T03:04:05Z'))).toBe('05/Jan/2026:03:04:05 +0000');
  });
});
