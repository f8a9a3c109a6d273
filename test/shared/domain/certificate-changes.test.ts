import { describe, expect, it } from 'vitest';
import {
  alreadyRevoked,
  assertRevocable,
  certificateNotFound,
  checkNewCertificate,
  replayOrConflict,
  supersedeInvalid,
  supersedeProblem,
  supersedeStep,
} from '#shared/domain/certificate-changes.ts';
import { DomainError } from '#shared/domain/errors.ts';
import type { StoredCertificate } from '#shared/domain/records.ts';

const url = (listId: string) => `https://dcc.example/v1/status-lists/${listId}`;

function certificate(overrides: Partial<StoredCertificate> = {}): StoredCertificate {
  return {
    id: 'urn:uuid:0195f0c2-7a3b-7000-8000-000000000001',
    certificateNo: '20261120000000000017',
    exchangeId: 'sde',
    transactionRef: 'SDE-2026-000123',
    requestHash: 'a'.repeat(64),
    token: 'header.payload.signature',
    issuedAt: '2026-11-20T08:31:00.000Z',
    validUntil: '2027-11-30T23:59:59Z',
    status: 'active',
    statusList: { listId: '0', index: 9000 },
    statusListCredential: url('0'),
    revocation: null,
    supersedes: null,
    supersededBy: null,
    ...overrides,
  };
}

const revoked = (c: StoredCertificate): StoredCertificate => ({
  ...c,
  status: 'revoked',
  revocation: { reason: 'data-breach', revokedAt: '2026-11-21T00:00:00.000Z', comment: null },
});

describe('replayOrConflict', () => {
  it('answers the same request with the stored certificate, and another request with a conflict', () => {
    const stored = certificate({ token: 'stored.token.bytes' });
    const again = certificate({ id: 'urn:uuid:again', token: 'other.token.bytes' });
    expect(replayOrConflict(stored, again)).toEqual({ outcome: 'replayed', certificate: stored });
    const different = { ...again, requestHash: 'b'.repeat(64) };
    expect(replayOrConflict(stored, different)).toEqual({ outcome: 'conflict', existing: stored });
  });
});

describe('supersede targets', () => {
  const target = certificate({ id: 'urn:uuid:old', transactionRef: 'SDE-2026-000100' });
  const correction = certificate({ supersedes: 'urn:uuid:old' });

  it('names what is wrong with a target: absent, of another exchange, or no longer active', () => {
    expect(supersedeProblem(null, 'sde')).toBe('not-found');
    expect(supersedeProblem(target, 'zde')).toBe('other-exchange');
    expect(supersedeProblem(revoked(target), 'sde')).toBe('not-active');
    // Another exchange is named before the state, which is not that exchange's business.
    expect(supersedeProblem(revoked(target), 'zde')).toBe('other-exchange');
    expect(supersedeProblem(target, 'sde')).toBeNull();
  });

  it('supersedes an active target of its own exchange', () => {
    expect(supersedeStep(target, correction)).toEqual({ step: 'supersede', target });
  });

  it('treats a target stored under its own transaction as that transaction’s certificate', () => {
    const own = { ...target, transactionRef: correction.transactionRef };
    expect(supersedeStep(own, correction)).toEqual({ step: 'same-transaction', stored: own });
  });

  it('calls every other target invalid, with the problem', () => {
    expect(supersedeStep(null, correction)).toEqual({ step: 'invalid', problem: 'not-found' });
    expect(supersedeStep({ ...target, exchangeId: 'zde' }, correction)).toEqual({ step: 'invalid', problem: 'other-exchange' });
    expect(supersedeStep(revoked(target), correction)).toEqual({ step: 'invalid', problem: 'not-active' });
  });

  it('refuses with a field problem at /supersedes that carries the problem as its code', () => {
    const error = supersedeInvalid('urn:uuid:old', 'other-exchange');
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('supersede-target-invalid');
    expect(error.message).toMatch(/another exchange/);
    expect(error.errors).toEqual([{ pointer: '/supersedes', message: error.message, code: 'other-exchange' }]);
  });
});

describe('checkNewCertificate', () => {
  it('accepts a new certificate with its own list URL, with or without a matching supersede', () => {
    expect(() => checkNewCertificate(certificate(), null, url)).not.toThrow();
    expect(() => checkNewCertificate(certificate({ supersedes: 'urn:uuid:old' }), { certificateId: 'urn:uuid:old' }, url)).not.toThrow();
  });

  it.each([
    ['revoked', { status: 'revoked' as const }],
    ['superseded', { supersededBy: 'urn:uuid:other' }],
    ['of another list URL', { statusListCredential: url('1') }],
  ])('refuses a certificate that is %s as a programming error', (_, overrides) => {
    expect(() => checkNewCertificate(certificate(overrides), null, url)).toThrow(TypeError);
  });

  it('refuses a supersede command that names another target than the certificate', () => {
    expect(() => checkNewCertificate(certificate({ supersedes: 'urn:uuid:a' }), { certificateId: 'urn:uuid:b' }, url)).toThrow(TypeError);
    expect(() => checkNewCertificate(certificate({ supersedes: 'urn:uuid:a' }), null, url)).toThrow(TypeError);
  });

  it('refuses a certificate that supersedes itself as a target that does not exist', () => {
    const self = certificate({ supersedes: 'urn:uuid:0195f0c2-7a3b-7000-8000-000000000001' });
    expect(() => checkNewCertificate(self, { certificateId: self.id }, url)).toThrow(
      expect.objectContaining({ code: 'supersede-target-invalid', errors: [expect.objectContaining({ code: 'not-found' })] }),
    );
  });
});

describe('revocation', () => {
  it('allows an active certificate only', () => {
    const active = certificate();
    expect(() => assertRevocable(active, active.id)).not.toThrow();
    expect(() => assertRevocable(null, 'urn:uuid:gone')).toThrow(expect.objectContaining({ code: 'certificate-not-found' }));
    expect(() => assertRevocable(revoked(active), active.id)).toThrow(expect.objectContaining({ code: 'already-revoked' }));
  });

  it('says how a certificate was revoked when it refuses a second revocation', () => {
    const error = alreadyRevoked(revoked(certificate()));
    expect(error.code).toBe('already-revoked');
    expect(error.message).toMatch(/data-breach, 2026-11-21T00:00:00.000Z/);
    expect(alreadyRevoked({ ...certificate(), status: 'revoked' }).message).not.toMatch(/\(/);
    expect(certificateNotFound('urn:uuid:x')).toMatchObject({ code: 'certificate-not-found', message: 'No certificate urn:uuid:x.' });
  });
});
