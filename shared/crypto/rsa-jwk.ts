import { createPublicKey, type KeyObject } from 'node:crypto';
import type { AccessTokenJwk } from '../domain/access-token.ts';
import { CryptoError } from './errors.ts';
import { jwkThumbprint } from './jwk-thumbprint.ts';

/**
 * The published JWK of an RSA key of at least 2048 bits, public or private (only the public
 * members kept): `alg: RS256`, `use: sig`, `kid` = RFC 7638 SHA-256 thumbprint.
 *
 * @throws {CryptoError} `jwk-unsupported-key` when the key is not RSA (PKCS#1 v1.5 usable) or too short.
 */
export function rsaJwkFromKeyObject(key: KeyObject): AccessTokenJwk {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== 'rsa' || (publicKey.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new CryptoError('jwk-unsupported-key', 'the key is not an RSA key of at least 2048 bits');
  }
  const { n, e } = publicKey.export({ format: 'jwk' });
  if (typeof n !== 'string' || typeof e !== 'string') throw new CryptoError('jwk-invalid', 'the key has no RSA modulus');
  return { kty: 'RSA', n, e, kid: jwkThumbprint({ kty: 'RSA', n, e }), alg: 'RS256', use: 'sig' };
}

/**
 * {@link rsaJwkFromKeyObject} of a DER SubjectPublicKeyInfo (what KMS `GetPublicKey` returns).
 *
 * @throws {CryptoError} `spki-invalid` when the bytes are not an SPKI public key.
 */
export function rsaJwkFromSpki(spkiDer: Uint8Array): AccessTokenJwk {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new CryptoError('spki-invalid', 'not a DER SubjectPublicKeyInfo', { cause });
  }
  return rsaJwkFromKeyObject(key);
}
