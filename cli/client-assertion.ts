import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { MAX_ASSERTION_LIFETIME_SECONDS } from '#shared/domain/oauth.ts';
import type { ClientKey } from './client-key.ts';

/**
 * The client assertion of RFC 7523 (`private_key_jwt`, RFC 7521 for the request): a JWT the
 * client signs with its own key to prove who it is, instead of sending a secret.
 */

/**
 * How long an assertion is good for. The service refuses one that expires more than
 * {@link MAX_ASSERTION_LIFETIME_SECONDS} ahead; a minute covers clock skew and a slow network,
 * and keeps a leaked assertion short-lived (its `jti` is accepted once anyway).
 */
export const ASSERTION_LIFETIME_SECONDS = Math.min(60, MAX_ASSERTION_LIFETIME_SECONDS);

/** Who asserts what to whom. */
export interface AssertionInput {
  key: ClientKey;
  clientId: string;
  /** The token endpoint's URL, exactly as discovery gave it: the service compares `aud` with it. */
  tokenEndpoint: string;
  /** The signing time; the caller's clock. */
  now: Date;
  /** Unique per assertion; random by default (the service accepts a `jti` once). */
  jti?: string;
}

/**
 * Signs an assertion: header `alg` (from the key) and `kid`; claims `iss` = `sub` = the client
 * id, `aud` = the token endpoint, `iat` = now, `exp` = now + {@link ASSERTION_LIFETIME_SECONDS},
 * and a 128-bit random `jti`. Nothing else: no `jwk`, `jku` or `x5u` in the header, which the
 * service refuses.
 */
export async function buildClientAssertion(input: AssertionInput): Promise<string> {
  const iat = Math.floor(input.now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: input.key.alg, kid: input.key.kid })
    .setIssuer(input.clientId)
    .setSubject(input.clientId)
    .setAudience(input.tokenEndpoint)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ASSERTION_LIFETIME_SECONDS)
    .setJti(input.jti ?? randomBytes(16).toString('base64url'))
    .sign(input.key.privateKey);
}
