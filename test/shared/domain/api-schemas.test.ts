import { describe, expect, it } from 'vitest';
import { newCertificateNumber } from '#shared/domain/certificate-number.ts';
import { buildCredential, newCertificateId } from '#shared/domain/credential-builder.ts';
import {
  CertificatePathSchema,
  MAX_TOKEN_LENGTH,
  RevokeRequestSchema,
  StatusListPathSchema,
  TransactionLookupQuerySchema,
  VerifyRequestSchema,
} from '#shared/domain/schemas/api.ts';
import {
  AuditEventSchema,
  AuditTrailSchema,
  CertificateRecordSchema,
  ProblemDocumentSchema,
  TransactionLookupResponseSchema,
  VerificationResultSchema,
} from '#shared/domain/schemas/api-responses.ts';
import { CertificateIdSchema } from '#shared/domain/schemas/common.ts';
import { FIXTURE_NOW, FIXTURE_STATUS_LIST, fixtureIssuance, validIssueRequest } from '../../fixtures/issue-request.ts';

const ID = newCertificateId(FIXTURE_NOW);

function record(): Record<string, unknown> {
  return {
    id: ID,
    certificateNo: newCertificateNumber(FIXTURE_NOW),
    status: 'active',
    token: 'eyJhbGciOiJFUzI1NiJ9.eyJ4IjoxfQ.c2ln',
    issuedAt: '2026-11-20T09:00:00.000Z',
    statusListIndex: 12,
    statusListCredential: 'https://dcc.example.gov.cn/v1/status-lists/0',
    revocation: null,
    supersedes: null,
    supersededBy: null,
  };
}

describe('request schemas', () => {
  it('RevokeRequestSchema takes the seven reasons and an optional bounded comment', () => {
    for (const reason of ['unspecified', 'issued-in-error', 'superseded', 'transaction-cancelled', 'compliance-violation', 'data-breach', 'key-compromise']) {
      expect(RevokeRequestSchema.safeParse({ reason }).success, reason).toBe(true);
    }
    expect(RevokeRequestSchema.safeParse({ reason: 'fraud' }).success).toBe(false);
    expect(RevokeRequestSchema.safeParse({ reason: 'data-breach', comment: 'c'.repeat(500) }).success).toBe(true);
    expect(RevokeRequestSchema.safeParse({ reason: 'data-breach', comment: 'c'.repeat(501) }).success).toBe(false);
    expect(RevokeRequestSchema.safeParse({ reason: 'data-breach', comment: '' }).success).toBe(false);
    expect(RevokeRequestSchema.safeParse({ reason: 'data-breach', revokedAt: '2026-11-20T09:00:00Z' }).success).toBe(false);
    expect(RevokeRequestSchema.safeParse({}).success).toBe(false);
  });

  it('VerifyRequestSchema takes any string token up to the bound, and nothing else', () => {
    expect(VerifyRequestSchema.safeParse({ token: '' }).success).toBe(true);
    expect(VerifyRequestSchema.safeParse({ token: 'not a jws' }).success).toBe(true);
    expect(VerifyRequestSchema.safeParse({ token: 'x'.repeat(MAX_TOKEN_LENGTH) }).success).toBe(true);
    expect(VerifyRequestSchema.safeParse({ token: 'x'.repeat(MAX_TOKEN_LENGTH + 1) }).success).toBe(false);
    expect(VerifyRequestSchema.safeParse({ token: 1 }).success).toBe(false);
    expect(VerifyRequestSchema.safeParse({}).success).toBe(false);
    expect(VerifyRequestSchema.safeParse('eyJ...').success).toBe(false);
  });

  it('TransactionLookupQuerySchema takes exactly one valid transactionRef', () => {
    expect(TransactionLookupQuerySchema.parse({ transactionRef: 'SDE-2026-000123' })).toEqual({ transactionRef: 'SDE-2026-000123' });
    expect(TransactionLookupQuerySchema.safeParse({}).success).toBe(false);
    expect(TransactionLookupQuerySchema.safeParse({ transactionRef: 'a b' }).success).toBe(false);
    expect(TransactionLookupQuerySchema.safeParse({ transactionRef: 'a', page: '2' }).success).toBe(false);
  });

  it('path schemas take certificate ids and status list ids', () => {
    expect(CertificatePathSchema.safeParse({ id: ID }).success).toBe(true);
    expect(CertificatePathSchema.safeParse({ id: ID.toUpperCase() }).success).toBe(false);
    expect(CertificateIdSchema.safeParse('../etc/passwd').success).toBe(false);
    expect(StatusListPathSchema.safeParse({ listId: '0' }).success).toBe(true);
    expect(StatusListPathSchema.safeParse({ listId: '17' }).success).toBe(true);
    for (const listId of ['01', '-1', 'a', '', '1.0', '1234567890']) {
      expect(StatusListPathSchema.safeParse({ listId }).success, listId).toBe(false);
    }
  });
});

