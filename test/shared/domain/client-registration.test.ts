import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isClientJwks } from '#shared/domain/client-registration.ts';
import { ClientJwksSchema } from '#shared/domain/schemas/client-registration.ts';

/** A fresh public key of each registrable type, as a JWK with a kid. */
function publicJwk(type: 'ec' | 'rsa' | 'ed25519', kid: string): Record<string, unknown> {
  const { publicKey } =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : type === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ed25519');
  return { ...publicKey.export({ format: 'jwk' }), kid };
}

const ec = publicJwk('ec', 'ec-1');
const rsa = publicJwk('rsa', 'rsa-1');
const okp = publicJwk('ed25519', 'okp-1');

describe('isClientJwks (the stores\' shape check of registered keys)', () => {
  const registrable: [string, unknown][] = [
    ['one key of each type', { keys: [ec, rsa, okp] }],
    ['keys naming their algorithm and use', { keys: [{ ...ec, alg: 'ES256', use: 'sig' }, { ...rsa, alg: 'RS256' }, { ...okp, alg: 'EdDSA', use: 'sig' }] }],
  ];

  it.each(registrable)('accepts what registration accepts: %s', (_what, jwks) => {
    expect(ClientJwksSchema.safeParse(jwks).success).toBe(true);
    expect(isClientJwks(jwks)).toBe(true);
  });

  const misshapen: [string, unknown][] = [
    ['not an object', 'keys'],
    ['keys that are not a list', { keys: ec }],
    ['another member beside keys', { keys: [ec], extra: 1 }],
    ['a key that is not an object', { keys: ['ec'] }],
    ['an unknown key type', { keys: [{ ...okp, kty: 'oct' }] }],
    ['another curve', { keys: [{ ...ec, crv: 'P-384' }] }],
    ['a curve on an RSA key', { keys: [{ ...rsa, crv: 'P-256' }] }],
    ['another type\'s algorithm', { keys: [{ ...ec, alg: 'RS256' }] }],
    ['an encryption key', { keys: [{ ...okp, use: 'enc' }] }],
    ['another RSA exponent', { keys: [{ ...rsa, e: 'Aw' }] }],
    ['a missing coordinate', { keys: [{ ...ec, y: undefined }] }],
    ['a missing kid', { keys: [{ ...okp, kid: undefined }] }],
    ['a member that is not a string', { keys: [{ ...okp, x: 7 }] }],
    ['a private member', { keys: [{ ...okp, d: 'c2VjcmV0' }] }],
    ['a member of another type', { keys: [{ ...okp, n: rsa['n'] }] }],
    ['an unknown member', { keys: [{ ...ec, x5c: 'MIIB' }] }],
  ];

  it.each(misshapen)('refuses what registration refuses for its shape: %s', (_what, jwks) => {
    const json: unknown = JSON.parse(JSON.stringify(jwks) ?? 'null');
    expect(ClientJwksSchema.safeParse(json).success).toBe(false);
    expect(isClientJwks(json)).toBe(false);
  });

  it('leaves the rules beyond shape to registration, which checked the stored keys in full', () => {
    const offCurve = { keys: [{ ...ec, y: ec['x'] }] };
    const sameKid = { keys: [okp, { ...ec, kid: okp['kid'] }] };
    for (const jwks of [offCurve, sameKid, { keys: [] }]) {
      expect(ClientJwksSchema.safeParse(jwks).success).toBe(false);
      expect(isClientJwks(jwks)).toBe(true);
    }
  });
});
