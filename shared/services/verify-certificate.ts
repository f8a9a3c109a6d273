import { verifyCertificate } from '../domain/certificate.ts';
import type { Credential } from '../domain/schemas/credential.ts';
import type { Revocation } from '../domain/records.ts';
import type { CertificateStore } from '../ports/certificate-store.ts';
import type { PublicVerificationJwk } from '../domain/signer.ts';

export type VerificationStatus = 'active' | 'revoked' | 'expired' | 'not-yet-valid' | 'invalid';

export interface VerificationCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

/** The verification result of DESIGN §3. */
export interface VerificationResult {
  verified: boolean;
  status: VerificationStatus;
  checks: VerificationCheck[];
  certificate?: Credential;
  revocation?: Revocation;
}

export interface VerifyDeps {
  store: Pick<CertificateStore, 'get'>;
  keys: () => Promise<PublicVerificationJwk[]>;
  clockSkewSeconds: number;
}

/**
 * Verifies a presented token: signature, header and payload rules offline against the
 * published keys (no KMS call), then the stored status with one read. Never throws for a bad
 * token: every outcome is a result.
 */
export async function verifyPresentedToken(deps: VerifyDeps, token: string, now: Date): Promise<VerificationResult> {
  const offline = await verifyCertificate(token, await deps.keys(), now, { clockSkewSeconds: deps.clockSkewSeconds });
  const checks: VerificationCheck[] = [...offline.checks];
  if (!offline.certificate) {
    return { verified: false, status: 'invalid', checks };
  }
  // Only a genuinely signed, well-formed credential reaches the table.
  const id = offline.certificate.id.replace(/^urn:uuid:/, '');
  const stored = await deps.store.get(id);
  if (!stored || stored.token !== token) {
    checks.push({ name: 'registered', ok: false, detail: 'This certificate is not on record at this service.' });
    return { verified: false, status: 'invalid', checks, certificate: offline.certificate };
  }
  checks.push({ name: 'registered', ok: true });
  if (stored.status === 'revoked' && stored.revocation) {
    checks.push({ name: 'status', ok: false, detail: `Revoked (${stored.revocation.reason}) at ${stored.revocation.revokedAt}.` });
    return { verified: false, status: 'revoked', checks, certificate: offline.certificate, revocation: stored.revocation };
  }
  checks.push({ name: 'status', ok: true });
  return {
    verified: offline.status === 'active',
    status: offline.status,
    checks,
    certificate: offline.certificate,
  };
}