describe('response schemas', () => {
  it('CertificateRecordSchema accepts an active and a revoked record', () => {
    expect(CertificateRecordSchema.safeParse(record()).success).toBe(true);
    const revoked = {
      ...record(),
      status: 'revoked',
      revocation: { reason: 'superseded', revokedAt: '2026-11-21T00:00:00Z', comment: null },
      supersededBy: newCertificateId(FIXTURE_NOW),
      log: { issued: 3, revoked: 9 },
    };
    expect(CertificateRecordSchema.safeParse(revoked).success).toBe(true);
  });

  it('CertificateRecordSchema refuses internal members and wrong shapes', () => {
    expect(CertificateRecordSchema.safeParse({ ...record(), exchangeId: 'sde' }).success).toBe(false);
    expect(CertificateRecordSchema.safeParse({ ...record(), requestHash: 'x' }).success).toBe(false);
    expect(CertificateRecordSchema.safeParse({ ...record(), statusListIndex: '12' }).success).toBe(false);
    expect(CertificateRecordSchema.safeParse({ ...record(), status: 'expired' }).success).toBe(false);
    expect(CertificateRecordSchema.safeParse({ ...record(), revocation: { reason: 'x', revokedAt: 'y', comment: null } }).success).toBe(false);
  });

  it('TransactionLookupResponseSchema holds at most the one certificate of the transaction', () => {
    expect(TransactionLookupResponseSchema.safeParse({ items: [] }).success).toBe(true);
    expect(TransactionLookupResponseSchema.safeParse({ items: [record()] }).success).toBe(true);
    expect(TransactionLookupResponseSchema.safeParse({ items: [record(), record()] }).success).toBe(false);
  });

  it('VerificationResultSchema ties verified and revocation to the status', async () => {
    const certificate = await buildCredential(validIssueRequest(), fixtureIssuance({ certificateId: ID, status: { statusListCredential: FIXTURE_STATUS_LIST, statusListIndex: 1 } }));
    const checks = [{ name: 'signature', ok: true }, { name: 'status', ok: true }];
    expect(VerificationResultSchema.safeParse({ verified: true, status: 'active', checks, certificate }).success).toBe(true);
    expect(VerificationResultSchema.safeParse({ verified: false, status: 'invalid', checks: [{ name: 'format', ok: false, detail: 'not three parts' }] }).success).toBe(true);
    const revocation = { reason: 'data-breach', revokedAt: '2026-11-21T00:00:00Z', comment: null };
    expect(VerificationResultSchema.safeParse({ verified: false, status: 'revoked', checks, certificate, revocation }).success).toBe(true);
    expect(VerificationResultSchema.safeParse({ verified: true, status: 'expired', checks }).success).toBe(false);
    expect(VerificationResultSchema.safeParse({ verified: false, status: 'revoked', checks }).success).toBe(false);
    expect(VerificationResultSchema.safeParse({ verified: false, status: 'active', checks, revocation }).success).toBe(false);
    expect(VerificationResultSchema.safeParse({ verified: false, status: 'invalid', checks: [] }).success).toBe(false);
  });

  it('AuditEventSchema and AuditTrailSchema describe the trail', () => {
    const issued = { certificateId: ID, type: 'issued', at: '2026-11-20T09:00:00.000Z', actor: 'sde', detail: { transactionRef: 'SDE-1', supersedes: null } };
    const revoked = { certificateId: ID, type: 'revoked', at: '2026-11-21T09:00:00.000Z', actor: 'admin-1', detail: { reason: 'data-breach', comment: null } };
    expect(AuditEventSchema.safeParse(issued).success).toBe(true);
    expect(AuditTrailSchema.safeParse({ certificateId: ID, events: [issued, revoked] }).success).toBe(true);
    expect(AuditEventSchema.safeParse({ ...issued, type: 'replayed' }).success).toBe(false);
    expect(AuditEventSchema.safeParse({ ...issued, detail: { n: 1 } }).success).toBe(false);
  });

  it('ProblemDocumentSchema is RFC 9457 with code and errors', () => {
    const problem = {
      type: 'urn:dcc:problem:compliance-rule-violation',
      title: 'The transaction violates compliance rules',
      status: 422,
      detail: 'The transaction violates 1 compliance rule.',
      code: 'compliance-rule-violation',
      errors: [{ pointer: '/dataProduct/classification', message: 'core data is never certified', code: 'core-data-not-certifiable' }],
    };
    expect(ProblemDocumentSchema.safeParse(problem).success).toBe(true);
    expect(ProblemDocumentSchema.safeParse({ ...problem, errors: [] }).success).toBe(true);
    expect(ProblemDocumentSchema.safeParse({ ...problem, status: 200 }).success).toBe(false);
    expect(ProblemDocumentSchema.safeParse({ ...problem, errors: [{ pointer: 'dataProduct', message: 'x' }] }).success).toBe(false);
    expect(ProblemDocumentSchema.safeParse({ ...problem, stack: 'Error: at …' }).success).toBe(false);
    const { errors: _omitted, ...withoutErrors } = problem;
    expect(ProblemDocumentSchema.safeParse(withoutErrors).success).toBe(false);
  });
});
