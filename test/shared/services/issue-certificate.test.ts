import { compactVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { DomainError } from '#shared/domain/errors.ts';
import { errorToResponse } from '#shared/http/handler.ts';
import { issueCertificate } from '#shared/services/issue-certificate.ts';
import { FIXTURE_NOW, validIssueRequest } from '../../fixtures/issue-request.ts';
import { TEST_EXCHANGE, TEST_ISSUER, certificateServices, testStatusListUrl } from '../../support/certificate-services.ts';

/**
 * The issue use case on the in-memory stores with a real P-256 key, at the fixture's fixed
 * `now`: what it signs, what it records, and how it answers a replay, a conflict, a correction
 * and a request that breaks the compliance rules.
 */

const now = () => new Date(FIXTURE_NOW);
const MINUTE = 60_000;

async function payloadOf(token: string, jwk: Parameters<typeof compactVerify>[1]) {
  const { payload, protectedHeader } = await compactVerify(token, jwk, { algorithms: ['ES256'] });
  return { header: protectedHeader, payload: JSON.parse(Buffer.from(payload).toString('utf8')) as Record<string, unknown> };
}

describe('a new transaction', () => {
  it('is signed, recorded with its issued event, and dated at the injected clock', async () => {
    const { stores, signer, issueDeps } = certificateServices();
    const request = validIssueRequest();
    const outcome = await issueCertificate(issueDeps, TEST_EXCHANGE, request, now());

    expect(outcome.outcome).toBe('created');
    const record = outcome.record;
    expect(record).toMatchObject({
      status: 'active',
      issuedAt: FIXTURE_NOW.toISOString(),
      statusListIndex: 0,
      statusListCredential: testStatusListUrl('0'),
      revocation: null,
      supersedes: null,
      supersededBy: null,
    });
    // A UUIDv7 whose timestamp is the injected clock.
    expect(record.id.replace(/-/g, '').slice(0, 12)).toBe(FIXTURE_NOW.getTime().toString(16).padStart(12, '0'));
    expect(signer.signatures).toBe(1);

    const { header, payload } = await payloadOf(record.token, await signer.publicJwk());
    expect(header).toEqual({ alg: 'ES256', typ: 'vc+jwt', kid: (await signer.publicJwk()).kid });
    expect(payload).toMatchObject({
      id: `urn:uuid:${record.id}`,
      issuer: TEST_ISSUER,
      certificateNo: record.certificateNo,
      validFrom: request.usage.validFrom,
      validUntil: request.usage.validUntil,
      iat: Math.floor(FIXTURE_NOW.getTime() / 1000),
      credentialSubject: { transaction: { exchange: { id: TEST_EXCHANGE.id }, transactionRef: request.transactionRef } },
      credentialStatus: { statusListIndex: '0', statusListCredential: testStatusListUrl('0') },
    });

    const stored = await stores.certificates.get(record.id);
    expect(stored).toMatchObject({ token: record.token, exchangeId: TEST_EXCHANGE.id, transactionRef: request.transactionRef });
    expect(await stores.certificates.findByTransaction(TEST_EXCHANGE.id, request.transactionRef)).toEqual(stored);
    const events = await stores.certificates.events(record.id);
    expect(events.map((e) => [e.type, e.at, e.actor])).toEqual([['issued', FIXTURE_NOW.toISOString(), TEST_EXCHANGE.id]]);
    // The issued event waits in the log's outbox.
    expect((await stores.log.pendingEvents(10)).map((p) => p.event.certificateId)).toEqual([record.id]);
  });

  it('takes the next status list position for each new transaction', async () => {
    const { issueDeps } = certificateServices({ statusListSize: 2 });
    const positions: string[] = [];
    for (let i = 0; i < 3; i++) {
      const request = { ...validIssueRequest(), transactionRef: `SDE-2026-00012${i}` };
      const { record } = await issueCertificate(issueDeps, TEST_EXCHANGE, request, now());
      positions.push(`${record.statusListCredential}#${record.statusListIndex}`);
    }
    expect(positions).toEqual([`${testStatusListUrl('0')}#0`, `${testStatusListUrl('0')}#1`, `${testStatusListUrl('1')}#0`]);
  });
});

describe('the same transaction again', () => {
  it('with the same request is a replay: the stored certificate, byte for byte, and nothing new recorded', async () => {
    const { stores, issueDeps } = certificateServices();
    const first = await issueCertificate(issueDeps, TEST_EXCHANGE, validIssueRequest(), now());
    // A retry a minute later, with the members in another order.
    const reordered = Object.fromEntries(Object.entries(validIssueRequest()).reverse()) as ReturnType<typeof validIssueRequest>;
    const again = await issueCertificate(issueDeps, TEST_EXCHANGE, reordered, new Date(FIXTURE_NOW.getTime() + MINUTE));

    expect(again).toEqual({ outcome: 'replayed', record: first.record });
    expect(await stores.certificates.events(first.record.id)).toHaveLength(1);
    expect(await stores.log.pendingEvents(10)).toHaveLength(1);
  });

  it('with a different request is a conflict, and the stored certificate stays', async () => {
    const { stores, issueDeps } = certificateServices();
    const first = await issueCertificate(issueDeps, TEST_EXCHANGE, validIssueRequest(), now());
    const changed = validIssueRequest();
    changed.amount.value = '120000.01';

    const error = await issueCertificate(issueDeps, TEST_EXCHANGE, changed, now()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'transaction-conflict', errors: [{ pointer: '/transactionRef' }] });
    expect((error as Error).message).toContain(first.record.certificateNo);
    expect(await stores.certificates.findByTransaction(TEST_EXCHANGE.id, changed.transactionRef)).toMatchObject({
      id: first.record.id,
      token: first.record.token,
    });
    expect(await stores.log.pendingEvents(10)).toHaveLength(1);
  });

  it('from another exchange is a transaction of its own', async () => {
    const { issueDeps } = certificateServices();
    const first = await issueCertificate(issueDeps, TEST_EXCHANGE, validIssueRequest(), now());
    const other = { ...TEST_EXCHANGE, id: 'sz-data-exchange', name: 'Shenzhen Data Exchange' };
    const second = await issueCertificate(issueDeps, other, validIssueRequest(), now());
    expect(second.outcome).toBe('created');
    expect(second.record.id).not.toBe(first.record.id);
  });
});

