import { HttpProblem } from '../http/problems.ts';
import type { Principal } from '../http/principal.ts';
import type { CertificateStore } from '../ports/certificate-store.ts';
import { type CertificateRecord, toCertificateRecord } from './certificate-record.ts';

/**
 * A certificate as `principal` may see it. Auditors and admins read any; an exchange reads only
 * those it issued, and another exchange's certificate is reported as absent (404), so ids of
 * other exchanges' transactions cannot be probed.
 */
export async function readableCertificate(
  store: Pick<CertificateStore, 'get'>,
  principal: Principal,
  id: string,
): Promise<CertificateRecord> {
  const certificate = await store.get(id);
  const mayRead =
    certificate !== null &&
    (principal.roles.has('auditor') || principal.roles.has('admin') || principal.exchange?.id === certificate.exchangeId);
  if (!certificate || !mayRead) throw new HttpProblem('certificate-not-found', `No certificate ${id}.`);
  return toCertificateRecord(certificate);
}
