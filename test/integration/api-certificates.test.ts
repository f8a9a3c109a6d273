import { gunzipSync } from 'node:zlib';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditTrailSchema,
  CertificateRecordSchema,
  ProblemDocumentSchema,
  TransactionLookupResponseSchema,
  VerificationResultSchema,
} from '#shared/domain/schemas/api-responses.ts';
import type { IssueRequest } from '#shared/domain/schemas/issue-request.ts';
import { newCertificateNumber } from '#shared/domain/certificate-number.ts';
import { certificateCheckValue } from '#shared/domain/compact-reference.ts';
import { type ApiResponse, type LocalApi, scanCertificates, startLocalApi } from '../support/api-client.ts';
import { issueRequestAt } from '../support/issue-requests.ts';

/**
 * The certificate life cycle through HTTP against the whole local service (DynamoDB Local, the
 * real handler modules, the local signer and token issuer): issue, replay, concurrency,
 * supersede, revoke, verify, status lists, audit trail, look-up, JWKS, and what a failing
 * dependency looks like from outside.
 */

let local: LocalApi | undefined;
const tokens = { exchange: '', other: '', auditor: '', admin: '' };
const OTHER_EXCHANGE = 'other-exchange';

beforeAll(async () => {
  local = await startLocalApi('api-certificates');
  const clients = local.service.devClients;
  await clients.registerExchange(OTHER_EXCHANGE, { name: 'Other Data Exchange' });
  tokens.exchange = await clients.token({ role: 'exchange' });
  tokens.other = await clients.token({ role: 'exchange', exchangeId: OTHER_EXCHANGE });
  tokens.auditor = await clients.token({ role: 'auditor' });
  tokens.admin = await clients.token({ role: 'admin' });
});

afterAll(async () => {
  await local?.stop();
});

function running(): LocalApi {
  if (!local) throw new Error('the local service did not start');
  return local;
}

type CertificateRecord = ReturnType<typeof CertificateRecordSchema.parse>;

async function issue(request: IssueRequest, token = tokens.exchange): Promise<ApiResponse> {
  return running().api.post('/v1/certificates', { token, json: request });
}

async function issued(request: IssueRequest, token = tokens.exchange): Promise<CertificateRecord> {
  const r = await issue(request, token);
  expect(r.status, r.text).toBe(201);
  return CertificateRecordSchema.parse(r.json());
}

async function verify(token: string) {
  const r = await running().api.post('/v1/verify', { json: { token } });
  expect(r.status, r.text).toBe(200);
  return VerificationResultSchema.parse(r.json());
}

async function events(id: string, token = tokens.auditor) {
  const r = await running().api.get(`/v1/certificates/${id}/events`, { token });
  expect(r.status, r.text).toBe(200);
  return AuditTrailSchema.parse(r.json()).events;
}

function expectProblem(r: ApiResponse, status: number, code: string) {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get('content-type')).toBe('application/problem+json');
  const doc = ProblemDocumentSchema.parse(r.json());
  expect(doc).toMatchObject({ status, code });
  return doc;
}

async function certificateCount(): Promise<number> {
  const s = running();
  return (await scanCertificates(s.dynamodb, s.service.tableName)).length;
}

/** Bit `index` of a W3C Bitstring Status List, decoded here without the service's codec. */
function statusBit(encodedList: string, index: number): boolean {
  expect(encodedList.startsWith('u')).toBe(true);
  const bits = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'));
  expect(bits.length * 8).toBeGreaterThanOrEqual(131_072);
  // Index 0 is the most significant bit of the first byte (Bitstring Status List §3.2).
  return ((bits[Math.floor(index / 8)] ?? 0) & (0x80 >> index % 8)) !== 0;
}

async function jwks(): Promise<JSONWebKeySet> {
  const r = await running().api.get('/.well-known/jwks.json');
  expect(r.status).toBe(200);
  return r.json<JSONWebKeySet>();
}