describe('a correction (supersedes)', () => {
  it('issues the new certificate and revokes the old one as superseded, at the same moment', async () => {
    const { stores, issueDeps } = certificateServices();
    const old = await issueCertificate(issueDeps, TEST_EXCHANGE, validIssueRequest(), now());
    const correction = { ...validIssueRequest(), transactionRef: 'SDE-2026-000124', supersedes: old.record.id };
    const later = new Date(FIXTURE_NOW.getTime() + 5 * MINUTE);
    const fresh = await issueCertificate(issueDeps, TEST_EXCHANGE, correction, later);

    expect(fresh).toMatchObject({ outcome: 'created', record: { supersedes: old.record.id, status: 'active' } });
    const { payload } = await payloadOf(fresh.record.token, await issueDeps.signer.publicJwk());
    expect(payload).toMatchObject({ credentialSubject: { supersedes: `urn:uuid:${old.record.id}` } });
    expect(await stores.certificates.get(old.record.id)).toMatchObject({
      status: 'revoked',
      supersededBy: fresh.record.id,
      revocation: { reason: 'superseded', revokedAt: later.toISOString(), comment: null },
    });
    expect((await stores.statusLists.revokedIndexes('0'))?.indexes).toEqual([old.record.statusListIndex]);
    expect((await stores.certificates.events(old.record.id)).map((e) => [e.type, e.at])).toEqual([
      ['issued', FIXTURE_NOW.toISOString()],
      ['superseded', later.toISOString()],
    ]);

    // The same correction again is a replay, although its target is no longer active.
    const replay = await issueCertificate(issueDeps, TEST_EXCHANGE, correction, later);
    expect(replay).toEqual({ outcome: 'replayed', record: fresh.record });
  });

  it('is refused for a revoked, unknown or foreign target, and records nothing', async () => {
    const { stores, issueDeps } = certificateServices();
    const revoked = await issueCertificate(issueDeps, TEST_EXCHANGE, validIssueRequest(), now());
    await stores.certificates.revoke({
      certificateId: revoked.record.id,
      reason: 'issued-in-error',
      comment: null,
      revokedAt: now().toISOString(),
      actor: 'admin-1',
    });
    const other = { ...TEST_EXCHANGE, id: 'sz-data-exchange' };
    const foreign = await issueCertificate(issueDeps, other, { ...validIssueRequest(), transactionRef: 'SZ-1' }, now());
    const unknown = '0190d5f2-0000-7000-8000-000000000001';

    for (const [target, problem] of [
      [revoked.record.id, 'not-active'],
      [unknown, 'not-found'],
      [foreign.record.id, 'other-exchange'],
    ] as const) {
      const correction = { ...validIssueRequest(), transactionRef: `SDE-FIX-${problem}`, supersedes: target };
      await expect(issueCertificate(issueDeps, TEST_EXCHANGE, correction, now())).rejects.toMatchObject({
        code: 'supersede-target-invalid',
        errors: [{ pointer: '/supersedes', code: problem }],
      });
      expect(await stores.certificates.findByTransaction(TEST_EXCHANGE.id, correction.transactionRef)).toBeNull();
    }
    expect(await stores.certificates.get(foreign.record.id)).toMatchObject({ status: 'active', supersededBy: null });
  });
});

