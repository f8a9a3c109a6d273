import type { CertificateRecord } from '../domain/schemas/api-responses.ts';
import type { StoredCertificate } from '../domain/records.ts';

/** The certificate record: the type of `CertificateRecordSchema`, what issue, get, lookup and revoke return. */
export type { CertificateRecord };

/** Projects a stored certificate onto the public record; internal keys stay inside. */
export function toCertificateRecord(c: StoredCertificate): CertificateRecord {
  return {
    id: c.id,
    certificateNo: c.certificateNo,
    status: c.status,
    token: c.token,
    issuedAt: c.issuedAt,
    statusListIndex: c.statusList.index,
    statusListCredential: c.statusListCredential,
    revocation: c.revocation,
    supersedes: c.supersedes,
    supersededBy: c.supersededBy,
  };
}