describe('issue → verify → revoke → verify → status list', () => {
  it('runs the whole life cycle of a certificate', async () => {
    const s = running();
    const request = issueRequestAt(new Date());
    const created = await issue(request);
    expect(created.status, created.text).toBe(201);
    expect(created.headers.get('content-type')).toBe('application/json');
    const record = CertificateRecordSchema.parse(created.json());
    expect(created.headers.get('location')).toBe(`/v1/certificates/${record.id}`);
    expect(record).toMatchObject({ status: 'active', revocation: null, supersedes: null, supersededBy: null });
    expect(record.statusListCredential.startsWith(`${s.service.url}/v1/status-lists/`)).toBe(true);
    // A bystander certificate in the same list: its bit must stay clear.
    const bystander = await issued(issueRequestAt(new Date()));

    const active = await verify(record.token);
    expect(active).toMatchObject({ verified: true, status: 'active' });
    expect(active.checks.length).toBeGreaterThan(1);
    expect(active.checks.filter((c) => !c.ok)).toEqual([]);
    expect(active.certificate?.id).toBe(`urn:uuid:${record.id}`);
    expect(active.certificate?.credentialSubject).toMatchObject({ transaction: { transactionRef: request.transactionRef } });

    const revoked = await s.api.post(`/v1/certificates/${record.id}/revoke`, {
      token: tokens.admin,
      json: { reason: 'transaction-cancelled', comment: 'the buyer withdrew' },
    });
    expect(revoked.status, revoked.text).toBe(200);
    const revokedRecord = CertificateRecordSchema.parse(revoked.json());
    expect(revokedRecord).toMatchObject({ id: record.id, status: 'revoked', token: record.token });
    expect(revokedRecord.revocation).toMatchObject({ reason: 'transaction-cancelled', comment: 'the buyer withdrew' });

    const after = await verify(record.token);
    expect(after).toMatchObject({ verified: false, status: 'revoked', revocation: revokedRecord.revocation });
    expect(after.checks.find((c) => c.name === 'status')?.ok).toBe(false);

    const list = await fetch(record.statusListCredential);
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toBe('application/vc+jwt');
    const jwt = await list.text();
    const { payload, protectedHeader } = await jwtVerify(jwt, createLocalJWKSet(await jwks()), {
      algorithms: ['ES256'],
      typ: 'vc+jwt',
    });
    expect(protectedHeader.kid).toBe(decodeProtectedHeader(record.token).kid);
    const subject = payload['credentialSubject'] as { encodedList: string; ttl?: number; statusPurpose: string };
    expect(subject.statusPurpose).toBe('revocation');
    expect(payload['id']).toBe(record.statusListCredential);
    const maxAge = /(?:^|,)\s*max-age=(\d+)/.exec(list.headers.get('cache-control') ?? '');
    expect(maxAge, 'Cache-Control max-age').not.toBeNull();
    expect(typeof subject.ttl).toBe('number');
    // `ttl` is in milliseconds (Bitstring Status List §2.1), max-age in seconds.
    expect(Number(maxAge?.[1]) * 1000).toBeLessThanOrEqual(subject.ttl ?? -1);
    expect(statusBit(subject.encodedList, record.statusListIndex)).toBe(true);
    if (bystander.statusListCredential === record.statusListCredential) {
      expect(statusBit(subject.encodedList, bystander.statusListIndex)).toBe(false);
    }
    expect(bystander.statusListIndex).not.toBe(record.statusListIndex);
  });

  it('answers 404 for a status list nobody was placed in, and 400 for a malformed list id', async () => {
    expectProblem(await running().api.get('/v1/status-lists/999999'), 404, 'status-list-not-found');
    expectProblem(await running().api.get('/v1/status-lists/x1'), 400, 'validation-failed');
  });
});

