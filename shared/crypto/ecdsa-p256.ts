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
  return verifyP256With(toP256PublicKey(publicKey), data, rs);
}

/**
 * {@link verifyP256} with the KeyObject already made (a P-256 public key from
 * {@link toP256PublicKey}): the hot path of a batch, one call per certificate.
 *
 * The key goes to `crypto.verify` as itself and the signature as DER, not as `{ key,
 * dsaEncoding: 'ieee-p1363' }`: given an options object, Node 24 first asks whether that object
 * is a KeyObject and then whether it is a CryptoKey, through native accessors that throw a
 * TypeError (a stack trace captured) for every other object, and its `R||S` conversion then
 * rebuilds an EC key from the KeyObject on every call. The two cost more than a quarter of the
 * signature check itself; writing the DER here costs next to nothing (`docs/performance.md`,
 * *ES256 on Node 24*, has the counts).
 */
export function verifyP256With(key: KeyObject, data: Uint8Array, rs: Uint8Array): boolean {
  if (rs.length !== P256_SIGNATURE_LENGTH) return false;
  try {
    return verify('sha256', data, key, derOfRs(rs));
  } catch {
    // OpenSSL reports some malformed signatures as errors instead of a false result.
    return false;
  }
}

/**
 * The DER `SEQUENCE { INTEGER r, INTEGER s }` of one signature, written in place: each half
 * at most 32 bytes and a 0x00 before a high bit, so 2 + 2 × (2 + 33) bytes at most.
 * `crypto.verify` is synchronous and reads its arguments before it returns, so one buffer
 * serves every call; the view on it never leaves this module.
 */
const der = new Uint8Array(72);

/** Views on {@link der} by length (an ES256 signature's DER is 8 to 72 bytes), each made once. */
const derViews: Uint8Array[] = [];

/**
 * `rs` (64 bytes: r then s, big-endian) as minimal DER INTEGERs, a view on {@link der} valid
 * until the next call. Zero and values of n or more are written as they are: OpenSSL refuses them.
 */
function derOfRs(rs: Uint8Array): Uint8Array {
  let at = 2;
  for (let half = 0; half < P256_SIGNATURE_LENGTH; half += 32) {
    const end = half + 32;
    // Minimal: no leading zero byte, but the last one stays (the integer 0 is one 0x00).
    let start = half;
    while (start < end - 1 && rs[start] === 0) start++;
    const pad = (rs[start] as number) >= 0x80 ? 1 : 0;
    der[at++] = 0x02;
    der[at++] = end - start + pad;
    if (pad === 1) der[at++] = 0x00;
    for (let i = start; i < end; i++) der[at++] = rs[i] as number;
  }
  der[0] = 0x30;
  der[1] = at - 2;
  return (derViews[at] ??= der.subarray(0, at));
}
