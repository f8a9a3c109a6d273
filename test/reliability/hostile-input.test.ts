import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#shared/http/routes.ts';
import { validIssueRequest } from '../fixtures/issue-request.ts';
import {
  type Call,
  type CallResult,
  type Engine,
  type Identity,
  invoke,
  liveIssueRequest,
  type LoadedApp,
  scanTable,
  startLocalSignedService,
  stopLocalSignedService,
} from './support/harness.ts';

/**
 * Hostile input on every route of the routes table (a new route is fuzzed without anyone
 * remembering to): random JSON and bytes, deep nesting, huge strings, prototype keys, unicode
 * edge cases, wrong types in an otherwise valid request, missing and duplicate headers, odd
 * content types, base64 bodies, odd path parameters and query strings. Never a 5xx; always a
 * problem document or the route's success shape; nothing written; no prototype polluted.
 */

const EXCHANGE = 'exchange-hostile';
let engine: Engine;
let plain: DynamoDBClient;
let tableName: string;
let app: LoadedApp;
let realId: string;

beforeAll(async () => {
  ({ engine, plain, tableName, app } = await startLocalSignedService({ id: EXCHANGE, name: 'Hostile Exchange' }));
  const issued = await invoke(app, { handler: 'issue-certificate', body: liveIssueRequest(validIssueRequest(), 'HOSTILE-1'), identity: { kind: 'exchange', clientId: EXCHANGE } });
  expect(issued.status).toBe(201);
  realId = (issued.body as { id: string }).id;
}, 180_000);

afterAll(() => stopLocalSignedService({ app, engine }));

/**
 * An identity the route admits (from its scopes in the routes table), so that hostile input
 * reaches parsing and validation rather than stopping at authorization.
 */
function identityFor(route: (typeof routes)[number]): Identity {
  if (route.auth === 'public') return { kind: 'none' };
  const scopes: readonly string[] = route.auth.anyScope;
  if (scopes.includes('dcc/issue')) return { kind: 'exchange', clientId: EXCHANGE };
  if (scopes.includes('dcc/read')) return { kind: 'auditor' };
  return { kind: 'admin' };
}

const edgeStrings = fc.constantFrom(
  '\uD800', 'a\uDFFFb', '\u0000', 'x\u0000y', '\uFEFF', '\uFEFF{}', '\u202E', 'abc\u202Edef', '\u200B', '\u2028\u2029',
  '𝒳', '\uFFFF', '../../etc/passwd', '%00', '%2e%2e%2f', '<script>', '${jndi:ldap://x}', "'; DROP TABLE --", 'CERT#x', 'TXN#a#b',
  'urn:uuid:00000000-0000-7000-8000-000000000000', '0', '-1', '1e309', 'NaN', '__proto__', 'constructor', 'prototype',
);
const hostileString = fc.oneof(
  { weight: 3, arbitrary: edgeStrings },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 70_000 }).map((n) => 'x'.repeat(n)) },
);
const prototypeKeys = fc.constantFrom('__proto__', 'constructor', 'prototype');

