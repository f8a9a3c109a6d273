import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';

/** Length of an ES256 signature: r and s as 32-byte big-endian integers (RFC 7518 §3.4). */
export const P256_SIGNATURE_LENGTH = 64;

/**
 * KeyObjects already made from JWK objects. A signer hands out the same JWK object for the
 * life of the process, so the self-check after each signature imports the key only once.
 */
const fromJwk = new WeakMap<JWK, KeyObject>();

/** Returns `key` as a P-256 public KeyObject, or throws TypeError for any other key. */
export function toP256PublicKey(key: KeyObject | JWK): KeyObject {
  let keyObject: KeyObject;
  if (isKeyObject(key)) {
    keyObject = key.type === 'private' ? createPublicKey(key) : key;
  } else {
    const cached = fromJwk.get(key);
    if (cached !== undefined) return cached;
    // Only the public members: a JWK carrying `d` must not turn this into a private-key path.
    const { kty, crv, x, y } = key;
    if (kty !== 'EC' || crv !== 'P-256' || typeof x !== 'string' || typeof y !== 'string') {
      throw new TypeError('expected an EC P-256 public JWK');
    }
    keyObject = createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' });
  }
  if (
    keyObject.type !== 'public' ||
    keyObject.asymmetricKeyType !== 'ec' ||
    keyObject.asymmetricKeyDetails?.namedCurve !== 'prime256v1'
  ) {
    throw new TypeError('expected an EC P-256 public key');
  }
  if (!isKeyObject(key)) fromJwk.set(key, keyObject);
  return keyObject;
}

function isKeyObject(key: KeyObject | JWK): key is KeyObject {
  return typeof (key as KeyObject).export === 'function' && 'asymmetricKeyType' in key;
}

/**
 * Verifies an ECDSA P-256 / SHA-256 signature in `R||S` form over `data`.
 *
 * Returns false for any signature that is not exactly 64 bytes: shorter encodings of small
 * values are accepted by some libraries, and accepting them would make ES256 signatures
 * malleable. Out-of-range r or s (0, ≥ n) are rejected by OpenSSL.
 *
 * @throws {TypeError} when `publicKey` is not an EC P-256 key (a programming error, not bad data).
 */
export function verifyP256(publicKey: KeyObject | JWK, data: Uint8Array, rs: Uint8Array): boolean {
  const key = toP256PublicKey(publicKey);
  if (rs.length !== P256_SIGNATURE_LENGTH) return false;
  try {
    return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, rs);
  } catch {
    // OpenSSL reports some malformed signatures as errors instead of a false result.
    return false;
  }
}
