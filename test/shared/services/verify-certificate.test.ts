import { describe, expect, it } from 'vitest';
import { signCertificate } from '#shared/domain/certificate.ts';
import { newCertificateNumber } from '#shared/domain/certificate-number.ts';
import { buildCredential, newCertificateId } from '#shared/domain/credential-builder.ts';
import type { CertificateStore } from '#shared/ports/certificate-store.ts';
import { issueCertificate } from '#shared/services/issue-certificate.ts';
import { LogIntegrator } from '#shared/services/log-integrator.ts';
import { LogReader } from '#shared/services/log-reader.ts';
import { revokeCertificate } from '#shared/services/revoke-certificate.ts';
import { type VerifyDeps, verifyPresentedToken } from '#shared/services/verify-certificate.ts';
import { FIXTURE_NOW, FIXTURE_VOCABULARY, validIssueRequest } from '../../fixtures/issue-request.ts';
import { testNoteSigner } from '../../support/audit-events.ts';
import {
  TEST_EXCHANGE,
  TEST_ISSUER,
  certificateServices,
  countingCertificateSigner,
  testStatusListUrl,
} from '../../support/certificate-services.ts';

/**
 * The verify use case with a real P-256 key and the in-memory store: every outcome of a presented
 * token, at clocks inside, before and after the fixture's usage window (2026-12-01 to 2027-11-30).
 */

const IN_WINDOW = new Date('2027-03-01T00:00:00Z');
const BEFORE_WINDOW = new Date('2026-11-25T00:00:00Z');
const AFTER_WINDOW = new Date('2027-12-15T00:00:00Z');

/** One issued certificate, and verify dependencies over the same store, counting its reads. */
async function issued() {
  const services = certificateServices();
  const { record } = await issueCertificate(services.issueDeps, TEST_EXCHANGE, validIssueRequest(), new Date(FIXTURE_NOW));
  let reads = 0;
  const store: Pick<CertificateStore, 'get'> = {
    get: (id) => {
      reads += 1;
      return services.stores.certificates.get(id);
    },
  };
  const deps: VerifyDeps = {
    store,
    keys: async () => [await services.signer.publicJwk()],
    clockSkewSeconds: 300,
  };
  return { ...services, record, deps, reads: () => reads };
}

const checkNames = (checks: { name: string; ok: boolean }[]) => checks.map((c) => `${c.name}:${c.ok ? 'ok' : 'failed'}`);

describe('a genuine certificate on record', () => {
  it('verifies as active inside its usage window, every check passed', async () => {
    const { record, deps } = await issued();
    const result = await verifyPresentedToken(deps, record.token, IN_WINDOW);
    expect(result).toMatchObject({ verified: true, status: 'active', certificate: { id: `urn:uuid:${record.id}`, issuer: TEST_ISSUER } });
    expect(result.checks.every((c) => c.ok)).toBe(true);
    expect(checkNames(result.checks)).toEqual(expect.arrayContaining(['signature:ok', 'registered:ok', 'status:ok']));
    expect(result.revocation).toBeUndefined();
  });

  it('is not yet valid before its window and expired after it, though genuine and on record', async () => {
    const { record, deps } = await issued();
    const early = await verifyPresentedToken(deps, record.token, BEFORE_WINDOW);
    expect(early).toMatchObject({ verified: false, status: 'not-yet-valid' });
    expect(checkNames(early.checks)).toEqual(expect.arrayContaining(['signature:ok', 'registered:ok', 'validity:failed']));
    const late = await verifyPresentedToken(deps, record.token, AFTER_WINDOW);
    expect(late).toMatchObject({ verified: false, status: 'expired' });
    expect(checkNames(late.checks)).toEqual(expect.arrayContaining(['signature:ok', 'registered:ok', 'validity:failed']));
  });

  it('is revoked from the moment the revocation is recorded, with the revocation in the result', async () => {
    const { stores, record, deps } = await issued();
    const revokedAt = new Date('2027-02-01T08:00:00Z');
    await revokeCertificate(
      stores.certificates,
      { certificateId: record.id, reason: 'transaction-cancelled', comment: 'cancelled by both parties', actor: 'admin-1' },
      revokedAt,
    );
    const result = await verifyPresentedToken(deps, record.token, IN_WINDOW);
    expect(result).toMatchObject({
      verified: false,
      status: 'revoked',
      revocation: { reason: 'transaction-cancelled', revokedAt: revokedAt.toISOString(), comment: 'cancelled by both parties' },
    });
    expect(result.checks.find((c) => c.name === 'status')).toMatchObject({ ok: false, detail: expect.stringContaining('transaction-cancelled') });
  });
});