describe('idempotency per (exchange, transactionRef)', () => {
  it('replays the same body with 200 and the byte-identical certificate, refuses a different body with 409', async () => {
    const s = running();
    const request = issueRequestAt(new Date());
    const first = await issue(request);
    expect(first.status).toBe(201);
    const record = CertificateRecordSchema.parse(first.json());
    const before = await certificateCount();

    const replay = await issue(request);
    expect(replay.status, replay.text).toBe(200);
    expect(replay.text).toBe(first.text);
    expect(replay.headers.get('location')).toBe(first.headers.get('location'));

    const changed = { ...request, amount: { value: '120000.01', currency: 'CNY' } };
    const conflict = expectProblem(await issue(changed), 409, 'transaction-conflict');
    expect(conflict.errors.map((e) => e.pointer)).toContain('/transactionRef');

    // The same transactionRef from another exchange is another transaction.
    const other = await issue(request, tokens.other);
    expect(other.status, other.text).toBe(201);
    const otherRecord = CertificateRecordSchema.parse(other.json());
    expect(otherRecord.id).not.toBe(record.id);

    expect(await certificateCount()).toBe(before + 1);
    expect((await events(record.id)).map((e) => e.type)).toEqual(['issued']);
    expect(s.errors).toEqual([]);
  });

  it('treats the same request in another spelling (member order, whitespace, omitted nulls) as a replay', async () => {
    const request = issueRequestAt(new Date());
    const first = await issue(request);
    expect(first.status).toBe(201);
    const { supersedes: _omitted, ...rest } = request;
    const reordered = Object.fromEntries(Object.entries(rest).reverse());
    const respelled = await running().api.post('/v1/certificates', {
      token: tokens.exchange,
      body: JSON.stringify(reordered, null, 2),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(respelled.status, respelled.text).toBe(200);
    expect(respelled.text).toBe(first.text);
  });

  it('turns 30 concurrent identical requests into exactly one certificate', async () => {
    const s = running();
    const before = await certificateCount();
    const request = issueRequestAt(new Date());
    const answers = await Promise.all(Array.from({ length: 30 }, () => issue(request)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((st) => st >= 500), JSON.stringify(answers.filter((a) => a.status >= 500).map((a) => a.text))).toEqual([]);
    expect(statuses.filter((st) => st === 201)).toHaveLength(1);
    expect(statuses.filter((st) => st === 200)).toHaveLength(29);
    const ids = new Set(answers.map((a) => CertificateRecordSchema.parse(a.json()).id));
    expect(ids.size).toBe(1);
    const tokensSeen = new Set(answers.map((a) => CertificateRecordSchema.parse(a.json()).token));
    expect(tokensSeen.size).toBe(1);
    expect(await certificateCount()).toBe(before + 1);
    const [id] = [...ids];
    expect((await events(id as string)).map((e) => e.type)).toEqual(['issued']);
    expect(s.errors).toEqual([]);
  });
});

describe('concurrent changes', () => {
  it('answers concurrent different bodies for one transaction with one 201 and 409s', async () => {
    const before = await certificateCount();
    const base = issueRequestAt(new Date());
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => issue({ ...base, amount: { value: `${1000 + i}.00`, currency: 'CNY' } })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses, answers.map((a) => a.text).join('\n')).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    for (const a of answers.filter((x) => x.status === 409)) expectProblem(a, 409, 'transaction-conflict');
    expect(await certificateCount()).toBe(before + 1);
  });

  it('revokes once when two admins revoke at the same time', async () => {
    const record = await issued(issueRequestAt(new Date()));
    const revoke = (reason: string) =>
      running().api.post(`/v1/certificates/${record.id}/revoke`, { token: tokens.admin, json: { reason } });
    const answers = await Promise.all([revoke('data-breach'), revoke('issued-in-error'), revoke('unspecified')]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    const winner = CertificateRecordSchema.parse(answers.find((a) => a.status === 200)?.json());
    const trail = await events(record.id);
    expect(trail.map((e) => e.type)).toEqual(['issued', 'revoked']);
    expect(trail[1]?.detail['reason']).toBe(winner.revocation?.reason);
    // A superseded or revoked certificate stays revoked with its first reason.
    expectProblem(await revoke('unspecified'), 409, 'already-revoked');
  });
});

describe('supersede (a correction)', () => {
  it('revokes the old certificate and issues the new one in one step, with a trail on both', async () => {
    const s = running();
    const a = await issued(issueRequestAt(new Date()));
    const b = await issued(issueRequestAt(new Date(), { supersedes: a.id }));
    expect(b).toMatchObject({ status: 'active', supersedes: a.id, supersededBy: null });

    const readA = await s.api.get(`/v1/certificates/${a.id}`, { token: tokens.auditor });
    expect(readA.status).toBe(200);
    const oldA = CertificateRecordSchema.parse(readA.json());
    expect(oldA).toMatchObject({ status: 'revoked', supersededBy: b.id, token: a.token });
    expect(oldA.revocation?.reason).toBe('superseded');

    const trailA = await events(a.id);
    expect(trailA.map((e) => e.type)).toEqual(['issued', 'superseded']);
    expect(trailA[1]?.detail).toMatchObject({ reason: 'superseded', supersededBy: b.id });
    const trailB = await events(b.id, tokens.admin);
    expect(trailB.map((e) => e.type)).toEqual(['issued']);
    expect(trailB[0]?.detail).toMatchObject({ supersedes: a.id });

    expect(await verify(a.token)).toMatchObject({ verified: false, status: 'revoked' });
    expect(await verify(b.token)).toMatchObject({ verified: true, status: 'active' });
    const decodedB = await verify(b.token);
    expect(decodedB.certificate?.credentialSubject).toMatchObject({ supersedes: expect.stringContaining(a.id) });
  });

  it('replays a correction with 200 and the same bytes, and sets the old certificate’s status bit', async () => {
    const a = await issued(issueRequestAt(new Date()));
    const correction = issueRequestAt(new Date(), { supersedes: a.id });
    const first = await issue(correction);
    expect(first.status, first.text).toBe(201);
    const before = await certificateCount();
    const replay = await issue(correction);
    expect(replay.status, replay.text).toBe(200);
    expect(replay.text).toBe(first.text);
    expect(await certificateCount()).toBe(before);
    expect((await events(a.id)).map((e) => e.type)).toEqual(['issued', 'superseded']);

    const list = await fetch(a.statusListCredential);
    expect(list.status).toBe(200);
    const { payload } = await jwtVerify(await list.text(), createLocalJWKSet(await jwks()), { algorithms: ['ES256'], typ: 'vc+jwt' });
    const encoded = (payload['credentialSubject'] as { encodedList: string }).encodedList;
    expect(statusBit(encoded, a.statusListIndex)).toBe(true);
    const b = CertificateRecordSchema.parse(first.json());
    if (b.statusListCredential === a.statusListCredential) expect(statusBit(encoded, b.statusListIndex)).toBe(false);
  });

  it('lets only one of two concurrent corrections of the same certificate win', async () => {
    const a = await issued(issueRequestAt(new Date()));
    const before = await certificateCount();
    const answers = await Promise.all([
      issue(issueRequestAt(new Date(), { supersedes: a.id })),
      issue(issueRequestAt(new Date(), { supersedes: a.id })),
    ]);
    expect(answers.map((r) => r.status).sort(), answers.map((r) => r.text).join('\n')).toEqual([201, 409]);
    const loser = answers.find((r) => r.status === 409) as ApiResponse;
    expectProblem(loser, 409, 'supersede-target-invalid');
    const winner = CertificateRecordSchema.parse(answers.find((r) => r.status === 201)?.json());
    expect(await certificateCount()).toBe(before + 1);
    const readA = CertificateRecordSchema.parse((await running().api.get(`/v1/certificates/${a.id}`, { token: tokens.auditor })).json());
    expect(readA.supersededBy).toBe(winner.id);
    expect((await events(a.id)).map((e) => e.type)).toEqual(['issued', 'superseded']);
  });

  it('refuses to supersede a certificate that does not exist', async () => {
    const before = await certificateCount();
    const doc = expectProblem(
      await issue(issueRequestAt(new Date(), { supersedes: '01900000-0000-7000-8000-000000000001' })),
      409,
      'supersede-target-invalid',
    );
    expect(doc.errors.map((e) => e.pointer)).toEqual(['/supersedes']);
    expect(await certificateCount()).toBe(before);
  });

  it('refuses to supersede a revoked certificate or another exchange’s, writing nothing', async () => {
    const s = running();
    const revoked = await issued(issueRequestAt(new Date()));
    const r = await s.api.post(`/v1/certificates/${revoked.id}/revoke`, { token: tokens.admin, json: { reason: 'issued-in-error' } });
    expect(r.status).toBe(200);
    const others = await issued(issueRequestAt(new Date()), tokens.other);
    const before = await certificateCount();

    const onRevoked = issueRequestAt(new Date(), { supersedes: revoked.id });
    expectProblem(await issue(onRevoked), 409, 'supersede-target-invalid');
    const onOthers = issueRequestAt(new Date(), { supersedes: others.id });
    expectProblem(await issue(onOthers), 409, 'supersede-target-invalid');

    expect(await certificateCount()).toBe(before);
    for (const ref of [onRevoked.transactionRef, onOthers.transactionRef]) {
      const found = await s.api.get(`/v1/certificates?transactionRef=${encodeURIComponent(ref)}`, { token: tokens.exchange });
      expect(TransactionLookupResponseSchema.parse(found.json()).items).toEqual([]);
    }
    const othersNow = CertificateRecordSchema.parse((await s.api.get(`/v1/certificates/${others.id}`, { token: tokens.auditor })).json());
    expect(othersNow).toMatchObject({ status: 'active', supersededBy: null, revocation: null });
    expect((await events(others.id)).map((e) => e.type)).toEqual(['issued']);
    expect((await events(revoked.id)).map((e) => e.type)).toEqual(['issued', 'revoked']);
  });
});

describe('audit trail', () => {
  it('holds one event per change, oldest first; replays and refused requests add none', async () => {
    const s = running();
    const request = issueRequestAt(new Date());
    const record = await issued(request);
    expect((await issue(request)).status).toBe(200);
    expectProblem(await issue({ ...request, tradedAt: request.compliance.assessedAt }), 409, 'transaction-conflict');
    const revoke = (reason: string) => s.api.post(`/v1/certificates/${record.id}/revoke`, { token: tokens.admin, json: { reason } });
    expect((await revoke('data-breach')).status).toBe(200);
    expectProblem(await revoke('data-breach'), 409, 'already-revoked');
    expectProblem(await revoke('not-a-reason'), 400, 'validation-failed');

    const trail = await events(record.id, tokens.admin);
    expect(trail.map((e) => e.type)).toEqual(['issued', 'revoked']);
    expect(trail.every((e) => e.certificateId === record.id)).toBe(true);
    expect(Date.parse(trail[0]?.at ?? '')).toBeLessThanOrEqual(Date.parse(trail[1]?.at ?? ''));
    expect(trail[0]).toMatchObject({ actor: 'demo-exchange', detail: { transactionRef: request.transactionRef } });
    expect(trail[1]).toMatchObject({ actor: 'admin.local', detail: { reason: 'data-breach' } });
  });
});

describe('look-up by transactionRef', () => {
  it('finds the exchange’s own certificate and nothing of another exchange', async () => {
    const s = running();
    const request = issueRequestAt(new Date());
    const record = await issued(request);
    const path = `/v1/certificates?transactionRef=${encodeURIComponent(request.transactionRef)}`;

    const own = await s.api.get(path, { token: tokens.exchange });
    expect(own.status).toBe(200);
    const items = TransactionLookupResponseSchema.parse(own.json()).items;
    expect(items.map((i) => i.id)).toEqual([record.id]);
    expect(items[0]?.token).toBe(record.token);

    const foreign = await s.api.get(path, { token: tokens.other });
    expect(foreign.status).toBe(200);
    expect(TransactionLookupResponseSchema.parse(foreign.json()).items).toEqual([]);
  });

  it('finds a transactionRef that uses every punctuation the alphabet allows', async () => {
    const ref = `IT:${Date.now().toString(36)}/a.b_c-${Math.random().toString(36).slice(2, 8)}`;
    const record = await issued(issueRequestAt(new Date(), { transactionRef: ref }));
    const found = await running().api.get(`/v1/certificates?transactionRef=${encodeURIComponent(ref)}`, { token: tokens.exchange });
    expect(found.status, found.text).toBe(200);
    expect(TransactionLookupResponseSchema.parse(found.json()).items.map((i) => i.id)).toEqual([record.id]);
    const verified = await verify(record.token);
    expect(verified.certificate?.credentialSubject).toMatchObject({ transaction: { transactionRef: ref } });
  });

  it('answers 400 for a missing or invalid transactionRef', async () => {
    const s = running();
    const missing = expectProblem(await s.api.get('/v1/certificates', { token: tokens.exchange }), 400, 'validation-failed');
    expect(missing.errors.map((e) => e.pointer)).toEqual(['/transactionRef']);
    const invalid = expectProblem(
      await s.api.get(`/v1/certificates?transactionRef=${encodeURIComponent('has space!')}`, { token: tokens.exchange }),
      400,
      'validation-failed',
    );
    expect(invalid.errors.map((e) => e.pointer)).toEqual(['/transactionRef']);
    const tooLong = await s.api.get(`/v1/certificates?transactionRef=${'A'.repeat(65)}`, { token: tokens.exchange });
    expectProblem(tooLong, 400, 'validation-failed');
  });
});

describe('verify', () => {
  it('judges any token with 200 and verified: false', async () => {
    const record = await issued(issueRequestAt(new Date()));
    const [h, p, sig] = record.token.split('.') as [string, string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const presented = {
      garbage: 'garbage',
      empty: '',
      padded: `${h}.${p}.${sig}=`,
      'tampered payload': `${h}.${flip(p, 10)}.${sig}`,
      'tampered signature': `${h}.${p}.${flip(sig, 5)}`,
      'four parts': `${record.token}.${sig}`,
      whitespace: ` ${record.token}`,
    };
    for (const [what, token] of Object.entries(presented)) {
      const result = await verify(token);
      expect({ what, verified: result.verified, status: result.status }).toEqual({ what, verified: false, status: 'invalid' });
      expect(result.checks.some((c) => !c.ok)).toBe(true);
    }
    // The untouched token still verifies: the failures above come from the tampering.
    expect(await verify(record.token)).toMatchObject({ verified: true, status: 'active' });
  });

  it('answers 400 for a body without a string token or not JSON', async () => {
    const api = running().api;
    expectProblem(await api.post('/v1/verify', { json: {} }), 400, 'validation-failed');
    const wrongType = expectProblem(await api.post('/v1/verify', { json: { token: 42 } }), 400, 'validation-failed');
    expect(wrongType.errors.map((e) => e.pointer)).toEqual(['/token']);
    expectProblem(await api.post('/v1/verify', { body: 'token=abc', headers: { 'content-type': 'application/json' } }), 400, 'malformed-json');
    expectProblem(await api.post('/v1/verify', { body: '{"token":"x"}', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported-media-type');
  });
});

describe('JWKS', () => {
  it('publishes the key that signed the certificates, with a Cache-Control', async () => {
    const record = await issued(issueRequestAt(new Date()));
    const r = await running().api.get('/.well-known/jwks.json');
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const set = r.json<JSONWebKeySet>();
    const kid = decodeProtectedHeader(record.token).kid;
    const key = set.keys.find((k) => k.kid === kid);
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(key).not.toHaveProperty('d');
    const { payload } = await jwtVerify(record.token, createLocalJWKSet(set), { algorithms: ['ES256'], typ: 'vc+jwt' });
    expect(payload['id']).toBe(`urn:uuid:${record.id}`);
  });
});

// Last: this breaks the service's table on purpose.
describe('GET /v1/certificate-numbers/{certificateNo}: the compact reference of a QR code', () => {
  it('opens the certificate for its number and check value, with no token, and refuses anything else alike', async () => {
    const record = await issued(issueRequestAt(new Date()));
    const check = await certificateCheckValue(record.token);
    const opened = await running().api.get(`/v1/certificate-numbers/${record.certificateNo}?check=${check.toLowerCase()}`);
    expect(opened.status, opened.text).toBe(200);
    expect(opened.json()).toEqual({ id: record.id, certificateNo: record.certificateNo, token: record.token });
    expect(opened.headers.get('cache-control')).toBe('public, max-age=3600');

    const wrong = check.startsWith('0') ? `1${check.slice(1)}` : `0${check.slice(1)}`;
    const refused = expectProblem(await running().api.get(`/v1/certificate-numbers/${record.certificateNo}?check=${wrong}`), 404, 'certificate-not-found');
    const unknown = expectProblem(await running().api.get(`/v1/certificate-numbers/${newCertificateNumber(new Date())}?check=${check}`), 404, 'certificate-not-found');
    expect(refused.title).toBe(unknown.title);
    expectProblem(await running().api.get(`/v1/certificate-numbers/${record.certificateNo}`), 400, 'validation-failed');
    expectProblem(await running().api.get(`/v1/certificate-numbers/12345?check=${check}`), 400, 'validation-failed');
  });
});

describe('a failing dependency', () => {
  it('answers a 5xx problem document that carries no internals', async () => {
    const s = running();
    const record = await issued(issueRequestAt(new Date()));
    await s.dynamodb.send(new DeleteTableCommand({ TableName: s.service.tableName }));

    const answers = [
      await s.api.get(`/v1/certificates/${record.id}`, { token: tokens.auditor }),
      await s.api.post('/v1/verify', { json: { token: record.token } }),
      await issue(issueRequestAt(new Date())),
      await s.api.post(`/v1/certificates/${record.id}/revoke`, { token: tokens.admin, json: { reason: 'unspecified' } }),
    ];
    for (const r of answers) {
      expect(r.status, r.text).toBeGreaterThanOrEqual(500);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      const doc = ProblemDocumentSchema.parse(r.json());
      expect(['internal-error', 'service-unavailable']).toContain(doc.code);
      expect(doc.errors).toEqual([]);
      expect(r.text).not.toMatch(/ResourceNotFound|non-existent table|Requested resource|dynamodb|\bat \w+ \(|\.ts:\d+|stack|Exception/i);
      expect(r.text).not.toContain(s.service.tableName);
      expect(r.text).not.toContain(s.service.dynamoDb.endpoint);
    }
  });

  it('answers 503 with Retry-After and nothing else when the database does not answer at all', async () => {
    const s = running();
    // The DynamoDB Local process this file's service started; its handle copes with an early exit.
    process.kill(s.service.dynamoDb.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const r = await s.api.post('/v1/verify', { json: { token: 'x.y.z' } });
    // A token that is not ours never reaches the table: still a verdict.
    expect(r.status).toBe(200);
    const answers = [
      await s.api.get('/v1/certificates/01900000-0000-7000-8000-000000000002', { token: tokens.auditor }),
      await issue(issueRequestAt(new Date())),
    ];
    for (const a of answers) {
      const doc = expectProblem(a, 503, 'service-unavailable');
      expect(a.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(doc.errors).toEqual([]);
      expect(a.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|connect|\bat \w+ \(|stack|Exception/i);
    }
  });
});
