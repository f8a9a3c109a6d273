import { createHash } from 'node:crypto';
import type { JWK } from 'jose';
import { CryptoError } from './errors.ts';

/** The members RFC 7638 §3.2 hashes for each key type, in lexicographic order. */
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
  oct: ['k', 'kty'],
};

/**
 * RFC 7638 JWK thumbprint with SHA-256, base64url-encoded: the `kid` of every key we publish.
 * Synchronous (unlike jose's `calculateJwkThumbprint`, which it matches) so that the
 * verification path can check a key's `kid` without an await per key.
 *
 * @throws {CryptoError} `jwk-invalid` when a required member is missing or not a string.
 */
export function jwkThumbprint(jwk: JWK): string {
  const kty = jwk.kty;
  const members = typeof kty === 'string' ? REQUIRED_MEMBERS[kty] : undefined;
  if (members === undefined) throw new CryptoError('jwk-invalid', `unsupported "kty" ${String(kty)}`);
  const subset: Record<string, string> = {};
  for (const name of members) {
    const value = (jwk as Record<string, unknown>)[name];
    if (typeof value !== 'string') throw new CryptoError('jwk-invalid', `"${name}" is missing or not a string`);
    subset[name] = value;
  }
  // Members are inserted in lexicographic order and JSON.stringify adds no whitespace: exactly
  // the serialisation RFC 7638 §3.3 requires.
  return createHash('sha256').update(JSON.stringify(subset), 'utf8').digest('base64url');
}
