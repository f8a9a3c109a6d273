import { generateKeyPairSync, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { derToP1363, p1363ToDer } from '#shared/crypto/ecdsa-der.ts';
import { verifyP256, verifyP256With } from '#shared/crypto/ecdsa-p256.ts';
import { CryptoError, type CryptoErrorCode } from '#shared/crypto/errors.ts';
import { codeOf } from './support/crypto-error-code.ts';

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const scalar = (v: bigint): string => v.toString(16).padStart(64, '0');

describe('derToP1363', () => {
  it('converts the minimal signature r = 1, s = 1', () => {
    expect(toHex(derToP1363(hex('3006 020101 020101'), 32))).toBe(scalar(1n) + scalar(1n));
  });

  it('converts integers that need a leading zero octet (high bit set) and n - 1', () => {
    const r = 0x80n << 248n; // 0x80 followed by 31 zero bytes: DER needs 33 bytes
    const der = `3046 0221 00${scalar(r)} 0221 00${scalar(N - 1n)}`;
    expect(toHex(derToP1363(hex(der), 32))).toBe(scalar(r) + scalar(N - 1n));
  });

  it('left-pads short integers to 32 bytes', () => {
    expect(toHex(derToP1363(hex('3008 0202 0100 0202 7fff'), 32))).toBe(scalar(0x100n) + scalar(0x7fffn));
  });

  const refusals: [string, string, CryptoErrorCode][] = [
    ['empty input', '', 'der-truncated'],
    ['not a SEQUENCE', '3106 020101 020101', 'der-unexpected-tag'],
    ['SEQUENCE length longer than the data', '3007 020101 020101', 'der-truncated'],
    ['trailing bytes after the SEQUENCE', '3006 020101 020101 00', 'der-trailing-bytes'],
    ['trailing bytes inside the SEQUENCE', '3009 020101 020101 020100', 'der-trailing-bytes'],
    ['indefinite length', '3080 020101 020101 0000', 'der-invalid-length'],
    ['long-form length where short form fits', '308106 020101 020101', 'der-invalid-length'],
    ['long-form length with a leading zero octet', '30820006 020101 020101', 'der-invalid-length'],
    ['long-form INTEGER length', '3007 02810101 020101', 'der-invalid-length'],
    ['too many length octets', '3084000000 06', 'der-invalid-length'],
    ['INTEGER with a redundant leading zero', '3007 02020001 020101', 'der-integer-not-minimal'],
    ['negative INTEGER', '3006 020181 020101', 'der-integer-negative'],
    ['zero r', '3006 020100 020101', 'der-integer-out-of-range'],
    ['zero s', '3006 020101 020100', 'der-integer-out-of-range'],
    ['empty INTEGER', '3005 0200 020101', 'der-invalid-length'],
    ['missing s', '3003 020101', 'der-truncated'],
    ['s is not an INTEGER', '3006 020101 040101', 'der-unexpected-tag'],
  ];

  it.each(refusals)('refuses %s with %s', (_name, der, code) => {
    expect(codeOf(() => derToP1363(hex(der), 32))).toBe(code);
  });

  it('refuses r = n and s = n (out of range although well encoded)', () => {
    const n = `0221 00${scalar(N)}`;
    expect(codeOf(() => derToP1363(hex(`3026 ${n} 020101`), 32))).toBe('der-integer-out-of-range');
    expect(codeOf(() => derToP1363(hex(`3026 020101 ${n}`), 32))).toBe('der-integer-out-of-range');
  });

  it('refuses an integer wider than the curve (33 significant bytes)', () => {
    const wide = `0221 01${'00'.repeat(32)}`;
    expect(codeOf(() => derToP1363(hex(`3026 ${wide} 020101`), 32))).toBe('der-integer-out-of-range');
  });

  it('refuses a signature whose INTEGER runs past the SEQUENCE end', () => {
    // The SEQUENCE holds 5 content bytes, and s claims 2 content bytes where none is left.
    expect(codeOf(() => derToP1363(hex('3005 020101 0202'), 32))).toBe('der-truncated');
  });

  it('carries the code on a typed error with a message', () => {
    try {
      derToP1363(hex('3006 020181 020101'), 32);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CryptoError);
      expect((error as CryptoError).name).toBe('CryptoError');
      expect((error as CryptoError).message).toMatch(/negative/);
    }
  });

  it('rejects an unsupported size as programmer misuse', () => {
    expect(() => derToP1363(hex('3006 020101 020101'), 31)).toThrow(TypeError);
  });

  it('never throws anything but CryptoError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          const rs = derToP1363(bytes, 32);
          // Whatever it accepts must be the canonical encoding of what it returns.
          expect(toHex(p1363ToDer(rs))).toBe(toHex(bytes));
        } catch (error) {
          expect(error).toBeInstanceOf(CryptoError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('p1363ToDer', () => {
  const validScalar = fc.bigInt({ min: 1n, max: N - 1n });

  it('round-trips every in-range R||S through DER', () => {
    fc.assert(
      fc.property(validScalar, validScalar, (r, s) => {
        const rs = hex(scalar(r) + scalar(s));
        const der = p1363ToDer(rs);
        expect(toHex(derToP1363(der, 32))).toBe(toHex(rs));
      }),
      { numRuns: 1000 },
    );
  });

  it('encodes small values minimally and high-bit values with one leading zero', () => {
    expect(toHex(p1363ToDer(hex(scalar(1n) + scalar(0x80n))))).toBe('3007020101020200' + '80');
  });

  it('refuses a length that fits no curve and out-of-range values', () => {
    expect(codeOf(() => p1363ToDer(new Uint8Array(63)))).toBe('p1363-invalid-length');
    expect(codeOf(() => p1363ToDer(new Uint8Array(64)))).toBe('p1363-integer-out-of-range');
    expect(codeOf(() => p1363ToDer(hex(scalar(N) + scalar(1n))))).toBe('p1363-integer-out-of-range');
  });

  it('agrees with OpenSSL: Node DER signatures convert to R||S that Node verifies, and back', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        const der = new Uint8Array(sign('sha256', data, { key: privateKey, dsaEncoding: 'der' }));
        const rs = derToP1363(der, 32);
        expect(rs).toHaveLength(64);
        expect(verifyP256(publicKey, data, rs)).toBe(true);
        expect(toHex(p1363ToDer(rs))).toBe(toHex(der));
      }),
      { numRuns: 200 },
    );
  });

  it('also handles P-384 and P-521 sizes (long-form SEQUENCE length for P-521)', () => {
    for (const [curve, size, hash] of [
      ['P-384', 48, 'sha384'],
      ['P-521', 66, 'sha512'],
    ] as const) {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
      for (let i = 0; i < 20; i++) {
        const data = Buffer.from(`message ${i}`);
        const der = new Uint8Array(sign(hash, data, { key: privateKey, dsaEncoding: 'der' }));
        const p1363 = new Uint8Array(sign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
        const rs = derToP1363(der, size);
        expect(rs).toHaveLength(2 * size);
        expect(toHex(p1363ToDer(rs))).toBe(toHex(der));
        // A fresh P1363 signature is a different (randomised) signature, but has the same shape.
        expect(toHex(derToP1363(p1363ToDer(p1363), size))).toBe(toHex(p1363));
      }
    }
  });
});

describe('verifyP256', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = new TextEncoder().encode('signing input');
  const rs = new Uint8Array(sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }));

  it('accepts a genuine signature with a KeyObject, a private KeyObject or a JWK', () => {
    expect(verifyP256(publicKey, data, rs)).toBe(true);
    expect(verifyP256(privateKey, data, rs)).toBe(true);
    expect(verifyP256(publicKey.export({ format: 'jwk' }), data, rs)).toBe(true);
  });

  it('rejects other data, a flipped bit, and any length but 64', () => {
    expect(verifyP256(publicKey, new TextEncoder().encode('signing inpuT'), rs)).toBe(false);
    const flipped = rs.slice();
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    expect(verifyP256(publicKey, data, flipped)).toBe(false);
    expect(verifyP256(publicKey, data, rs.subarray(0, 63))).toBe(false);
    expect(verifyP256(publicKey, data, Uint8Array.from([0, ...rs]))).toBe(false);
    expect(verifyP256(publicKey, data, new Uint8Array(0))).toBe(false);
    const der = new Uint8Array(sign('sha256', data, { key: privateKey, dsaEncoding: 'der' }));
    expect(verifyP256(publicKey, data, der)).toBe(false);
  });

  it('refuses keys of another type or curve as programmer misuse', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    const ed = generateKeyPairSync('ed25519').publicKey;
    expect(() => verifyP256(p384, data, rs)).toThrow(TypeError);
    expect(() => verifyP256(ed, data, rs)).toThrow(TypeError);
    expect(() => verifyP256({ kty: 'EC', crv: 'P-384', x: 'a', y: 'b' }, data, rs)).toThrow(TypeError);
  });
});

