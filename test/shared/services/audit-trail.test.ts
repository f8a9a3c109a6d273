import { describe, expect, it } from 'vitest';
import { AuditTrailSchema } from '#shared/domain/schemas/api-responses.ts';
import { auditTrail } from '#shared/services/audit-trail.ts';
import { issueCertificate } from '#shared/services/issue-certificate.ts';
import { FIXTURE_NOW, validIssueRequest } from '../../fixtures/issue-request.ts';
import { TEST_EXCHANGE, certificateServices } from '../../support/certificate-services.ts';

/**
 * A certificate's audit trail on the in-memory store, checked against the API's zod response
 * schema, the contract the route serves.
 */

const MINUTE = 60_000;
const at = (minutes: number) => new Date(FIXTURE_NOW.getTime() + minutes * MINUTE);

async function oneIssued() {
  const services = certificateServices();
  const { record } = await issueCertificate(services.issueDeps, TEST_EXCHANGE, validIssueRequest(), new Date(FIXTURE_NOW));
  return { ...services, record };
}

describe('auditTrail', () => {
  it('lists the changes oldest first, without the log-outbox fields', async () => {
    const { stores, issueDeps, record } = await oneIssued();
    const correction = { ...validIssueRequest(), transactionRef: 'SDE-2026-000124', supersedes: record.id };
    const fresh = await issueCertificate(issueDeps, TEST_EXCHANGE, correction, at(30));

    const trail = await auditTrail(stores.certificates, record.id);
    expect(AuditTrailSchema.parse(trail)).toEqual(trail);
    expect(trail).toEqual({
      certificateId: record.id,
      events: [
        {
          certificateId: record.id,
          type: 'issued',
          at: FIXTURE_NOW.toISOString(),
          actor: TEST_EXCHANGE.id,
          detail: { transactionRef: validIssueRequest().transactionRef, supersedes: null },
        },
        {
          certificateId: record.id,
          type: 'superseded',
          at: at(30).toISOString(),
          actor: TEST_EXCHANGE.id,
          detail: { reason: 'superseded', supersededBy: fresh.record.id },
        },
      ],
    });
  });

  it('reports an unknown certificate as not found', async () => {
    const { stores } = await oneIssued();
    await expect(auditTrail(stores.certificates, '0190d5f2-0000-7000-8000-000000000042')).rejects.toMatchObject({
      code: 'certificate-not-found',
    });
  });
});
