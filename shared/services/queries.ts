import type { Caller } from '../domain/caller.ts';
import { type CompactReference, certificateCheckValue, checkValuesEqual } from '../domain/compact-reference.ts';
import { DomainError } from '../domain/errors.ts';
import { problemDetail } from '../i18n/messages/problems.ts';
import type { StoredCertificate } from '../domain/records.ts';
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
  if (!certificate || !mayRead) throw new DomainError('certificate-not-found', problemDetail('detail.no-certificate', { id }));
  return toCertificateRecord(certificate);
}

/**
 * The certificate a compact reference names: the one with that number, when the check value is
 * its token's. Anyone may ask (a compact QR code carries no token), so a number without the
 * right check value is answered as absent, whether or not the number exists.
 */
export async function certificateByReference(
  store: Pick<CertificateStore, 'findByNumber'>,
  reference: CompactReference,
): Promise<StoredCertificate> {
  const certificate = await store.findByNumber(reference.certificateNo);
  const opens = certificate !== null && checkValuesEqual(await certificateCheckValue(certificate.token), reference.check);
  if (!certificate || !opens) throw new DomainError('certificate-not-found', problemDetail('detail.no-certificate-with-check', { certificateNo: reference.certificateNo, check: reference.check }));
  return certificate;
}