describe('a token that is not a genuine certificate on record', () => {
  it('with a changed payload is invalid at the signature, and the store is never read', async () => {
    const { record, deps, reads } = await issued();
    const [header, payload, signature] = record.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    claims.credentialSubject.transaction.amount.value = '1.00';
    const tampered = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');

    const result = await verifyPresentedToken(deps, tampered, IN_WINDOW);
    expect(result).toMatchObject({ verified: false, status: 'invalid' });
    expect(checkNames(result.checks)).toContain('signature:failed');
    expect(result.certificate).toBeUndefined();
    expect(result.checks.some((c) => c.name === 'registered')).toBe(false);
    expect(reads()).toBe(0);
  });

  it('signed by another key is invalid', async () => {
    const { deps } = await issued();
    const stranger = certificateServices();
    const { record } = await issueCertificate(stranger.issueDeps, TEST_EXCHANGE, validIssueRequest(), new Date(FIXTURE_NOW));
    const result = await verifyPresentedToken(deps, record.token, IN_WINDOW);
    expect(result).toMatchObject({ verified: false, status: 'invalid' });
    expect(result.checks.some((c) => !c.ok && (c.name === 'key' || c.name === 'signature'))).toBe(true);
  });

  it('signed by our key but never recorded is invalid as not on record', async () => {
    const { deps, signer, reads } = await issued();
    const now = new Date(FIXTURE_NOW);
    const credential = await buildCredential(validIssueRequest(), {
      certificateId: newCertificateId(now),
      certificateNo: newCertificateNumber(now),
      issuer: TEST_ISSUER,
      exchange: { id: TEST_EXCHANGE.id, name: TEST_EXCHANGE.name },
      now,
      status: { statusListCredential: testStatusListUrl('0'), statusListIndex: 7 },
      vocabulary: FIXTURE_VOCABULARY,
    });
    const token = await signCertificate(credential, signer);
    const result = await verifyPresentedToken(deps, token, IN_WINDOW);
    expect(result).toMatchObject({ verified: false, status: 'invalid', certificate: { id: credential.id } });
    expect(result.checks.find((c) => c.name === 'registered')).toMatchObject({ ok: false });
    expect(checkNames(result.checks)).toContain('signature:ok');
    expect(reads()).toBe(1);
  });

  it('that is not a JWS at all is invalid, without an error', async () => {
    const { deps, reads } = await issued();
    for (const token of ['', 'not-a-token', 'a.b.c', '{"alg":"none"}']) {
      const result = await verifyPresentedToken(deps, token, IN_WINDOW);
      expect(result).toMatchObject({ verified: false, status: 'invalid' });
      expect(result.checks.some((c) => !c.ok)).toBe(true);
    }
    expect(reads()).toBe(0);
  });

  it('is invalid when the keys no longer include the signing key', async () => {
    const { record, deps } = await issued();
    const rotated = countingCertificateSigner();
    const result = await verifyPresentedToken({ ...deps, keys: async () => [await rotated.publicJwk()] }, record.token, IN_WINDOW);
    expect(result).toMatchObject({ verified: false, status: 'invalid' });
  });
});

describe('with the log', () => {
  it("reports the log's view only on request, and only for a certificate on record", async () => {
    const { stores, record, deps } = await issued();
    const reader = new LogReader(stores.log);
    const withLog: VerifyDeps = { ...deps, logInclusion: (id, sha) => reader.inclusion(id, sha) };

    // Nothing integrated yet: no checkpoint, so no log view.
    expect((await verifyPresentedToken(withLog, record.token, IN_WINDOW, { withLog: true })).log).toBeUndefined();

    await new LogIntegrator({ store: stores.log, signer: testNoteSigner() }).drain();
    const result = await verifyPresentedToken(withLog, record.token, IN_WINDOW, { withLog: true });
    expect(result.log).toEqual({ issued: 0, treeSize: 1, inclusionVerified: true });
    expect((await verifyPresentedToken(withLog, record.token, IN_WINDOW)).log).toBeUndefined();
  });
});
