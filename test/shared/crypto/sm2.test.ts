import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CryptoError } from '#shared/crypto/errors.ts';
import { derToP1363, p1363ToDer } from '#shared/crypto/ecdsa-der.ts';
import { SM2_ORDER, Sm2PrivateKey, Sm2PublicKey, sm3 } from '#shared/crypto/sm2.ts';

/** Published vectors, each with its source URL (see test/fixtures/sm2/README.md). */
const VECTORS = JSON.parse(readFileSync(new URL('../../fixtures/sm2/vectors.json', import.meta.url), 'utf8')) as {
  sm3: { vectors: { inputHex: string; digestHex: string }[] };
  sm2Signature: Record<'id' | 'message' | 'privateKeyHex' | 'publicKeyXHex' | 'publicKeyYHex' | 'eHex' | 'kHex' | 'rHex' | 'sHex', string>;
};
const A = VECTORS.sm2Signature;

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const scalar = (value: bigint): string => value.toString(16).padStart(64, '0');
const rs = (r: bigint, s: bigint): Uint8Array => hex(scalar(r) + scalar(s));

describe('SM3 (GB/T 32905 examples)', () => {
  it.each(VECTORS.sm3.vectors)('hashes $inputHex', ({ inputHex, digestHex }) => {
    expect(toHex(sm3(hex(inputHex)))).toBe(digestHex);
  });
});

describe('SM2 signature, GM/T 0003.5 / GB/T 32918.5 Annex A on the recommended curve', () => {
  const key = Sm2PrivateKey.fromScalar(hex(A.privateKeyHex));
  const message = utf8(A.message);

  it('derives the public key of the example', () => {
    expect(toHex(key.publicKey.x)).toBe(A.publicKeyXHex);
    expect(toHex(key.publicKey.y)).toBe(A.publicKeyYHex);
  });

  it('computes e = SM3(Z_A || M) with the default distinguishing ID as the example does', () => {
    expect(A.id).toBe('1234567812345678');
    expect(toHex(key.publicKey.digest(message))).toBe(A.eHex);
    expect(toHex(key.publicKey.digest(message, A.id))).toBe(A.eHex);
  });

  it('signs with the example nonce k to exactly (r, s)', () => {
    const signature = key.signDigest(hex(A.eHex), { k: BigInt(`0x${A.kHex}`) });
    expect(toHex(signature)).toBe(A.rHex + A.sHex);
  });

  it('verifies the example signature, and refuses it for another message or another distinguishing ID', () => {
    const signature = hex(A.rHex + A.sHex);
    const publicKey = Sm2PublicKey.fromCoordinates(hex(A.publicKeyXHex), hex(A.publicKeyYHex));
    expect(publicKey.verify(message, signature)).toBe(true);
    expect(publicKey.verify(utf8('message digesT'), signature)).toBe(false);
    expect(publicKey.verify(message, signature, 'ALICE123@YAHOO.COM')).toBe(false);
    expect(publicKey.verify(message, signature, '')).toBe(false);
  });
});

