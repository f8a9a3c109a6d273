import { sm2 as library } from 'sm-crypto-v2';
import { describe, expect, it } from 'vitest';
import { CryptoError } from '#shared/crypto/errors.ts';
import { SM2_CURVE_A, SM2_CURVE_B, assertSm2Point, sm2JwkCoordinates } from '#shared/crypto/sm2-curve.ts';
import { Sm2PrivateKey } from '#shared/crypto/sm2.ts';

// A key set's SM2 points are checked by sm2-curve.ts without the library; the key step and the
// signature step then build an Sm2PublicKey with it. Both must accept the same points, or a key
// set would pass its reading and fail at the key step (or the other way round).

const P = SM2_CURVE_A + 3n;
const bytes = (value: bigint, length = 32): Uint8Array => Uint8Array.from(Buffer.from(value.toString(16).padStart(2 * length, '0'), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const big = (b: Uint8Array): bigint => BigInt(`0x${toHex(b)}`);

function modPow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = base % P;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

/** A point with a small x (p ≡ 3 mod 4, so a square root is a power). */
function smallPoint(): { x: bigint; y: bigint } {
  for (let x = 1n; ; x++) {
    const rhs = (((x * x + SM2_CURVE_A) * x + SM2_CURVE_B) % P + P) % P;
    const y = modPow(rhs, (P + 1n) / 4n);
    if ((y * y) % P === rhs) return { x, y };
  }
}

function ours(x: Uint8Array, y: Uint8Array): boolean {
  try {
    assertSm2Point(x, y);
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(CryptoError);
    expect((error as CryptoError).code).toBe('jwk-invalid');
    return false;
  }
}

function libraryAccepts(x: Uint8Array, y: Uint8Array): boolean {
  try {
    return library.verifyPublicKey(`04${toHex(x)}${toHex(y)}`);
  } catch {
    return false;
  }
}

describe('the SM2 public key check without the curve library', () => {
  const keys = Array.from({ length: 16 }, () => Sm2PrivateKey.generate().publicKey);
  const small = smallPoint();
  const cases: [string, Uint8Array, Uint8Array][] = [
    ...keys.map((k, i): [string, Uint8Array, Uint8Array] => [`generated key ${i}`, k.x, k.y]),
    ...keys.map((k, i): [string, Uint8Array, Uint8Array] => [`generated key ${i} with y + 1`, k.x, bytes((big(k.y) + 1n) % P)]),
    ...keys.map((k, i): [string, Uint8Array, Uint8Array] => [`generated key ${i} negated (p - y)`, k.x, bytes(P - big(k.y))]),
    ...keys.map((k, i): [string, Uint8Array, Uint8Array] => [`generated key ${i} with x and y swapped`, k.y, k.x]),
    ['a point with a small x', bytes(small.x), bytes(small.y)],
    ['the same point with x + p (on the curve mod p, but not a field element)', bytes(small.x + P), bytes(small.y)],
    ['the origin', bytes(0n), bytes(0n)],
    ['x = p', bytes(P), bytes(small.y)],
    ['y = p', bytes(small.x), bytes(P)],
    ['all ones', bytes(2n ** 256n - 1n), bytes(2n ** 256n - 1n)],
  ];

  it.each(cases)('agrees with sm-crypto-v2 on %s', (_name, x, y) => {
    expect(ours(x, y)).toBe(libraryAccepts(x, y));
  });

  it('accepts the generated keys and refuses the points off the curve', () => {
    expect(keys.every((k) => ours(k.x, k.y))).toBe(true);
    expect(ours(bytes(small.x + P), bytes(small.y))).toBe(false);
    expect(ours(bytes(0n), bytes(0n))).toBe(false);
  });

  it('refuses coordinates that are not 32 bytes, and JWK members that are not canonical base64url, as Sm2PublicKey.fromJwk does', () => {
    const [key] = keys as [(typeof keys)[number]];
    expect(() => assertSm2Point(key.x.subarray(1), key.y)).toThrow('SM2 coordinates must be 32 bytes each');
    const members = key.jwkMembers();
    expect(toHex(sm2JwkCoordinates(members).x)).toBe(toHex(key.x));
    expect(() => sm2JwkCoordinates({ ...members, x: `${members.x}=` })).toThrow('the SM2 coordinates are not canonical base64url');
  });
});
