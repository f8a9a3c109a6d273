import type { CertificateStore, RevokeCommand } from '../ports/certificate-store.ts';
import { type CertificateRecord, toCertificateRecord } from './certificate-record.ts';

/** What an administrator asks for when revoking: the store's command, dated by the service. */
type RevokeRequest = Omit<RevokeCommand, 'revokedAt'>;

/**
 * Revokes an active certificate, finally. Dated `now`, or at the certificate's issuance if that is
 * later (the store decides, in the same write, so no clock can date a revocation before it).
 * Throws DomainError `already-revoked` or `certificate-not-found`.
 */
export async function revokeCertificate(
  store: Pick<CertificateStore, 'revoke'>,
  request: RevokeRequest,
  now: Date,
): Promise<CertificateRecord> {
  const revoked = await store.revoke({ ...request, revokedAt: now.toISOString() });
  return toCertificateRecord(revoked);
}
