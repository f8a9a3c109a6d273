import { describe, expect, it } from 'vitest';
import type { Caller } from '#shared/domain/caller.ts';
import { issueCertificate } from '#shared/services/issue-certificate.ts';
import { newCertificateNumber } from '#shared/domain/certificate-number.ts';
import { certificateCheckValue } from '#shared/domain/compact-reference.ts';
import { certificateByReference, readableCertificate } from '#shared/services/queries.ts';
import { FIXTURE_NOW, validIssueRequest } from '../../fixtures/issue-request.ts';
import { TEST_EXCHANGE, certificateServices } from '../../support/certificate-services.ts';

/**
 * Reading one certificate as a given caller, on the in-memory store.
 */

async function oneIssued() {
  const services = certificateServices();
  const { record } = await issueCertificate(services.issueDeps, TEST_EXCHANGE, validIssueRequest(), new Date(FIXTURE_NOW));
  return { ...services, record };
}

describe('readableCertificate', () => {
  const caller = (roles: Caller['roles'], exchange: Caller['exchange'] = null): Caller => ({ subject: 's', roles, exchange });

  it('lets auditors, admins and the issuing exchange read, and hides it from other exchanges as absent', async () => {
    const { stores, record } = await oneIssued();
    for (const reader of [
      caller(new Set(['auditor'])),
      caller(new Set(['admin'])),
      caller(new Set(['exchange']), TEST_EXCHANGE),
    ]) {
      expect(await readableCertificate(stores.certificates, reader, record.id)).toEqual(record);
    }
    const other = caller(new Set(['exchange']), { ...TEST_EXCHANGE, id: 'sz-data-exchange' });
    const hidden = await readableCertificate(stores.certificates, other, record.id).catch((e: unknown) => e);
    const absent = await readableCertificate(stores.certificates, caller(new Set(['auditor'])), '0190d5f2-0000-7000-8000-000000000042').catch(
      (e: unknown) => e,
    );
    expect(hidden).toMatchObject({ code: 'certificate-not-found' });
    expect(absent).toMatchObject({ code: 'certificate-not-found' });
    // The refusal says nothing that tells a foreign certificate from a missing one.
    expect((hidden as Error).message.replace(record.id, 'ID')).toBe((absent as Error).message.replace('0190d5f2-0000-7000-8000-000000000042', 'ID'));
  });
});

describe('certificateByReference', () => {
  it('opens the certificate whose number and check value match, and answers anything else as absent', async () => {
    const { stores, record } = await oneIssued();
    const check = await certificateCheckValue(record.token);
    const found = await certificateByReference(stores.certificates, { certificateNo: record.certificateNo, check });
    expect(found.token).toBe(record.token);

    const wrongCheck = check.startsWith('0') ? `1${check.slice(1)}` : `0${check.slice(1)}`;
    const refused = await certificateByReference(stores.certificates, { certificateNo: record.certificateNo, check: wrongCheck }).catch((e: unknown) => e);
    const unknown = await certificateByReference(stores.certificates, { certificateNo: newCertificateNumber(FIXTURE_NOW), check }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'certificate-not-found' });
    expect(unknown).toMatchObject({ code: 'certificate-not-found' });
  });
});
