import type { CertificateAlgorithm } from '../domain/signer.ts';

/*
 * The JWS algorithms certificates and status lists may be signed with, and the curve of the
 * one key type each is verified with. An `alg` and a key must agree: an ES256 token is never
 * checked with an SM2 key, nor an SM2 token with a P-256 key. No `node:` import: the page uses it.
 */

/** Whether `alg` is one of the suites' algorithms (exact, case-sensitive, as RFC 7515 compares). */
export function isCertificateAlgorithm(alg: unknown): alg is CertificateAlgorithm {
  return alg === 'ES256' || alg === 'SM2';
}

/** The algorithm a published key of curve `crv` verifies, or undefined for any other curve. */
export function algorithmOfCurve(crv: unknown): CertificateAlgorithm | undefined {
  return crv === 'P-256' ? 'ES256' : crv === 'SM2' ? 'SM2' : undefined;
}
