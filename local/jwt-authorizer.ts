import type { KeyObject } from 'node:crypto';
import { type JWTPayload, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';

/**
 * The local stand-in for API Gateway's HTTP API JWT authorizer, configured as the stack
 * configures it: the service's own issuer, its access-token key (RS256: the authorizer verifies
 * only RSA signatures) and the one audience. It applies the checks AWS documents for that
 * authorizer, in its order:
 *
 * 1. the token comes from the `Authorization` header, bare or prefixed with `Bearer`;
 * 2. its header names a known key (`kid`) and an allowed algorithm, and the signature verifies;
 * 3. `iss` equals the configured issuer;
 * 4. `aud` matches an audience entry, or, only when there is no `aud`, `client_id` does;
 * 5. `exp` is after now, `nbf` and `iat` are not after now;
 * 6. when the route has scopes, `scope` (or `scp`) carries at least one of them.
 *
 * AWS documents no clock leeway for these comparisons, so the default is none; the option exists
 * for a verifier on another clock than the issuer. A failure in 1–5 is 401, in 6 is 403.
 */

/** One verification key, as API Gateway would find it in the issuer's JWKS. */
export interface AuthorizerKey {
  kid: string;
  key: KeyObject;
}

export interface JwtAuthorizerOptions {
  issuer: string;
  keys: readonly AuthorizerKey[];
  /** The authorizer's audience list (one entry: the access tokens' audience). */
  audience: () => ReadonlySet<string> | Promise<ReadonlySet<string>>;
  /** JWS algorithms accepted. @default ['RS256'] */
  algorithms?: readonly string[];
  /** Leeway for exp, nbf and iat, in seconds. @default 0 */
  clockToleranceSeconds?: number;
  /** @default () => new Date() */
  now?: () => Date;
}

/** The authorizer's verdict for one request. */
export type AuthorizerDecision =
  | {
      effect: 'allow';
      /** The token's claims as API Gateway hands them to the function: every value a string. */
      claims: Record<string, string>;
      /** The token's scopes; null on a route without scopes, as in API Gateway's event. */
      scopes: string[] | null;
    }
  | {
      effect: 'deny';
      status: 401 | 403;
      code: 'unauthorized' | 'insufficient-scope';
      detail: string;
      /** The `WWW-Authenticate` challenge (RFC 6750). */
      challenge: string;
    };

/** Authorises one request: its `Authorization` header against the route's scopes (any one suffices). */
export type JwtAuthorizer = (authorization: string | undefined, anyScope: readonly string[]) => Promise<AuthorizerDecision>;

/** Builds the authorizer. */
export function createJwtAuthorizer(options: JwtAuthorizerOptions): JwtAuthorizer {
  const algorithms = [...(options.algorithms ?? ['RS256'])];
  const tolerance = options.clockToleranceSeconds ?? 0;
  const now = options.now ?? (() => new Date());
  const keys = new Map(options.keys.map((k) => [k.kid, k.key]));

  return async (authorization, anyScope) => {
    const token = tokenFrom(authorization);
    if (token === null) {
      return { effect: 'deny', status: 401, code: 'unauthorized', detail: 'The request carries no bearer token.', challenge: 'Bearer' };
    }
    const invalid = (description: string): AuthorizerDecision => ({
      effect: 'deny',
      status: 401,
      code: 'unauthorized',
      detail: `The bearer token is not valid: ${description}.`,
      challenge: `Bearer scope="" error="invalid_token" error_description="${description}"`,
    });

    let kid: unknown;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return invalid('the token is not a well-formed JWT');
    }
    const key = typeof kid === 'string' ? keys.get(kid) : undefined;
    if (!key) return invalid('the token is not signed by a key of the issuer');

    const at = now();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        issuer: options.issuer,
        algorithms,
        clockTolerance: tolerance,
        currentDate: at,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      return invalid(describeVerificationError(error));
    }
    const nowSeconds = Math.floor(at.getTime() / 1000);
    if (typeof payload.iat === 'number' && payload.iat > nowSeconds + tolerance) {
      return invalid('the token was issued in the future');
    }

    const audience = await options.audience();
    if (!audienceMatches(payload, audience)) return invalid('the token does not have a valid audience');

    const scopes = scopesOf(payload);
    if (anyScope.length > 0 && !anyScope.some((s) => scopes.includes(s))) {
      const needed = anyScope.join(' ');
      return {
        effect: 'deny',
        status: 403,
        code: 'insufficient-scope',
        detail: `This route needs a token with one of the scopes: ${anyScope.join(', ')}.`,
        challenge: `Bearer scope="${needed}" error="insufficient_scope" error_description="the token does not have the required scope"`,
      };
    }
    return { effect: 'allow', claims: claimsAsStrings(payload), scopes: anyScope.length > 0 ? scopes : null };
  };
}

/** The token of an `Authorization` header value: `Bearer <token>` or the bare token. */
function tokenFrom(authorization: string | undefined): string | null {
  const value = authorization?.trim();
  if (!value) return null;
  const match = /^bearer\s+(\S+)$/i.exec(value);
  if (match) return match[1] as string;
  // A value with a space is some other scheme (Basic …); hand it on as a token that will fail.
  return value;
}

/** API Gateway's rule: `aud` decides when present; `client_id` only when there is no `aud`. */
function audienceMatches(payload: JWTPayload, audience: ReadonlySet<string>): boolean {
  const aud = payload.aud;
  if (aud !== undefined) {
    const values = Array.isArray(aud) ? aud : [aud];
    return values.some((v) => typeof v === 'string' && audience.has(v));
  }
  const clientId = payload['client_id'];
  return typeof clientId === 'string' && audience.has(clientId);
}

/** `scope` as a space-separated string, or `scp` as a string or an array (Entra-style). */
function scopesOf(payload: JWTPayload): string[] {
  const raw = payload['scope'] ?? payload['scp'];
  if (typeof raw === 'string') return raw.split(' ').filter(Boolean);
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string');
  return [];
}

/**
 * Claims in the form API Gateway puts into `requestContext.authorizer.jwt.claims`: numbers and
 * booleans as their text, arrays as `[a b c]` (space-separated in brackets), objects as JSON.
 */
export function claimsAsStrings(payload: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    out[name] = claimText(value);
  }
  return out;
}

function claimText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `[${value.map(claimText).join(' ')}]`;
  return JSON.stringify(value);
}

/** A short, fixed description of why jose refused the token (never the token's own content). */
function describeVerificationError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return 'the token does not have a valid issuer';
      case 'nbf':
        return 'the token is not valid yet';
      case 'exp':
        return 'the token has no valid expiry';
      default:
        return `the token has an invalid ${error.claim} claim`;
    }
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm that is not allowed';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token signature does not verify';
  if (error instanceof joseErrors.JWTInvalid || error instanceof joseErrors.JWSInvalid) return 'the token is not a well-formed JWT';
  return 'the token could not be verified';
}
