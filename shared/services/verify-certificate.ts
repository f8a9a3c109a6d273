import { verifyCertificate } from '../domain/certificate.ts';
import { tokenSha256 } from '../crypto/token-digest.ts';
import { type ExpectedKeyBinding, verifyCertificatePresentation } from '../domain/sd-jwt/certificate-sd-jwt.ts';
import { issuerJwtVerifier } from '../domain/sd-jwt/issuer-jwt-verifier.ts';
import { looksLikeSdJwt } from '../domain/sd-jwt/sd-jwt.ts';
import type { LogInclusion, VerificationCheck, VerificationResult } from '../domain/schemas/api-responses.ts';
import { certificateIdOf } from '../domain/schemas/credential-terms.ts';
import type { PublicVerificationJwk } from '../domain/signer.ts';
import { type CertificateStore, type SdJwtStore, UNBOUND_HOLDER } from '../ports/certificate-store.ts';

/** What {@link verifyPresentedToken} reads. */
export interface VerifyDeps {
  store: Pick<CertificateStore, 'get'>;
  /** The forms issued on request: a presentation is on record when its issuer-signed JWT is one of them. */
  sdJwts?: Pick<SdJwtStore, 'getSdJwt'>;
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
  /** What a holder-bound presentation's Key Binding JWT must carry; without it such a presentation is refused. */
  keyBinding?: ExpectedKeyBinding;
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
  if (looksLikeSdJwt(token)) return verifyPresentation(deps, token, now, options);
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

/**
 * A presentation of a selectively disclosable form: verified offline like a certificate, then
 * found on record (its issuer-signed JWT is the one this service issued for that certificate and
 * holder key), then judged by the certificate's stored status, so revoking the certificate
 * revokes every form of it. The log's view is the certificate's: its entries name the full
 * token's digest, which every form shares.
 */
async function verifyPresentation(deps: VerifyDeps, token: string, now: Date, options: VerifyOptions): Promise<VerificationResult> {
  const offline = await verifyCertificatePresentation(token, issuerJwtVerifier(await deps.keys()), now, {
    clockSkewSeconds: deps.clockSkewSeconds,
    ...(options.keyBinding ? { keyBinding: options.keyBinding } : {}),
  });
  const checks: VerificationCheck[] = [...offline.checks];
  const shown = offline.presentation;
  if (!shown) return { verified: false, status: 'invalid', checks };
  const presentation = {
    format: 'vc+sd-jwt' as const,
    disclosed: shown.disclosed,
    hidden: shown.hidden,
    holderBound: shown.holderKey !== null,
    claims: shown.claims,
  };
  const id = certificateIdOf(shown.claims.id);
  const [stored, form] = await Promise.all([deps.store.get(id), deps.sdJwts?.getSdJwt(id, shown.holderKey ?? UNBOUND_HOLDER) ?? null]);
  if (!stored || form === null || form.split('~', 1)[0] !== shown.issuerJwt) {
    checks.push({ name: 'registered', ok: false, detail: 'This selectively disclosable certificate is not on record at this service.' });
    return { verified: false, status: 'invalid', checks, presentation };
  }
  checks.push({ name: 'registered', ok: true });
  let result: VerificationResult;
  if (stored.status === 'revoked' && stored.revocation) {
    checks.push({ name: 'status', ok: false, detail: `Revoked (${stored.revocation.reason}) at ${stored.revocation.revokedAt}.` });
    result = { verified: false, status: 'revoked', checks, presentation, revocation: stored.revocation };
  } else {
    checks.push({ name: 'status', ok: true });
    result = { verified: offline.status === 'active', status: offline.status, checks, presentation };
  }
  if (options.withLog && deps.logInclusion) {
    const log = await deps.logInclusion(id, tokenSha256(stored.token));
    if (log) result.log = log;
  }
  return result;
}
