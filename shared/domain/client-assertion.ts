import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { ClientRegistration } from './client-registration.ts';
import {
  ASSERTION_ALGORITHMS,
  ASSERTION_CLOCK_SKEW_SECONDS,
  MAX_ASSERTION_BYTES,
  MAX_ASSERTION_LIFETIME_SECONDS,
  MAX_JTI_LENGTH,
  OAuthError,
} from './oauth.ts';

/**
 * The rules a client assertion (RFC 7523 section 3) must meet, in two steps around the one
 * look-up they need: {@link previewAssertion} reads who the assertion claims to come from without
 * trusting it (and refuses what needs no registry to refuse), then {@link verifyAssertion} checks
 * it against that client's registered keys. Every refusal is `invalid_client`.
 */

/** Header members that carry a key or point at one: an assertion is checked with registered keys only. */
const KEY_CARRYING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;

const invalid = (description: string) => new OAuthError('invalid_client', description);

/** What an assertion claims before it is verified. */
export interface AssertionPreview {
  /** `iss` = `sub`: the client it claims to come from. */
  clientId: string;
  kid: string;
}

/**
 * Reads the claimed client of `assertion` and refuses, before any look-up, an oversized one, one
 * that is not a compact JWS, one whose header carries or points at a key or names an algorithm
 * other than ES256, RS256 or EdDSA (`none` and `HS256` among them), one without `kid`, and one
 * whose `iss`, `sub` and (when the request has it) `client_id` differ.
 */
export function previewAssertion(assertion: string, formClientId: string | undefined): AssertionPreview {
  if (Buffer.byteLength(assertion, 'utf8') > MAX_ASSERTION_BYTES) {
    throw invalid(`The client assertion is larger than ${MAX_ASSERTION_BYTES} bytes.`);
  }
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    if (assertion.split('.').length !== 3) throw new TypeError('not a compact JWS');
    header = decodeProtectedHeader(assertion) as Record<string, unknown>;
    claims = decodeJwt(assertion) as Record<string, unknown>;
  } catch {
    throw invalid('The client assertion is not a signed JWT in compact serialization.');
  }
  const carried = KEY_CARRYING_HEADERS.find((member) => Object.hasOwn(header, member));
  if (carried) throw invalid(`The client assertion header carries "${carried}"; assertions are checked with registered keys only.`);
  if (!(ASSERTION_ALGORITHMS as readonly unknown[]).includes(header['alg'])) {
    throw invalid(`The client assertion must be signed with one of ${ASSERTION_ALGORITHMS.join(', ')}.`);
  }
  const kid = header['kid'];
  if (typeof kid !== 'string' || kid.length === 0) throw invalid('The client assertion header has no "kid".');
  const iss = claims['iss'];
  const sub = claims['sub'];
  if (typeof iss !== 'string' || iss.length === 0 || iss !== sub) {
    throw invalid('The client assertion must have "iss" and "sub" both equal to the client id.');
  }
  if (formClientId !== undefined && formClientId !== iss) {
    throw invalid('The client_id parameter differs from the client assertion\'s "iss".');
  }
  return { clientId: iss, kid };
}

/** An accepted assertion: its `jti` and until when it must be remembered. */
export interface AcceptedAssertion {
  jti: string;
  /** The assertion's `exp` plus the clock skew: until then the same `jti` must be refused. */
  rememberUntil: Date;
}

/**
 * Verifies `assertion` with the registered keys of `client`: signature (algorithms ES256, RS256,
 * EdDSA; the key chosen by `kid` and matching the algorithm), `iss` = `sub` = client id, `aud`
 * naming `tokenEndpoint`, `exp` present and not past, at most {@link MAX_ASSERTION_LIFETIME_SECONDS}
 * ahead, `nbf` and `iat` not in the future, and a `jti`; each comparison of times with
 * {@link ASSERTION_CLOCK_SKEW_SECONDS} of tolerance. The client's status is the caller's to check.
 */
export async function verifyAssertion(
  assertion: string,
  client: Pick<ClientRegistration, 'clientId' | 'jwks'>,
  options: { tokenEndpoint: string; now: Date },
): Promise<AcceptedAssertion> {
  const { kid } = previewAssertion(assertion, undefined);
  if (!client.jwks.keys.some((key) => key.kid === kid)) {
    throw invalid('No key registered for this client has the client assertion\'s "kid".');
  }
  const keys = createLocalJWKSet({ keys: client.jwks.keys.map((key) => ({ ...key })) });
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(assertion, keys, {
      algorithms: [...ASSERTION_ALGORITHMS],
      issuer: client.clientId,
      subject: client.clientId,
      audience: options.tokenEndpoint,
      currentDate: options.now,
      clockTolerance: ASSERTION_CLOCK_SKEW_SECONDS,
      requiredClaims: ['exp', 'iat', 'jti'],
    }));
  } catch (error) {
    throw invalid(describeRefusal(error));
  }
  const now = Math.floor(options.now.getTime() / 1000);
  const exp = payload['exp'] as number;
  if (exp > now + MAX_ASSERTION_LIFETIME_SECONDS + ASSERTION_CLOCK_SKEW_SECONDS) {
    throw invalid(`The client assertion expires more than ${MAX_ASSERTION_LIFETIME_SECONDS} seconds ahead.`);
  }
  const iat = payload['iat'];
  if (typeof iat !== 'number' || iat > now + ASSERTION_CLOCK_SKEW_SECONDS) {
    throw invalid('The client assertion was issued in the future ("iat").');
  }
  const jti = payload['jti'];
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) {
    throw invalid(`The client assertion's "jti" must be a string of 1 to ${MAX_JTI_LENGTH} characters.`);
  }
  return { jti, rememberUntil: new Date((exp + ASSERTION_CLOCK_SKEW_SECONDS) * 1000) };
}

/** A fixed sentence for why jose refused the assertion (never the assertion's own content). */
function describeRefusal(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'The client assertion has expired.';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'aud':
        return 'The client assertion\'s "aud" is not this token endpoint.';
      case 'nbf':
        return 'The client assertion is not valid yet ("nbf").';
      case 'iat':
        return 'The client assertion was issued in the future ("iat").';
      case 'iss':
      case 'sub':
        return 'The client assertion must have "iss" and "sub" both equal to the client id.';
      default:
        return `The client assertion lacks a valid "${error.claim}" claim.`;
    }
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'The client assertion\'s signature does not verify.';
  if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JOSEAlgNotAllowed) {
    return 'No key registered for this client verifies the client assertion\'s algorithm and "kid".';
  }
  return 'The client assertion is not a valid signed JWT.';
}
