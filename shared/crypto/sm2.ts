import { sm2, sm3 as sm3Hex } from 'sm-crypto-v2';
import { CryptoError } from './errors.ts';
import { encodeBase64url } from './portable-bytes.ts';
import { SM2_CURVE_A, SM2_CURVE_B, SM2_ORDER, assertSm2Point, sm2JwkCoordinates } from './sm2-curve.ts';

export { SM2_ORDER };

/**
 * SM2 signatures with SM3 (GB/T 32918.2, GM/T 0003.2 and GM/T 0009), the algorithm of the `SM2`
 * signature suite. No `node:` import and no Node.js crypto: the service, `dcc` and the
 * verification page run this same code. OpenSSL has SM2, but Node.js cannot set its
 * distinguishing ID (OpenSSL 3.0 then signs with an empty one) and aborts the process when asked
 * to export an SM2 key, so the curve arithmetic comes from `sm-crypto-v2` (built on
 * `@noble/curves`) and everything the standard asks around it, Z_A and e, the range checks and
 * the key encodings, is written out here where it can be read against the standard.
 */

/** The default distinguishing ID of GM/T 0009, which KMS, OpenSSL 4 and most toolkits assume. */
export const SM2_DEFAULT_ID = '1234567812345678';
/** r and s as two 32-byte big-endian integers, the same `R||S` form as ES256. */
export const SM2_SIGNATURE_LENGTH = 64;

// The recommended curve of GM/T 0003.5 (GB/T 32918.5): y² = x³ + ax + b over p (a, b and n in
// sm2-curve.ts), base point G of order n.
const CURVE_A = hex(SM2_CURVE_A.toString(16).padStart(64, '0'));
const CURVE_B = hex(SM2_CURVE_B.toString(16).padStart(64, '0'));
const BASE_X = hex('32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7');
const BASE_Y = hex('bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0');

const utf8 = new TextEncoder();