/** A JSON text: random values, deep nesting, prototype keys, huge strings. */
const jsonText: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.integer({ min: 1, max: 30_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 1, max: 20_000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
  fc.tuple(prototypeKeys, fc.jsonValue({ maxDepth: 2 })).map(([k, v]) => `{"${k}":${JSON.stringify(v)},"token":"x"}`),
  fc.tuple(prototypeKeys, fc.jsonValue({ maxDepth: 2 })).map(([k, v]) => `{"reason":"unspecified","${k}":{"polluted":${JSON.stringify(v)}}}`),
  hostileString.map((s) => JSON.stringify({ token: s })),
  hostileString.map((s) => JSON.stringify({ reason: s, comment: s })),
  fc.constantFrom('', ' ', '{', '{"token":', 'null', 'true', '[]', '{}', '"x"', '1', '{"token":"a","token":"b"}', '{"token":"\\ud800"}', '\uFEFF{"token":"x"}', '{"token":"x"}garbage'),
);

/** The valid issue request with one leaf replaced by a value of another JSON type. */
const wrongTypeIssue: fc.Arbitrary<string> = fc
  .tuple(fc.nat(), fc.constantFrom<unknown>(0, -1, 1.5, true, false, 'x', [], {}, [1], { a: 1 }, null))
  .map(([pick, replacement]) => {
    const request = liveIssueRequest(validIssueRequest(), 'HOSTILE-WRONG-TYPE') as unknown as Record<string, unknown>;
    const leaves: { parent: Record<string, unknown> | unknown[]; key: string | number; value: unknown }[] = [];
    const walk = (node: unknown) => {
      if (node === null || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        const key = Array.isArray(node) ? Number(k) : k;
        leaves.push({ parent: node as Record<string, unknown>, key, value: v });
        walk(v);
      }
    };
    walk(request);
    const leaf = leaves[pick % leaves.length] as (typeof leaves)[number];
    const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
    const value = typeOf(replacement) === typeOf(leaf.value) ? (typeof leaf.value === 'string' ? 12345 : 'wrong') : replacement;
    (leaf.parent as Record<string | number, unknown>)[leaf.key] = value;
    return JSON.stringify(request);
  });

const contentTypes = fc.constantFrom<string | null>(
  'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json; charset=latin1', 'application/json;charset=utf-16',
  'text/plain', 'text/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream',
  'application/problem+json', '', 'application/json, application/json', 'application/jsonx', null,
);

interface Hostile {
  body: Buffer;
  contentType: string | null;
  extraHeaders: string[];
  pathValue: string;
  query: string;
}

const hostile: fc.Arbitrary<Hostile> = fc.record({
  body: fc.oneof(
    { weight: 4, arbitrary: jsonText.map((t) => Buffer.from(t, 'utf8')) },
    { weight: 2, arbitrary: wrongTypeIssue.map((t) => Buffer.from(t, 'utf8')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: fc.constant(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d])) },
    { weight: 1, arbitrary: fc.constant(Buffer.from([0x7b, 0x22, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])) },
    { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
  ),
  contentType: contentTypes,
  extraHeaders: fc.array(
    fc.constantFrom(
      ['content-type', 'application/json'], ['content-type', 'text/plain'], ['content-length', '5'], ['transfer-encoding', 'chunked'],
      ['content-encoding', 'gzip'], ['x-http-method-override', 'DELETE'], ['host', 'evil.example'], ['authorization', 'Bearer x'],
    ),
    { maxLength: 3 },
  ).map((pairs) => pairs.flat()),
  pathValue: fc.oneof(hostileString, fc.constant('REAL')),
  query: fc.oneof(
    fc.constant(''),
    // A lone surrogate cannot be percent-encoded (as UTF-8); it is sent as U+FFFD.
    hostileString.map((s) => `transactionRef=${encodeURIComponent(s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'))}`),
    fc.constantFrom('transactionRef=A&transactionRef=B', 'transactionRef=', 'other=1', 'transactionRef=HOSTILE-1', '__proto__[x]=1', 'transactionRef=%ZZ'),
  ),
});

function expectWellFormed(route: (typeof routes)[number], r: CallResult, input: Hostile): void {
  const label = `${route.method} ${route.path} → ${r.status} ${r.raw.slice(0, 300)} (content-type ${String(input.contentType)})`;
  expect(r.status, label).toBeLessThan(500);
  if (r.status >= 400 && route.handler === 'oauth-token') {
    // The token endpoint answers as OAuth 2.0 does (RFC 6749): an error code, never a problem document.
    expect(r.headers['content-type'], label).toBe('application/json');
    expect(['invalid_request', 'invalid_client', 'invalid_scope', 'unsupported_grant_type'], label).toContain((r.body as { error?: unknown }).error);
    return;
  }
  if (r.status >= 400) {
    expect(r.headers['content-type'], label).toBe('application/problem+json');
    const p = r.body as Record<string, unknown>;
    expect(p['status'], label).toBe(r.status);
    for (const k of ['type', 'title', 'detail', 'code']) expect(typeof p[k], `${label}: ${k}`).toBe('string');
    expect(Array.isArray(p['errors']), label).toBe(true);
    for (const e of p['errors'] as { pointer: unknown; message: unknown }[]) {
      expect(typeof e.pointer, label).toBe('string');
      expect(typeof e.message, label).toBe('string');
    }
    return;
  }
  // Success shapes: nothing hostile here can issue or revoke.
  expect(route.handler, label).not.toBe('issue-certificate');
  expect(route.handler, label).not.toBe('revoke-certificate');
  if (route.handler === 'issue-sd-jwt') {
    // An empty body for the real certificate is a genuine request: its form, made once, then the same bytes.
    expect([200, 201], label).toContain(r.status);
    expect(typeof (r.body as { sdJwt?: unknown }).sdJwt, label).toBe('string');
    return;
  }
  expect(r.status, label).toBe(200);
  if (route.handler === 'verify-certificate') expect(r.body, label).toMatchObject({ verified: false });
  if (route.handler === 'get-status-list') expect(r.headers['content-type'], label).toBe('application/vc+jwt');
  if ((r.headers['content-type'] ?? '').includes('json')) expect(typeof r.body, label).toBe('object');
}

describe('hostile input on every route of the routes table', () => {
  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: never a 5xx, always a problem document or the success shape, nothing written', async (_key, route) => {
    const before = (await scanTable(plain, tableName)).length;
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(hostile, async (input) => {
        const params: Record<string, string> = {};
        for (const [, name] of route.path.matchAll(/\{(\w+)\+?\}/g)) {
          params[name as string] = input.pathValue === 'REAL' ? (name === 'listId' ? '0' : realId) : input.pathValue;
        }
        const call: Call = {
          handler: route.handler,
          pathParameters: params,
          query: input.query,
          rawBody: route.method === 'POST' ? input.body : Buffer.alloc(0),
          contentType: input.contentType,
          rawHeaders: input.extraHeaders,
          identity: identityFor(route),
        };
        const r = await invoke(app, call);
        expectWellFormed(route, r, input);
        seen.add(String((r.body as { code?: unknown; error?: unknown } | null)?.code ?? (r.body as { error?: unknown } | null)?.error ?? r.status));
      }),
      { numRuns: 120, seed: Number(process.env['DCC_FUZZ_SEED'] ?? 20261127) },
    );
    // Only the one genuine request among them writes: the real certificate's selectively disclosable form.
    expect((await scanTable(plain, tableName)).length - before).toBe(route.handler === 'issue-sd-jwt' && seen.has('201') ? 1 : 0);
    if (route.method === 'POST' && route.handler !== 'oauth-token') {
      // The runs reached every gate of a body: media type, size, JSON syntax and the schema.
      for (const code of ['unsupported-media-type', 'payload-too-large', 'malformed-json', 'validation-failed']) expect([...seen]).toContain(code);
    }
    // Prototype keys in bodies stayed data: nothing reached Object.prototype.
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  }, 120_000);
});
