import type { Caller } from '../domain/caller.ts';
import { DomainError } from '../domain/errors.ts';
import type { CertificateStore } from '../ports/certificate-store.ts';
import { type CertificateRecord, toCertificateRecord } from './certificate-record.ts';

/**
 * A certificate as `caller` may see it. Auditors and admins read any; an exchange reads only
 * those it issued, and another exchange's certificate is reported as absent (404), so ids of
 * other exchanges' transactions cannot be probed.
 */
export async function readableCertificate(
  store: Pick<CertificateStore, 'get'>,
  caller: Caller,
  id: string,
): Promise<CertificateRecord> {
  const certificate = await store.get(id);
  const mayRead =
    certificate !== null &&
    (caller.roles.has('auditor') || caller.roles.has('admin') || caller.exchange?.id === certificate.exchangeId);
  if (!certificate || !mayRead) throw new DomainError('certificate-not-found', `No certificate ${id}.`);
  return toCertificateRecord(certificate);
}
