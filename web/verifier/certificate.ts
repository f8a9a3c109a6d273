import { CredentialSchema, type Credential } from '#shared/domain/schemas/credential.ts';
import { type Check, type VerifierJwk, verifyCompactJws } from '#shared/crypto/webcrypto-jws.ts';
import { checkRevocationStatus, type StatusListFetcher } from '#shared/domain/status-list-check.ts';
import type { DisclosableClaim } from '#shared/domain/schemas/credential-terms.ts';
import type { DisclosedCredential } from '#shared/domain/schemas/disclosed-credential.ts';
import { type ExpectedKeyBinding, verifyCertificatePresentation } from '#shared/domain/sd-jwt/certificate-sd-jwt.ts';

/**
 * A certificate verified end to end without the service's help: the offline steps of
 * `shared/domain/certificate.ts` (same names, same order, the same payload schema), then the
 * revocation bit from the signed status list.
 */

/**
 * `status-unknown`: genuine and inside its window, but the status list could not be fetched
 * or trusted, so nobody can say it is not revoked.
 */
export type Verdict = 'active' | 'revoked' | 'expired' | 'not-yet-valid' | 'invalid' | 'status-unknown';

export interface CertificateVerdict {
  /** True only for `active`. */
  verified: boolean;
  status: Verdict;
  checks: Check[];
  /** Present once signature and payload are proven, also when expired or revoked. */
  certificate?: Credential;
}

export interface VerifyOptions {
  /** @default 300, as the service */
  clockSkewSeconds?: number;
  /** Absent: the revocation status is not checked (offline). */
  fetchStatusList?: StatusListFetcher;
  /** The time the status list must be current at. @default now */
  statusNow?: Date;
}

const MAX_DETAILED_ISSUES = 5;

/** Verifies `token`; never throws for a bad token. */
export async function verifyCertificateToken(
  token: unknown,
  keys: readonly VerifierJwk[],
  now: Date,
  options: VerifyOptions = {},
): Promise<CertificateVerdict> {
  const skew = (options.clockSkewSeconds ?? 300) * 1000;
  const checks: Check[] = [];
  const jws = await verifyCompactJws(token, keys, checks);
  if (!jws.ok) return { verified: false, status: 'invalid', checks };

  const parsed = CredentialSchema.safeParse(jws.payload);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, MAX_DETAILED_ISSUES).map((i) => `/${i.path.map(String).join('/')}: ${i.message}`);
    const more = parsed.error.issues.length > MAX_DETAILED_ISSUES ? ` (and ${parsed.error.issues.length - MAX_DETAILED_ISSUES} more)` : '';
    checks.push({ name: 'payload', ok: false, detail: `The payload is not a data compliance certificate: ${issues.join('; ')}${more}.` });
    return { verified: false, status: 'invalid', checks };
  }
  checks.push({ name: 'payload', ok: true });
  const certificate = parsed.data;

  const at = now.getTime();
  if (at < Date.parse(certificate.validFrom) - skew) {
    checks.push({ name: 'validity', ok: false, detail: `Not valid before ${certificate.validFrom}.` });
    return { verified: false, status: 'not-yet-valid', checks, certificate };
  }
  if (at > Date.parse(certificate.validUntil) + skew) {
    checks.push({ name: 'validity', ok: false, detail: `Expired at ${certificate.validUntil}.` });
    return { verified: false, status: 'expired', checks, certificate };
  }
  checks.push({ name: 'validity', ok: true });

  if (!options.fetchStatusList) return { verified: true, status: 'active', checks, certificate };
  const status = await checkRevocationStatus(
    certificate.credentialStatus,
    certificate.issuer,
    keys,
    options.fetchStatusList,
    options.statusNow ?? now,
    options.clockSkewSeconds ?? 300,
  );
  checks.push(status.check);
  if (!status.ok) return { verified: false, status: 'status-unknown', checks, certificate };
  if (status.revoked) return { verified: false, status: 'revoked', checks, certificate };
  return { verified: true, status: 'active', checks, certificate };
}

/** A presentation's verdict: like a certificate's, with the claims it shows and what it kept hidden. */
export interface PresentationVerdict {
  verified: boolean;
  status: Verdict;
  checks: Check[];
  /** The certificate's claims as disclosed; present once signature, payload, disclosures and key binding are proven. */
  certificate?: DisclosedCredential;
  presentation?: { disclosed: DisclosableClaim[]; hidden: DisclosableClaim[]; holderBound: boolean };
}

/**
 * Verifies a presentation of a selectively disclosable certificate (`vc+sd-jwt`) end to end in
 * the browser: the issuer-signed JWT by the same WebCrypto steps as a certificate (typ
 * `vc+sd-jwt`), the disclosures and key binding by the shared domain code, then the revocation
 * bit of the certificate's status entry, which every form shares. Never throws for bad input.
 */
export async function verifyPresentationToken(
  text: string,
  keys: readonly VerifierJwk[],
  now: Date,
  options: VerifyOptions & { keyBinding?: ExpectedKeyBinding } = {},
): Promise<PresentationVerdict> {
  const skewSeconds = options.clockSkewSeconds ?? 300;
  const offline = await verifyCertificatePresentation(
    text,
    async (jwt, checks) => {
      const jws = await verifyCompactJws(jwt, keys, checks, 'vc+sd-jwt');
      return jws.ok ? { ok: true, kid: jws.kid, payload: jws.payload } : { ok: false };
    },
    now,
    { clockSkewSeconds: skewSeconds, ...(options.keyBinding ? { keyBinding: options.keyBinding } : {}) },
  );
  const shown = offline.presentation;
  if (!shown) return { verified: false, status: 'invalid', checks: offline.checks };
  const result = {
    checks: offline.checks,
    certificate: shown.claims,
    presentation: { disclosed: shown.disclosed, hidden: shown.hidden, holderBound: shown.holderKey !== null },
  };
  if (offline.status !== 'active') return { ...result, verified: false, status: offline.status };
  if (!options.fetchStatusList) return { ...result, verified: true, status: 'active' };
  const status = await checkRevocationStatus(
    shown.claims.credentialStatus,
    shown.claims.issuer,
    keys,
    options.fetchStatusList,
    options.statusNow ?? now,
    skewSeconds,
  );
  result.checks.push(status.check);
  if (!status.ok) return { ...result, verified: false, status: 'status-unknown' };
  if (status.revoked) return { ...result, verified: false, status: 'revoked' };
  return { ...result, verified: true, status: 'active' };
}