describe('Sm2PublicKey.verify refuses what is not a valid signature', () => {
  const key = Sm2PrivateKey.generate();
  const message = utf8('eyJhbGciOiJTTTIifQ.eyJhIjoxfQ');
  const signature = key.sign(message);
  const r = BigInt(`0x${toHex(signature.subarray(0, 32))}`);
  const s = BigInt(`0x${toHex(signature.subarray(32))}`);

  it('accepts a fresh signature (randomised: two signatures differ, both verify)', () => {
    const again = key.sign(message);
    expect(toHex(again)).not.toBe(toHex(signature));
    expect(key.publicKey.verify(message, signature)).toBe(true);
    expect(key.publicKey.verify(message, again)).toBe(true);
  });

  it('refuses every single flipped bit of the signature and of the message', () => {
    for (let bit = 0; bit < 512; bit += 7) {
      const bad = Uint8Array.from(signature);
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(key.publicKey.verify(message, bad)).toBe(false);
    }
    const tampered = Uint8Array.from(message);
    tampered[5]! ^= 1;
    expect(key.publicKey.verify(tampered, signature)).toBe(false);
  });

  it.each([
    ['r = 0', () => rs(0n, s)],
    ['s = 0', () => rs(r, 0n)],
    ['r = n', () => rs(SM2_ORDER, s)],
    ['s = n', () => rs(r, SM2_ORDER)],
    ['s = n - s (the ECDSA malleation; SM2 has no low-S rule because it does not hold)', () => rs(r, SM2_ORDER - s)],
    ['r = n - s (t = r + s = 0 mod n)', () => rs(SM2_ORDER - s, s)],
    ['all ones', () => new Uint8Array(64).fill(0xff)],
    ['63 bytes', () => signature.subarray(0, 63)],
    ['65 bytes', () => Uint8Array.from([...signature, 0])],
    ['empty', () => new Uint8Array(0)],
  ])('%s', (_name, make) => {
    expect(key.publicKey.verify(message, make())).toBe(false);
  });

  it('refuses a signature made for a different key', () => {
    expect(Sm2PrivateKey.generate().publicKey.verify(message, signature)).toBe(false);
  });
});

describe('SM2 key encodings', () => {
  it('PKCS#8 and SPKI round trip; the public key inside the PKCS#8 must be the private key\'s', () => {
    const key = Sm2PrivateKey.generate();
    const again = Sm2PrivateKey.fromPkcs8(key.toPkcs8());
    expect(toHex(again.publicKey.x)).toBe(toHex(key.publicKey.x));
    expect(toHex(Sm2PublicKey.fromSpki(key.publicKey.toSpki()).y)).toBe(toHex(key.publicKey.y));
    const other = Sm2PrivateKey.generate().toPkcs8();
    const spliced = Uint8Array.from([...key.toPkcs8().subarray(0, 70), ...other.subarray(70)]);
    expect(() => Sm2PrivateKey.fromPkcs8(spliced)).toThrow(/not the one of its private key/);
  });

  it('refuses private scalars 0, n - 1 and n', () => {
    for (const d of [0n, SM2_ORDER - 1n, SM2_ORDER]) {
      expect(() => Sm2PrivateKey.fromScalar(hex(scalar(d)))).toThrow(CryptoError);
    }
    expect(() => Sm2PrivateKey.fromScalar(hex(scalar(SM2_ORDER - 2n)))).not.toThrow();
  });

  it('refuses a point off the curve, short coordinates, and a P-256 SPKI', () => {
    const key = Sm2PrivateKey.generate().publicKey;
    const y = Uint8Array.from(key.y);
    y[31]! ^= 1;
    expect(() => Sm2PublicKey.fromCoordinates(key.x, y)).toThrow(/not a point on the SM2 curve/);
    expect(() => Sm2PublicKey.fromCoordinates(key.x.subarray(1), key.y)).toThrow(CryptoError);
    const p256Spki = hex('3059301306072a8648ce3d020106082a8648ce3d030107034200'.padEnd(182, '0'));
    expect(() => Sm2PublicKey.fromSpki(p256Spki)).toThrow(/SM2 public key/);
  });

  it('DER <-> R||S with the SM2 order: a DER r or s in [n_SM2, n_P256) is refused, as P-256 would accept it', () => {
    const key = Sm2PrivateKey.generate();
    const signature = key.sign(utf8('x'));
    expect(toHex(derToP1363(p1363ToDer(signature, SM2_ORDER), 32, SM2_ORDER))).toBe(toHex(signature));
    const between = rs(SM2_ORDER + 1n, 1n);
    expect(() => p1363ToDer(between, SM2_ORDER)).toThrow(CryptoError);
    expect(() => derToP1363(p1363ToDer(between), 32, SM2_ORDER)).toThrow(CryptoError);
  });
});
