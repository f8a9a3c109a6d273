import { createPublicKey, type KeyObject } from 'node:crypto';
import type { P256VerificationJwk, PublicVerificationJwk, Sm2VerificationJwk } from '../domain/signer.ts';
import { decodeBase64urlStrict, encodeBase64url } from './base64url.ts';
import { CryptoError } from './errors.ts';
import { jwkThumbprint } from './jwk-thumbprint.ts';
// Only the type of sm2.ts: a key set's SM2 points are checked by sm2-curve.ts, so reading one
// never loads the SM2 arithmetic (sm2-loader.ts).
import type { Sm2PublicKey } from './sm2.ts';
import { sm2JwkCoordinates } from './sm2-curve.ts';
import { isRecord } from '../support/record.ts';

/** A JSON Web Key Set of certificate verification keys (RFC 7517 §5). */
export interface VerificationJwks {
  keys: PublicVerificationJwk[];
}

/** Members that only a private or symmetric key has; none may appear in a published key. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

function publicJwk(x: string, y: string): P256VerificationJwk {
  const kid = jwkThumbprint({ kty: 'EC', crv: 'P-256', x, y });
  return { kty: 'EC', crv: 'P-256', x, y, kid, alg: 'ES256', use: 'sig' };
}

/**
 * The published JWK of an SM2 public key: `{kty: EC, crv: SM2, x, y}`, `alg: SM2`, `use: sig`,
 * and `kid` the RFC 7638 SHA-256 thumbprint of `{crv, kty, x, y}`, the same rule as for P-256
 * (the curve name is hashed too, so an SM2 key and a P-256 key never share a kid).
 */
export function sm2PublicJwk(key: Sm2PublicKey): Sm2VerificationJwk {
  const { x, y } = key.jwkMembers();
  return sm2Jwk(x, y);
}

function sm2Jwk(x: string, y: string): Sm2VerificationJwk {
  const kid = jwkThumbprint({ kty: 'EC', crv: 'SM2', x, y });
  return { kty: 'EC', crv: 'SM2', x, y, kid, alg: 'SM2', use: 'sig' };
}

/**
 * The published JWK of the SM2 point of a JWK's `x` and `y`, refused as `Sm2PublicKey.fromJwk`
 * refuses it (not canonical, not 32 bytes, not on the curve), without the SM2 arithmetic.
 * @throws {CryptoError} `jwk-invalid`.
 */
function sm2JwkOf(jwk: { x: string; y: string }): Sm2VerificationJwk {
  const { x, y } = sm2JwkCoordinates(jwk);
  return sm2Jwk(encodeBase64url(x), encodeBase64url(y));
}

/** The normalised published form of a key of either curve (only its public members). */
function normalisedJwk(key: PublicVerificationJwk): PublicVerificationJwk {
  return key.crv === 'SM2' ? sm2JwkOf(key) : publicJwk(key.x, key.y);
}

function p256PublicKeyJwk(key: KeyObject): P256VerificationJwk {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new CryptoError('jwk-unsupported-key', 'the key is not an EC P-256 key');
  }
  const { x, y } = key.export({ format: 'jwk' });
  if (typeof x !== 'string' || typeof y !== 'string') {
    throw new CryptoError('jwk-invalid', 'the key has no EC coordinates');
  }
  return publicJwk(x, y);
}

/**
 * Turns a DER SubjectPublicKeyInfo (what KMS `GetPublicKey` returns) into the published JWK:
 * only the public members, `alg: ES256`, `use: sig`, `kid` = RFC 7638 SHA-256 thumbprint.
 *
 * @throws {CryptoError} `spki-invalid` when the bytes are not an SPKI public key,
 *   `jwk-unsupported-key` when the key is not EC P-256.
 */
export function jwkFromSpki(spkiDer: Uint8Array): P256VerificationJwk {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new CryptoError('spki-invalid', 'not a DER SubjectPublicKeyInfo', { cause });
  }
  return p256PublicKeyJwk(key);
}

/** The published JWK of any P-256 KeyObject, public or private (only public members kept). */
export function jwkFromKeyObject(key: KeyObject): P256VerificationJwk {
  return p256PublicKeyJwk(key.type === 'private' ? createPublicKey(key) : key);
}

/**
 * Builds the JWKS to publish: one entry per kid (first occurrence wins, order kept), each
 * reduced to its public members.
 *
 * @throws {CryptoError} `jwk-kid-mismatch` when a key's kid is not its thumbprint, so that we
 *   never publish a key that honest verifiers would then refuse.
 */
export function buildJwks(keys: readonly PublicVerificationJwk[]): VerificationJwks {
  const byKid = new Map<string, PublicVerificationJwk>();
  for (const key of keys) {
    const normalised = normalisedJwk(key);
    if (normalised.kid !== key.kid) {
      throw new CryptoError('jwk-kid-mismatch', `kid ${key.kid} is not the thumbprint of its key`);
    }
    if (!byKid.has(normalised.kid)) byKid.set(normalised.kid, normalised);
  }
  return { keys: [...byKid.values()] };
}