describe('verifyP256With (R||S written as DER in place)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  /** Node's own verdict on R||S, the reference: OpenSSL converts and checks. */
  const nodeVerdict = (data: Uint8Array, rs: Uint8Array): boolean => {
    try {
      return verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, rs);
    } catch {
      return false;
    }
  };
  const signed = Array.from({ length: 3000 }, (_, i) => {
    const data = new TextEncoder().encode(`signing input ${i}`);
    return { data, rs: new Uint8Array(sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })) };
  });

  it('accepts every genuine signature, those whose r or s starts with zero bytes or a high bit among them', () => {
    const leadingZero = signed.filter(({ rs }) => rs[0] === 0 || rs[32] === 0);
    const highBit = signed.filter(({ rs }) => (rs[0] as number) >= 0x80 && (rs[32] as number) >= 0x80);
    // 3000 signatures hold about 23 with a leading zero byte and 750 with both high bits.
    expect(leadingZero.length).toBeGreaterThan(3);
    expect(highBit.length).toBeGreaterThan(500);
    for (const { data, rs } of signed) expect(verifyP256With(publicKey, data, rs)).toBe(true);
  });

  it('gives Node\'s verdict on the other half (n - s), on r or s out of range and on every one-bit flip', () => {
    const { data, rs } = signed.find(({ rs }) => rs[0] === 0 || rs[32] === 0) ?? (signed[0] as { data: Uint8Array; rs: Uint8Array });
    const r = BigInt(`0x${toHex(rs.subarray(0, 32))}`);
    const s = BigInt(`0x${toHex(rs.subarray(32))}`);
    const cases = [
      hex(scalar(r) + scalar(N - s)),
      hex(scalar(0n) + scalar(s)),
      hex(scalar(r) + scalar(0n)),
      hex(scalar(N) + scalar(s)),
      hex(scalar(r) + scalar(N)),
      hex(scalar(2n ** 256n - 1n) + scalar(2n ** 256n - 1n)),
      new Uint8Array(64),
    ];
    for (let bit = 0; bit < 512; bit++) {
      const flipped = rs.slice();
      flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7));
      cases.push(flipped);
    }
    for (const candidate of cases) expect(verifyP256With(publicKey, data, candidate)).toBe(nodeVerdict(data, candidate));
    // The other half verifies (ECDSA accepts s and n - s alike), so the cases hold both verdicts.
    expect(verifyP256With(publicKey, data, cases[0] as Uint8Array)).toBe(true);
    expect(verifyP256With(publicKey, data, cases[1] as Uint8Array)).toBe(false);
  });

  it('gives Node\'s verdict on random R||S, and false for any length but 64', () => {
    const { data } = signed[0] as { data: Uint8Array; rs: Uint8Array };
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (rs) => verifyP256With(publicKey, data, rs) === nodeVerdict(data, rs)),
      { numRuns: 500 },
    );
    const genuine = signed[1] as { data: Uint8Array; rs: Uint8Array };
    expect(verifyP256With(publicKey, genuine.data, genuine.rs)).toBe(true);
    expect(verifyP256With(publicKey, genuine.data, genuine.rs.subarray(0, 63))).toBe(false);
    expect(verifyP256With(publicKey, genuine.data, Uint8Array.from([...genuine.rs, 0]))).toBe(false);
  });
});
