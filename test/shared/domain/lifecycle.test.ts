import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { changeTime, inLifecycleOrder, issuedEvent, revocationOf, supersessionOf } from '#shared/domain/lifecycle.ts';
import type { StoredCertificate } from '#shared/domain/records.ts';

describe('changeTime', () => {
  it('dates a change at the clock when it reads after the issuance', () => {
    expect(changeTime('2026-11-20T09:00:00Z', '2026-11-20T10:00:00+08:00')).toBe('2026-11-20T09:00:00.000Z');
    expect(changeTime('2026-11-20T09:00:00Z', '2026-11-20T09:00:00.001Z')).toBe('2026-11-20T09:00:00.001Z');
  });

  it('dates a change at the issuance when the clock reads earlier', () => {
    expect(changeTime('2026-11-20T09:00:00.500Z', '2026-11-20T08:59:59Z')).toBe('2026-11-20T09:00:00.500Z');
  });

  it('refuses what is not a time', () => {
    expect(() => changeTime('yesterday', '2026-11-20T09:00:00Z')).toThrow(TypeError);
    expect(() => changeTime('2026-11-20T09:00:00Z', '')).toThrow(TypeError);
  });
});

describe('inLifecycleOrder', () => {
  it('puts the issuance first even when a later change carries an earlier time', () => {
    const events = [
      { type: 'revoked' as const, at: '2026-11-20T08:00:00Z' },
      { type: 'issued' as const, at: '2026-11-20T09:00:00Z' },
    ];
    expect(inLifecycleOrder(events).map((e) => e.type)).toEqual(['issued', 'revoked']);
    expect(events[0]?.type).toBe('revoked');
  });

  it('orders the other changes by time', () => {
    const events = [
      { type: 'superseded' as const, at: '2026-11-21T00:00:00Z' },
      { type: 'revoked' as const, at: '2026-11-20T23:00:00+08:00' },
      { type: 'issued' as const, at: '2026-11-20T00:00:00Z' },
    ];
    expect(inLifecycleOrder(events).map((e) => e.type)).toEqual(['issued', 'revoked', 'superseded']);
  });
});

describe('the audit events of a certificate', () => {
  const certificate: StoredCertificate = {
    id: '0190d5f2-0000-7000-8000-000000000001',
    certificateNo: '12345678901234567890',
    exchangeId: 'sde',
    transactionRef: 'SDE-1',
    requestHash: 'a'.repeat(64),
    token: 'eyJhbGciOiJFUzI1NiJ9.eyJpZCI6MX0.c2ln',
    issuedAt: '2026-11-20T09:00:00.000Z',
    validUntil: '2027-11-20T09:00:00Z',
    status: 'active',
    statusList: { listId: '3', index: 42 },
    statusListCredential: 'https://dcc.example/v1/status-lists/3',
    revocation: null,
    supersedes: null,
    supersededBy: null,
  };
  const common = {
    certificateId: certificate.id,
    certificateNo: certificate.certificateNo,
    statusListId: '3',
    statusListIndex: 42,
    tokenSha256: createHash('sha256').update(certificate.token).digest('hex'),
  };

  it('records the issuance at its own time, by the exchange', () => {
    expect(issuedEvent(certificate)).toEqual({
      ...common,
      type: 'issued',
      at: certificate.issuedAt,
      actor: 'sde',
      detail: { transactionRef: 'SDE-1', supersedes: null },
    });
  });

  it('dates a revocation no earlier than the issuance, in the revocation and its event alike', () => {
    const order = { reason: 'data-breach' as const, comment: 'leak', actor: 'admin-1' };
    const late = revocationOf(certificate, { ...order, now: '2026-11-21T00:00:00Z' });
    expect(late.revocation).toEqual({ reason: 'data-breach', revokedAt: '2026-11-21T00:00:00.000Z', comment: 'leak' });
    expect(late.event).toEqual({ ...common, type: 'revoked', at: '2026-11-21T00:00:00.000Z', actor: 'admin-1', detail: { reason: 'data-breach', comment: 'leak' } });
    const early = revocationOf(certificate, { ...order, now: '2026-11-19T00:00:00Z' });
    expect(early.revocation.revokedAt).toBe(certificate.issuedAt);
    expect(early.event.at).toBe(certificate.issuedAt);
  });

  it('records a supersession by the correcting exchange, naming the correction', () => {
    const correction = { ...certificate, id: '0190d5f2-0000-7000-8000-000000000002', supersedes: certificate.id };
    const { revocation, event } = supersessionOf(certificate, correction, '2026-11-19T00:00:00Z');
    expect(revocation).toEqual({ reason: 'superseded', revokedAt: certificate.issuedAt, comment: null });
    expect(event).toEqual({ ...common, type: 'superseded', at: certificate.issuedAt, actor: 'sde', detail: { reason: 'superseded', supersededBy: correction.id } });
  });
});