describe('a request that breaks the compliance rules', () => {
  it('is refused as a compliance-rule-violation (422) before anything is signed or reserved', async () => {
    const { stores, signer, issueDeps } = certificateServices();
    const request = validIssueRequest();
    // Traded an hour after the clock: beyond the five minutes of tolerated skew.
    request.tradedAt = new Date(FIXTURE_NOW.getTime() + 60 * MINUTE).toISOString();
    request.usage.validUntil = '2026-11-30T00:00:00Z';

    const error = await issueCertificate(issueDeps, TEST_EXCHANGE, request, now()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('compliance-rule-violation');
    expect((error as DomainError).message).toMatch(/violates 2 compliance rules/);
    const codes = (error as DomainError).errors.map((p) => p.code);
    expect(codes).toEqual(expect.arrayContaining(['traded-at-in-future', 'validity-window-not-ordered']));
    const quiet = { info: () => {}, warn: () => {}, error: () => {} };
    const response = errorToResponse(error, quiet);
    expect(response.statusCode).toBe(422);
    expect(JSON.parse(String(response.body))).toMatchObject({ status: 422, code: 'compliance-rule-violation' });

    expect(signer.signatures).toBe(0);
    expect(await stores.statusLists.revokedIndexes('0')).toBeNull();
    expect(await stores.certificates.findByTransaction(TEST_EXCHANGE.id, request.transactionRef)).toBeNull();
  });

  it('is judged at the injected clock, not the machine clock', async () => {
    const { issueDeps } = certificateServices();
    // The fixture's trade is 30 minutes before its clock; a day earlier, the same trade is in the future.
    const dayBefore = new Date(FIXTURE_NOW.getTime() - 24 * 60 * MINUTE);
    await expect(issueCertificate(issueDeps, TEST_EXCHANGE, validIssueRequest(), dayBefore)).rejects.toMatchObject({
      code: 'compliance-rule-violation',
    });
    await expect(issueCertificate(issueDeps, TEST_EXCHANGE, validIssueRequest(), now())).resolves.toMatchObject({ outcome: 'created' });
  });
});
