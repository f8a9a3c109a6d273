import { CryptoError } from './errors.ts';

/**
 * Conversions between the two encodings of an ECDSA signature: DER (`SEQUENCE { INTEGER r,
 * INTEGER s }`, what KMS and OpenSSL produce) and IEEE P1363 `R||S` (fixed-width big-endian,
 * what JWS ES256 requires, RFC 7518 §3.4).
 *
 * The DER parser is deliberately strict. A signature is only ever produced by KMS, which emits
 * canonical DER; accepting BER variants (long-form lengths, padded integers, trailing bytes)
 * would only widen what an attacker can feed the converter and make signatures malleable.
 */

/** Group orders of the curves whose signatures we can convert, keyed by scalar size in bytes. */
const CURVE_ORDERS: ReadonlyMap<number, bigint> = new Map([
  // P-256 (secp256r1)
  [32, 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n],
  // P-384 (secp384r1)
  [
    48,
    0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  ],
  // P-521 (secp521r1): the scalar is 521 bits, so 66 bytes
  [
    66,
    0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  ],
]);

const TAG_INTEGER = 0x02;
const TAG_SEQUENCE = 0x30;

function curveOrder(size: number): bigint {
  const order = CURVE_ORDERS.get(size);
  if (order === undefined) {
    throw new TypeError(`unsupported ECDSA scalar size ${size}; expected 32, 48 or 66 bytes`);
  }
  return order;
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  // One native hex parse: a BigInt shift and or per byte cost about 4 µs per 32-byte scalar.
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`);
}

/**
 * Reads one DER length at `offset`. DER (X.690 §10.1) requires the definite form with the
 * fewest octets: short form below 128, otherwise long form without leading zero octets.
 */
function readLength(der: Uint8Array, offset: number): { length: number; next: number } {
  const first = der[offset];
  if (first === undefined) throw new CryptoError('der-truncated', 'DER length missing');
  if (first < 0x80) return { length: first, next: offset + 1 };
  if (first === 0x80) {
    throw new CryptoError('der-invalid-length', 'indefinite length is not allowed in DER');
  }
  const count = first & 0x7f;
  // A signature never needs more than a few length octets; this also keeps `length` a safe int.
  if (count > 3) throw new CryptoError('der-invalid-length', `length uses ${count} octets`);
  if (offset + 1 + count > der.length) throw new CryptoError('der-truncated', 'DER length truncated');
  if (der[offset + 1] === 0) {
    throw new CryptoError('der-invalid-length', 'long-form length has a leading zero octet');
  }
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (der[offset + 1 + i] ?? 0);
  if (length < 0x80) {
    throw new CryptoError('der-invalid-length', 'long-form length used where short form fits');
  }
  return { length, next: offset + 1 + count };
}

/** Reads one INTEGER at `offset` and checks it is a minimal, positive scalar below `order`. */
function readScalar(
  der: Uint8Array,
  offset: number,
  end: number,
  order: bigint,
  label: 'r' | 's',
): { content: Uint8Array; next: number } {
  if (offset >= end) throw new CryptoError('der-truncated', `INTEGER ${label} missing`);
  if (der[offset] !== TAG_INTEGER) {
    throw new CryptoError('der-unexpected-tag', `expected INTEGER for ${label}`);
  }
  const { length, next } = readLength(der, offset + 1);
  if (length === 0) throw new CryptoError('der-invalid-length', `INTEGER ${label} is empty`);
  if (next + length > end) throw new CryptoError('der-truncated', `INTEGER ${label} truncated`);
  const content = der.subarray(next, next + length);
  const lead = content[0] ?? 0;
  if ((lead & 0x80) !== 0) throw new CryptoError('der-integer-negative', `INTEGER ${label} is negative`);
  if (lead === 0 && content.length > 1 && ((content[1] ?? 0) & 0x80) === 0) {
    throw new CryptoError('der-integer-not-minimal', `INTEGER ${label} has a redundant leading zero`);
  }
  const value = bytesToBigInt(content);
  if (value === 0n || value >= order) {
    throw new CryptoError('der-integer-out-of-range', `${label} is not in [1, n-1]`);
  }
  return { content, next: next + length };
}

/** Writes a scalar's DER content (big-endian, minimal) right-aligned into `size` bytes at `at`. */
function writeFixed(content: Uint8Array, size: number, into: Uint8Array, at: number): void {
  // Minimal DER has at most one leading zero octet (before a high bit); copying the bytes
  // spares a BigInt shift and mask per byte.
  const digits = content[0] === 0 ? content.subarray(1) : content;
  if (digits.length > size) throw new CryptoError('der-integer-out-of-range', `scalar is wider than ${size} bytes`);
  into.set(digits, at + size - digits.length);
}

/**
 * Converts a DER ECDSA signature to IEEE P1363 `R||S` of `2 * size` bytes.
 *
 * @param der the DER `SEQUENCE { INTEGER r, INTEGER s }`, canonical DER only.
 * @param size the curve's scalar size in bytes: 32 (P-256), 48 (P-384) or 66 (P-521).
 * @param order the group order n; by default that of the NIST curve of `size` (pass
 *   `SM2_ORDER` for an SM2 signature, whose n is smaller than P-256's).
 * @throws {CryptoError} `der-*` codes for anything but a canonical encoding of 1 ≤ r, s < n.
 * @throws {TypeError} for an unsupported `size`.
 */
export function derToP1363(der: Uint8Array, size: number, order: bigint = curveOrder(size)): Uint8Array {
  if (der.length === 0) throw new CryptoError('der-truncated', 'empty signature');
  if (der[0] !== TAG_SEQUENCE) throw new CryptoError('der-unexpected-tag', 'expected SEQUENCE');
  const { length, next } = readLength(der, 1);
  const end = next + length;
  if (end > der.length) throw new CryptoError('der-truncated', 'SEQUENCE truncated');
  if (end < der.length) throw new CryptoError('der-trailing-bytes', 'bytes after the SEQUENCE');
  const r = readScalar(der, next, end, order, 'r');
  const s = readScalar(der, r.next, end, order, 's');
  if (s.next !== end) throw new CryptoError('der-trailing-bytes', 'bytes after INTEGER s');
  const out = new Uint8Array(2 * size);
  writeFixed(r.content, size, out, 0);
  writeFixed(s.content, size, out, size);
  return out;
}

function encodeLength(length: number): number[] {
  if (length < 0x80) return [length];
  const octets: number[] = [];
  for (let v = length; v > 0; v = Math.floor(v / 256)) octets.unshift(v % 256);
  return [0x80 | octets.length, ...octets];
}

function encodeScalar(bytes: Uint8Array): number[] {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const body = Array.from(bytes.subarray(start));
  // A set high bit would read as negative; DER prefixes exactly one zero octet.
  if (((body[0] ?? 0) & 0x80) !== 0) body.unshift(0);
  return [TAG_INTEGER, ...encodeLength(body.length), ...body];
}

/**
 * Converts an IEEE P1363 `R||S` signature to canonical DER.
 *
 * @param rs `2 * size` bytes, `size` being 32 (P-256), 48 (P-384) or 66 (P-521).
 * @param curveOrderOverride the group order n when it is not the NIST curve's of that size (SM2).
 * @throws {CryptoError} `p1363-invalid-length` for a length of no supported curve,
 *   `p1363-integer-out-of-range` when r or s is not in [1, n-1].
 */
export function p1363ToDer(rs: Uint8Array, curveOrderOverride?: bigint): Uint8Array {
  const size = rs.length / 2;
  const order = CURVE_ORDERS.has(size) ? (curveOrderOverride ?? CURVE_ORDERS.get(size)) : undefined;
  if (order === undefined) {
    throw new CryptoError('p1363-invalid-length', `R||S of ${rs.length} bytes fits no supported curve`);
  }
  const r = rs.subarray(0, size);
  const s = rs.subarray(size);
  for (const part of [r, s]) {
    const value = bytesToBigInt(part);
    if (value === 0n || value >= order) {
      throw new CryptoError('p1363-integer-out-of-range', 'r or s is not in [1, n-1]');
    }
  }
  const content = [...encodeScalar(r), ...encodeScalar(s)];
  return Uint8Array.from([TAG_SEQUENCE, ...encodeLength(content.length), ...content]);
}
