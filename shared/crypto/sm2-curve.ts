import { CryptoError } from './errors.ts';
import { decodeBase64urlStrict } from './portable-bytes.ts';

/**
 * What is known about an SM2 public key without the curve arithmetic of `sm2.ts`: the curve's
 * constants and the public key check of GB/T 32918.1. Reading a key set checks every SM2 key
 * here, so a process that meets SM2 keys but verifies no SM2 signature (an auditor's ES256
 * certificate against a key set that also lists an SM2 key) never loads `sm-crypto-v2`, and a
 * process that meets none never evaluates it (`sm2-loader.ts`). No `node:` import: the page
 * bundles it.
 */

// The recommended curve of GM/T 0003.5 (GB/T 32918.5): y² = x³ + ax + b over p.
const FIELD_P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;
/** The coefficient a of the curve (p - 3). */
export const SM2_CURVE_A = FIELD_P - 3n;
/** The coefficient b of the curve. */
export const SM2_CURVE_B = 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n;
/** The order n of the base point. */
export const SM2_ORDER = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;

function toBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/**
 * Checks that (x, y), each 32 bytes big-endian, is a public key of the curve: both coordinates
 * in [0, p-1] and y² = x³ + ax + b (mod p). That is the whole check of GB/T 32918.1 here: the
 * point at infinity has no affine coordinates, and the cofactor is 1, so every point of the
 * curve has order n. It accepts exactly what `sm-crypto-v2`'s `verifyPublicKey` accepts (a test
 * holds the two together), with the errors `Sm2PublicKey.fromCoordinates` has always thrown.
 * @throws {CryptoError} `jwk-invalid` when a coordinate is not 32 bytes or the point is not on the curve.
 */
export function assertSm2Point(x: Uint8Array, y: Uint8Array): void {
  if (x.length !== 32 || y.length !== 32) throw new CryptoError('jwk-invalid', 'SM2 coordinates must be 32 bytes each');
  const px = toBigInt(x);
  const py = toBigInt(y);
  const onCurve = px < FIELD_P && py < FIELD_P && (py * py - ((px * px + SM2_CURVE_A) * px + SM2_CURVE_B)) % FIELD_P === 0n;
  if (!onCurve) throw new CryptoError('jwk-invalid', 'the coordinates are not a point on the SM2 curve');
}

/**
 * The coordinates of an SM2 JWK's `x` and `y` members (canonical unpadded base64url, 32 bytes
 * each), checked by {@link assertSm2Point}: what `Sm2PublicKey.fromJwk` accepts, with its errors.
 * @throws {CryptoError} `jwk-invalid`.
 */
export function sm2JwkCoordinates(jwk: { x: string; y: string }): { x: Uint8Array; y: Uint8Array } {
  let x: Uint8Array;
  let y: Uint8Array;
  try {
    x = decodeBase64urlStrict(jwk.x, 'x');
    y = decodeBase64urlStrict(jwk.y, 'y');
  } catch (cause) {
    throw new CryptoError('jwk-invalid', 'the SM2 coordinates are not canonical base64url', { cause });
  }
  assertSm2Point(x, y);
  return { x, y };
}