function hex(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${toHex(bytes)}`);
}

/** SM3 (GB/T 32905) of `data`. */
export function sm3(data: Uint8Array): Uint8Array {
  return hex(sm3Hex(data));
}

/** The SM2 public key point in uncompressed SEC 1 form, `04 || x || y`, as hex. */
function pointHex(x: Uint8Array, y: Uint8Array): string {
  return `04${toHex(x)}${toHex(y)}`;
}

/**
 * An SM2 public key, proven to be a point on the curve. It computes the signer's Z_A (which
 * depends only on the key and the distinguishing ID) once, so a batch of signatures under one
 * key hashes the 210-byte prefix only once.
 */
export class Sm2PublicKey {
  readonly x: Uint8Array;
  readonly y: Uint8Array;
  readonly #point: ReturnType<typeof sm2.precomputePublicKey>;
  readonly #zaDefault: Uint8Array;

  private constructor(x: Uint8Array, y: Uint8Array) {
    this.x = x;
    this.y = y;
    // Parsing validates the point (on the curve, not the identity). A window of 4 costs a few
    // milliseconds once per key and makes each verification about four times faster than none;
    // the library's default (8) costs a tenth of a second per key for little more.
    this.#point = sm2.precomputePublicKey(pointHex(x, y), 4);
    this.#zaDefault = sm2Za(x, y, SM2_DEFAULT_ID);
  }

  /**
   * The key at the affine point (x, y), each 32 bytes big-endian.
   * @throws {CryptoError} `jwk-invalid` when a coordinate is not 32 bytes or the point is not on the curve.
   */
  static fromCoordinates(x: Uint8Array, y: Uint8Array): Sm2PublicKey {
    // The check a key set's reader makes without this module; the library's own check stays.
    assertSm2Point(x, y);
    try {
      if (!sm2.verifyPublicKey(pointHex(x, y))) throw new Error('not on the curve');
      return new Sm2PublicKey(Uint8Array.from(x), Uint8Array.from(y));
    } catch (cause) {
      throw new CryptoError('jwk-invalid', 'the coordinates are not a point on the SM2 curve', { cause });
    }
  }

  /**
   * The key of a JWK's `x` and `y` members (canonical unpadded base64url, 32 bytes each).
   * @throws {CryptoError} `jwk-invalid`.
   */
  static fromJwk(jwk: { x: string; y: string }): Sm2PublicKey {
    const { x, y } = sm2JwkCoordinates(jwk);
    return Sm2PublicKey.fromCoordinates(x, y);
  }

  /**
   * The key of a DER SubjectPublicKeyInfo with algorithm id-ecPublicKey and the SM2 curve
   * (1.2.156.10197.1.301), what KMS `GetPublicKey` and `openssl pkey -pubout` write.
   * @throws {CryptoError} `spki-invalid`, or `jwk-invalid` for a point off the curve.
   */
  static fromSpki(der: Uint8Array): Sm2PublicKey {
    if (der.length !== SPKI_PREFIX.length + 64 || !startsWith(der, SPKI_PREFIX)) {
      throw new CryptoError('spki-invalid', 'not a DER SubjectPublicKeyInfo of an uncompressed SM2 public key');
    }
    const at = SPKI_PREFIX.length;
    return Sm2PublicKey.fromCoordinates(der.subarray(at, at + 32), der.subarray(at + 32));
  }

  /** The DER SubjectPublicKeyInfo (what `openssl pkeyutl -pubin` reads, as PEM). */
  toSpki(): Uint8Array {
    return concat(SPKI_PREFIX, this.x, this.y);
  }

  /** `x` and `y` as JWK members. */
  jwkMembers(): { x: string; y: string } {
    return { x: encodeBase64url(this.x), y: encodeBase64url(this.y) };
  }

  /** Z_A of this key and distinguishing ID `id`. */
  za(id: string = SM2_DEFAULT_ID): Uint8Array {
    return id === SM2_DEFAULT_ID ? this.#zaDefault : sm2Za(this.x, this.y, id);
  }

  /** e = SM3(Z_A || M): what is signed, and what KMS takes with `MessageType: DIGEST`. */
  digest(message: Uint8Array, id: string = SM2_DEFAULT_ID): Uint8Array {
    return sm3(concat(this.za(id), message));
  }

  /**
   * Verifies an `R||S` SM2 signature over `message` with distinguishing ID `id`. False for any
   * signature that is not exactly 64 bytes or whose r or s is outside [1, n-1].
   */
  verify(message: Uint8Array, signature: Uint8Array, id: string = SM2_DEFAULT_ID): boolean {
    return this.verifyDigest(this.digest(message, id), signature);
  }

  /** Verifies an `R||S` signature over a digest e from {@link digest}. */
  verifyDigest(e: Uint8Array, signature: Uint8Array): boolean {
    if (signature.length !== SM2_SIGNATURE_LENGTH || e.length !== 32) return false;
    const r = toBigInt(signature.subarray(0, 32));
    const s = toBigInt(signature.subarray(32));
    // GB/T 32918.2 verification steps B1 and B2; the library's own checks are not relied on.
    if (r < 1n || r >= SM2_ORDER || s < 1n || s >= SM2_ORDER) return false;
    if ((r + s) % SM2_ORDER === 0n) return false;
    try {
      return sm2.doVerifySignature(e, toHex(signature), this.#point, { hash: false, der: false });
    } catch {
      return false;
    }
  }
}

/**
 * Z_A = SM3(ENTL_A || ID_A || a || b || x_G || y_G || x_A || y_A), ENTL_A being the bit length
 * of the ID in two bytes (GB/T 32918.2).
 */
function sm2Za(x: Uint8Array, y: Uint8Array, id: string): Uint8Array {
  const idBytes = utf8.encode(id);
  const bits = idBytes.length * 8;
  if (bits > 0xffff) throw new RangeError('the distinguishing ID is longer than 8191 bytes');
  return sm3(concat(Uint8Array.of(bits >> 8, bits & 0xff), idBytes, CURVE_A, CURVE_B, BASE_X, BASE_Y, x, y));
}

/** A fixed nonce k, only ever given by the published test vectors. */
export interface Sm2Nonce {
  k: bigint;
}

/** An SM2 private key held in this process: local mode's stand-in for a KMS `SM2` key. */
export class Sm2PrivateKey {
  readonly #d: string;
  readonly publicKey: Sm2PublicKey;

  private constructor(d: Uint8Array) {
    const value = toBigInt(d);
    // d + 1 must be invertible mod n, so n - 1 is excluded along with 0 (GB/T 32918.1).
    if (d.length !== 32 || value < 1n || value > SM2_ORDER - 2n) {
      throw new CryptoError('pkcs8-invalid', 'the SM2 private key is not in [1, n-2]');
    }
    this.#d = toHex(d);
    const point = sm2.getPublicKeyFromPrivateKey(this.#d);
    this.publicKey = Sm2PublicKey.fromCoordinates(hex(point.slice(2, 66)), hex(point.slice(66, 130)));
  }

  /** A fresh key from the platform's CSPRNG. */
  static generate(): Sm2PrivateKey {
    for (;;) {
      const d = hex(sm2.generateKeyPairHex().privateKey.padStart(64, '0'));
      if (toBigInt(d) <= SM2_ORDER - 2n) return new Sm2PrivateKey(d);
    }
  }

  /**
   * The key `d` (32 bytes big-endian).
   * @throws {CryptoError} `pkcs8-invalid` when d is not in [1, n-2].
   */
  static fromScalar(d: Uint8Array): Sm2PrivateKey {
    return new Sm2PrivateKey(d);
  }

  /**
   * Reads an unencrypted PKCS#8 SM2 private key (DER) in the one layout this module writes and
   * `openssl genpkey -algorithm SM2` writes too: id-ecPublicKey with the SM2 curve, an
   * ECPrivateKey with the public key, no parameters repeated. The public key must match d.
   * @throws {CryptoError} `pkcs8-invalid`.
   */
  static fromPkcs8(der: Uint8Array): Sm2PrivateKey {
    if (der.length !== PKCS8_PREFIX.length + 32 + PKCS8_PUBLIC_PREFIX.length + 64 || !startsWith(der, PKCS8_PREFIX)) {
      throw new CryptoError('pkcs8-invalid', 'not an unencrypted PKCS#8 SM2 private key');
    }
    const d = der.subarray(PKCS8_PREFIX.length, PKCS8_PREFIX.length + 32);
    const rest = der.subarray(PKCS8_PREFIX.length + 32);
    if (!startsWith(rest, PKCS8_PUBLIC_PREFIX)) throw new CryptoError('pkcs8-invalid', 'the PKCS#8 key lacks its public key');
    const key = new Sm2PrivateKey(d);
    const publicPoint = rest.subarray(PKCS8_PUBLIC_PREFIX.length);
    if (toHex(publicPoint) !== toHex(concat(key.publicKey.x, key.publicKey.y))) {
      throw new CryptoError('pkcs8-invalid', 'the public key in the PKCS#8 key is not the one of its private key');
    }
    return key;
  }

  /** The unencrypted PKCS#8 DER of this key (with its public key, as OpenSSL writes it). */
  toPkcs8(): Uint8Array {
    return concat(PKCS8_PREFIX, hex(this.#d), PKCS8_PUBLIC_PREFIX, this.publicKey.x, this.publicKey.y);
  }

  /** Signs `message` with SM3 and distinguishing ID `id`; returns `R||S`. */
  sign(message: Uint8Array, id: string = SM2_DEFAULT_ID): Uint8Array {
    return this.signDigest(this.publicKey.digest(message, id));
  }

  /**
   * Signs a digest e = SM3(Z_A || M); returns `R||S`. `nonce` fixes k, for the standard's test
   * vectors only: a repeated k reveals the private key.
   */
  signDigest(e: Uint8Array, nonce?: Sm2Nonce): Uint8Array {
    if (e.length !== 32) throw new TypeError('an SM2 digest is 32 bytes');
    const pointPool =
      nonce === undefined
        ? undefined
        : [{ k: nonce.k, x1: BigInt(`0x${sm2.getPublicKeyFromPrivateKey(nonce.k.toString(16).padStart(64, '0')).slice(2, 66)}`) }];
    const signature = hex(sm2.doSignature(e, this.#d, { hash: false, der: false, ...(pointPool ? { pointPool } : {}) }));
    if (signature.length !== SM2_SIGNATURE_LENGTH) throw new Error('the SM2 signer returned a malformed signature');
    return signature;
  }
}

// DER prefixes of the fixed-size encodings: SEQUENCE { SEQUENCE { id-ecPublicKey, sm2 }, BIT STRING 04 || x || y }.
const ALGORITHM = hex('301306072a8648ce3d020106082a811ccf5501822d');
const SPKI_PREFIX = concat(hex('3059'), ALGORITHM, hex('03420004'));
// SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING { ECPrivateKey { INTEGER 1, OCTET STRING d, [1] BIT STRING } } }.
const PKCS8_PREFIX = concat(hex('308187020100'), ALGORITHM, hex('046d306b0201010420'));
const PKCS8_PUBLIC_PREFIX = hex('a14403420004');

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}
