import type { Revocation, StoredCertificate } from '../domain/records.ts';

/** The certificate record of the API (DESIGN §3): what issue, get, lookup and revoke return. */
export interface CertificateRecord {
  id: string;
  certificateNo: string;
  status: 'active' | 'revoked';
  token: string;
  issuedAt: string;
  statusListIndex: number;
  statusListCredential: string;
  revocation: Revocation | null;
  supersedes: string | null;
  supersededBy: string | null;
}

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
