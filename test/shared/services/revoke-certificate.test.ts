import { describe, expect, it } from 'vitest';
import { DomainError } from '#shared/domain/errors.ts';
import { CertificateRecordSchema } from '#shared/domain/schemas/api-responses.ts';
import { auditTrail } from '#shared/services/audit-trail.ts';
import { issueCertificate } from '#shared/services/issue-certificate.ts';
import { revokeCertificate } from '#shared/services/revoke-certificate.ts';
import { FIXTURE_NOW, validIssueRequest } from '../../fixtures/issue-request.ts';
import { TEST_EXCHANGE, certificateServices } from '../../support/certificate-services.ts';

/**
 * The administrator's revocation on the in-memory store; the record it returns is checked
 * against the API's zod response schema, the contract the route serves.
 */

const MINUTE = 60_000;
const at = (minutes: number) => new Date(FIXTURE_NOW.getTime() + minutes * MINUTE);

async function oneIssued() {
  const services = certificateServices();
  const { record } = await issueCertificate(services.issueDeps, TEST_EXCHANGE, validIssueRequest(), new Date(FIXTURE_NOW));
  return { ...services, record };
}

describe('revokeCertificate', () => {
  it('revokes at the clock, returns the record, sets the bit and records who did it', async () => {
    const { stores, record } = await oneIssued();
    const revoked = await revokeCertificate(
      stores.certificates,
      { certificateId: record.id, reason: 'data-breach', comment: 'keys leaked', actor: 'admin-7' },
      at(90),
    );
    expect(CertificateRecordSchema.parse(revoked)).toEqual(revoked);
    expect(revoked).toEqual({
      ...record,
      status: 'revoked',
      revocation: { reason: 'data-breach', revokedAt: at(90).toISOString(), comment: 'keys leaked' },
    });
    expect(await stores.statusLists.revokedIndexes('0')).toEqual({ indexes: [record.statusListIndex], version: '1' });
    expect((await stores.certificates.events(record.id)).map((e) => [e.type, e.actor])).toEqual([
      ['issued', TEST_EXCHANGE.id],
      ['revoked', 'admin-7'],
    ]);
  });

  it('never dates a revocation before the issuance, whatever the clock says', async () => {
    const { stores, record } = await oneIssued();
    const revoked = await revokeCertificate(
      stores.certificates,
      { certificateId: record.id, reason: 'issued-in-error', comment: null, actor: 'admin-1' },
      at(-60),
    );
    expect(revoked.revocation?.revokedAt).toBe(record.issuedAt);
    expect((await auditTrail(stores.certificates, record.id)).events.map((e) => e.type)).toEqual(['issued', 'revoked']);
  });

  it('is final: a second revocation is refused and changes nothing', async () => {
    const { stores, record } = await oneIssued();
    const command = { certificateId: record.id, reason: 'unspecified', comment: null, actor: 'admin-1' } as const;
    await revokeCertificate(stores.certificates, command, at(1));
    const list = await stores.statusLists.revokedIndexes('0');
    const error = await revokeCertificate(stores.certificates, command, at(2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'already-revoked' });
    expect(await stores.statusLists.revokedIndexes('0')).toEqual(list);
    expect(await stores.certificates.events(record.id)).toHaveLength(2);
  });

  it('refuses an unknown certificate', async () => {
    const { stores } = await oneIssued();
    await expect(
      revokeCertificate(
        stores.certificates,
        { certificateId: '0190d5f2-0000-7000-8000-000000000042', reason: 'unspecified', comment: null, actor: 'admin-1' },
        at(1),
      ),
    ).rejects.toMatchObject({ code: 'certificate-not-found' });
  });

  it('lets exactly one of concurrent revocations through', async () => {
    const { stores, record } = await oneIssued();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        revokeCertificate(stores.certificates, { certificateId: record.id, reason: 'data-breach', comment: null, actor: `admin-${i}` }, at(i)),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason.code)).toEqual(
      Array(4).fill('already-revoked'),
    );
    expect((await stores.statusLists.revokedIndexes('0'))?.version).toBe('1');
  });
});
