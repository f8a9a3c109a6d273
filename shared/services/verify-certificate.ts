import { verifyCertificate } from '../domain/certificate.ts';
import { tokenSha256 } from '../crypto/token-digest.ts';
import type { LogInclusion, VerificationCheck, VerificationResult } from '../domain/schemas/api.ts';
import { certificateIdOf } from '../domain/schemas/credential.ts';
import type { PublicVerificationJwk } from '../domain/signer.ts';
import type { CertificateStore } from '../ports/certificate-store.ts';

/** What {@link verifyPresentedToken} reads. */
export interface VerifyDeps {
  store: Pick<CertificateStore, 'get'>;
  keys: () => Promise<PublicVerificationJwk[]>;
  clockSkewSeconds: number;
  /**
   * Where the certificate's changes sit in the transparency log and whether their inclusion
   * proofs verify (the log reader's `inclusion`); null while nothing is integrated. Needed only
   * when a caller asks for the log's view.
   */
  logInclusion?: (certificateId: string, tokenSha256: string) => Promise<LogInclusion | null>;
}

/** Options of {@link verifyPresentedToken}. */
export interface VerifyOptions {
  /** Also report the log's view (`log`) of a certificate on record: a few more reads, so only on request. */
  withLog?: boolean;
  /** Which engine checks the signature; see `VerifyCertificateOptions`. Only the parity tests ask for `jose`. */
  signatureVerifier?: 'node' | 'jose';
}

/**
 * Verifies a presented token: signature, header and payload rules offline against the
 * published keys (no KMS call), then the stored status with one read, and on request the
 * transparency log's view of a certificate on record. Never throws for a bad token: every
 * outcome is a result.
 */
export async function verifyPresentedToken(
  deps: VerifyDeps,
  token: string,
  now: Date,
  options: VerifyOptions = {},
): Promise<VerificationResult> {
  const offline = await verifyCertificate(token, await deps.keys(), now, {
    clockSkewSeconds: deps.clockSkewSeconds,
    ...(options.signatureVerifier ? { signatureVerifier: options.signatureVerifier } : {}),
  });
  const checks: VerificationCheck[] = [...offline.checks];
  if (!offline.certificate) {
    return { verified: false, status: 'invalid', checks };
  }
  // Only a genuinely signed, well-formed credential reaches the table.
  const id = certificateIdOf(offline.certificate.id);
  const stored = await deps.store.get(id);
  if (!stored || stored.token !== token) {
    checks.push({ name: 'registered', ok: false, detail: 'This certificate is not on record at this service.' });
    return { verified: false, status: 'invalid', checks, certificate: offline.certificate };
  }
  checks.push({ name: 'registered', ok: true });
  let result: VerificationResult;
  if (stored.status === 'revoked' && stored.revocation) {
    checks.push({ name: 'status', ok: false, detail: `Revoked (${stored.revocation.reason}) at ${stored.revocation.revokedAt}.` });
    result = { verified: false, status: 'revoked', checks, certificate: offline.certificate, revocation: stored.revocation };
  } else {
    checks.push({ name: 'status', ok: true });
    result = { verified: offline.status === 'active', status: offline.status, checks, certificate: offline.certificate };
  }
  // The log is asked only about a certificate on record: its entries are what this token's digest names.
  if (options.withLog && deps.logInclusion) {
    const log = await deps.logInclusion(id, tokenSha256(token));
    if (log) result.log = log;
  }
  return result;
}