function importKey(candidate: unknown, index: number): PublicVerificationJwk {
  const at = `keys[${index}]`;
  if (!isRecord(candidate)) throw new CryptoError('jwk-invalid', `${at} is not an object`);
  for (const member of PRIVATE_MEMBERS) {
    if (member in candidate) {
      throw new CryptoError('jwk-private-member', `${at} has the private member "${member}"`);
    }
  }
  const { kty, crv, x, y, kid, alg, use } = candidate;
  if (kty !== 'EC' || (crv !== 'P-256' && crv !== 'SM2')) {
    throw new CryptoError('jwk-unsupported-key', `${at} is not an EC P-256 or SM2 key`);
  }
  // A key verifies one algorithm only, the one of its curve: no alg/key-type confusion.
  const keyAlg = crv === 'SM2' ? 'SM2' : 'ES256';
  if (alg !== undefined && alg !== keyAlg) {
    throw new CryptoError('jwk-unsupported-key', `${at} is for "alg" ${String(alg)}, not ${keyAlg}`);
  }
  if (use !== undefined && use !== 'sig') {
    throw new CryptoError('jwk-unsupported-key', `${at} is for "use" ${String(use)}, not sig`);
  }
  const ops = candidate['key_ops'];
  if (ops !== undefined && !(Array.isArray(ops) && ops.includes('verify'))) {
    throw new CryptoError('jwk-unsupported-key', `${at} "key_ops" does not allow verify`);
  }
  if (typeof x !== 'string' || typeof y !== 'string') {
    throw new CryptoError('jwk-invalid', `${at} lacks the coordinates x and y`);
  }
  for (const [name, value] of [['x', x], ['y', y]] as const) {
    let bytes: Uint8Array;
    try {
      bytes = decodeBase64urlStrict(value, `${at}.${name}`);
    } catch (cause) {
      throw new CryptoError('jwk-invalid', `${at}.${name} is not canonical base64url`, { cause });
    }
    if (bytes.length !== 32) throw new CryptoError('jwk-invalid', `${at}.${name} is not 32 bytes`);
  }
  let key: PublicVerificationJwk;
  try {
    // Node refuses coordinates that are not a point on P-256; sm2-curve.ts those off the SM2 curve.
    if (crv === 'SM2') key = sm2JwkOf({ x, y });
    else {
      createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' });
      key = publicJwk(x, y);
    }
  } catch (cause) {
    throw new CryptoError('jwk-invalid', `${at} is not a point on ${crv}`, { cause });
  }
  if (typeof kid !== 'string' || kid.length === 0) {
    throw new CryptoError('jwk-invalid', `${at} has no "kid"`);
  }
  if (key.kid !== kid) {
    throw new CryptoError('jwk-kid-mismatch', `${at} kid ${kid} is not the thumbprint of its key (${key.kid})`);
  }
  return key;
}

/**
 * The most keys {@link importVerificationKeys} accepts by default. An issuer publishes its current
 * key and the few it rotated from; importing a key costs a curve check and a thumbprint, so a set
 * of 100,000 keys would take many seconds before anything is verified.
 */
export const MAX_VERIFICATION_KEYS = 100;

/**
 * Validates a JWKS obtained from elsewhere (an auditor's offline copy, a configuration file)
 * and returns its keys in the form `verifyCertificate` takes. Every key must be an EC
 * P-256 public key (ES256) or an SM2 public key (SM2) on its curve, whose `kid` is its own RFC 7638
 * thumbprint: a key whose kid lies could make a verifier attribute a certificate to the wrong
 * key, so one such key refuses the whole set. A set of more than `maxKeys` keys is refused
 * before any key is imported.
 *
 * @throws {CryptoError} `jwk-invalid`, `jwk-unsupported-key`, `jwk-private-member`,
 *   `jwk-kid-mismatch` or `jwks-too-many-keys`.
 */
export function importVerificationKeys(jwks: unknown, options: { maxKeys?: number } = {}): PublicVerificationJwk[] {
  if (!isRecord(jwks) || !Array.isArray(jwks['keys'])) {
    throw new CryptoError('jwk-invalid', 'not a JWKS: expected an object with a "keys" array');
  }
  const maxKeys = options.maxKeys ?? MAX_VERIFICATION_KEYS;
  const candidates = jwks['keys'];
  if (candidates.length > maxKeys) {
    throw new CryptoError('jwks-too-many-keys', `the key set has ${candidates.length} keys, more than the ${maxKeys} accepted`);
  }
  return buildJwks(candidates.map((candidate, i) => importKey(candidate, i))).keys;
}
