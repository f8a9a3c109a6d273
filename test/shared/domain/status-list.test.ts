import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  STATUS_LIST_MAX_BYTES,
  STATUS_LIST_SIZE,
  StatusListError,
  buildStatusListCredential,
  decodeStatusList,
  encodeStatusList,
  isRevoked,
} from '#shared/domain/status-list.ts';

/** The all-zero list from the Recommendation's example BitstringStatusListCredential. */
const SPEC_EXAMPLE_LIST = 'uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA';

/**
 * An independent reading of an encodedList: plain base64url and gunzip from Node, then the
 * spec's bit order written out by hand (bit i is bit 7 - i % 8 of byte floor(i / 8)).
 */
function independentlyDecodedSetBits(encoded: string): { length: number; set: number[] } {
  expect(encoded[0]).toBe('u');
  const gz = Buffer.from(encoded.slice(1), 'base64url');
  expect([gz[0], gz[1], gz[2]]).toEqual([0x1f, 0x8b, 0x08]); // GZIP member, deflate
  const bytes = gunzipSync(gz);
  const set: number[] = [];
  for (let byte = 0; byte < bytes.length; byte++) {
    for (let bit = 0; bit < 8; bit++) {
      if ((bytes[byte]! >> (7 - bit)) & 1) set.push(byte * 8 + bit);
    }
  }
  return { length: bytes.length * 8, set };
}

function expectStatusListError(fn: () => unknown, code: StatusListError['code']): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StatusListError);
  expect((caught as StatusListError).code).toBe(code);
}

function encodeRaw(bytes: Uint8Array): string {
  return `u${gzipSync(bytes).toString('base64url')}`;
}

describe('status list size', () => {
  it('is the Recommendation minimum: 16 KB of single-bit entries', () => {
    expect(STATUS_LIST_SIZE).toBe(131_072);
    expect(STATUS_LIST_SIZE).toBe(16 * 1024 * 8);
  });
});

describe('decodeStatusList', () => {
  it("decodes the spec's example list to 131,072 clear bits", () => {
    const bits = decodeStatusList(SPEC_EXAMPLE_LIST);
    expect(bits).toBeInstanceOf(Uint8Array);
    expect(bits.length * 8).toBe(131_072);
    expect(bits.every((b) => b === 0)).toBe(true);
    expect(isRevoked(bits, 0)).toBe(false);
    expect(isRevoked(bits, 131_071)).toBe(false);
  });

  it('refuses a value without the multibase base64url prefix', () => {
    const body = SPEC_EXAMPLE_LIST.slice(1);
    expectStatusListError(() => decodeStatusList(body), 'MALFORMED_VALUE_ERROR');
    expectStatusListError(() => decodeStatusList(`z${body}`), 'MALFORMED_VALUE_ERROR');
    expectStatusListError(() => decodeStatusList(`U${body}`), 'MALFORMED_VALUE_ERROR');
    expectStatusListError(() => decodeStatusList(''), 'MALFORMED_VALUE_ERROR');
    expectStatusListError(() => decodeStatusList('u'), 'MALFORMED_VALUE_ERROR');
  });

  it('refuses padding, whitespace and the standard base64 alphabet', () => {
    const bytes = gzipSync(new Uint8Array(16_384));
    const padded = `u${bytes.toString('base64')}`;
    // Only test the padded spelling when it really carries padding or +/ characters.
    expect(padded).toMatch(/[=+/]/);
    expectStatusListError(() => decodeStatusList(padded), 'MALFORMED_VALUE_ERROR');
    const good = encodeRaw(new Uint8Array(16_384));
    expectStatusListError(() => decodeStatusList(`${good}=`), 'MALFORMED_VALUE_ERROR');
    expectStatusListError(() => decodeStatusList(`${good.slice(0, 10)} ${good.slice(10)}`), 'MALFORMED_VALUE_ERROR');
    expectStatusListError(() => decodeStatusList(`${good}\n`), 'MALFORMED_VALUE_ERROR');
    expectStatusListError(() => decodeStatusList(`${good.slice(0, 5)}+${good.slice(6)}`), 'MALFORMED_VALUE_ERROR');
  });

  it('refuses a non-canonical spelling whose unused trailing bits are not zero', () => {
    // Find a list whose compressed length is not a multiple of 3 bytes, so the last base64url
    // character carries unused bits.
    const text = [1, 2, 3, 4, 5, 6]
      .map((i) => encodeStatusList([i * 1000, i]).slice(1))
      .find((t) => (t.length * 6) % 8 !== 0)!;
    expect(text).toBeDefined();
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(text.at(-1)!);
    const twin = `u${text.slice(0, -1)}${alphabet[last | 1]}`;
    expect(twin).not.toBe(`u${text}`);
    expect(Buffer.from(twin.slice(1), 'base64url')).toEqual(Buffer.from(text, 'base64url'));
    expect(decodeStatusList(`u${text}`).length).toBe(16_384);
    expectStatusListError(() => decodeStatusList(twin), 'MALFORMED_VALUE_ERROR');
  });

  it('refuses data that is not GZIP, and truncated GZIP', () => {
    const raw = Buffer.alloc(16_384).toString('base64url');
    expectStatusListError(() => decodeStatusList(`u${raw}`), 'MALFORMED_VALUE_ERROR');
    const gz = gzipSync(new Uint8Array(16_384));
    expectStatusListError(() => decodeStatusList(`u${gz.subarray(0, gz.length - 4).toString('base64url')}`), 'MALFORMED_VALUE_ERROR');
  });

  it('refuses a list shorter than 16 KB with STATUS_LIST_LENGTH_ERROR', () => {
    expectStatusListError(() => decodeStatusList(encodeRaw(new Uint8Array(16_383))), 'STATUS_LIST_LENGTH_ERROR');
    expectStatusListError(() => decodeStatusList(encodeRaw(new Uint8Array(0))), 'STATUS_LIST_LENGTH_ERROR');
    expect(decodeStatusList(encodeRaw(new Uint8Array(16_384))).length).toBe(16_384);
  });

  it('refuses a decompression bomb above the size limit', () => {
    const bomb = encodeRaw(new Uint8Array(STATUS_LIST_MAX_BYTES + 1));
    expect(bomb.length).toBeLessThan(40_000);
    expectStatusListError(() => decodeStatusList(bomb), 'MALFORMED_VALUE_ERROR');
    expect(decodeStatusList(encodeRaw(new Uint8Array(STATUS_LIST_MAX_BYTES))).length).toBe(STATUS_LIST_MAX_BYTES);
  });
});

describe('encodeStatusList', () => {
  it('puts index 0, 7, 8 and the last index where the spec says', () => {
    const cases: Array<[number, number, number]> = [
      // index, byte, mask
      [0, 0, 0b1000_0000],
      [7, 0, 0b0000_0001],
      [8, 1, 0b1000_0000],
      [131_071, 16_383, 0b0000_0001],
    ];
    for (const [index, byte, mask] of cases) {
      const encoded = encodeStatusList([index]);
      const bytes = gunzipSync(Buffer.from(encoded.slice(1), 'base64url'));
      expect(bytes.length).toBe(16_384);
      expect(bytes[byte]).toBe(mask);
      expect(bytes.reduce((n, b) => n + (b === 0 ? 0 : 1), 0)).toBe(1);
      expect(independentlyDecodedSetBits(encoded).set).toEqual([index]);
      expect(isRevoked(decodeStatusList(encoded), index)).toBe(true);
    }
  });

  it('encodes the empty set as 131,072 clear bits, like the spec example', () => {
    const encoded = encodeStatusList([]);
    expect(encoded).toMatch(/^u[A-Za-z0-9_-]+$/);
    expect(independentlyDecodedSetBits(encoded)).toEqual({ length: 131_072, set: [] });
    expect(decodeStatusList(encoded)).toEqual(decodeStatusList(SPEC_EXAMPLE_LIST));
  });

  it('depends only on the set of indexes, not their order or repetitions', () => {
    expect(encodeStatusList([5, 99_999, 5, 0])).toBe(encodeStatusList(new Set([0, 5, 99_999])));
    expect(encodeStatusList([1])).not.toBe(encodeStatusList([2]));
  });

  it('round-trips random index sets, and an independent decoder agrees on every set bit', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: STATUS_LIST_SIZE - 1 }), { maxLength: 300 }), (indexes) => {
        const encoded = encodeStatusList(indexes);
        const expected = [...indexes].sort((a, b) => a - b);
        expect(independentlyDecodedSetBits(encoded)).toEqual({ length: STATUS_LIST_SIZE, set: expected });
        const bits = decodeStatusList(encoded);
        for (const i of indexes) expect(isRevoked(bits, i)).toBe(true);
        const set = new Set(indexes);
        for (const probe of [0, 1, 7, 8, 9, 65_535, 65_536, STATUS_LIST_SIZE - 1]) {
          expect(isRevoked(bits, probe)).toBe(set.has(probe));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('supports larger lists (a multiple of 8 entries)', () => {
    const size = STATUS_LIST_SIZE * 2 + 8;
    const encoded = encodeStatusList([size - 1, STATUS_LIST_SIZE], size);
    expect(independentlyDecodedSetBits(encoded)).toEqual({ length: size, set: [STATUS_LIST_SIZE, size - 1] });
  });

  it('refuses sizes below the minimum or not whole bytes, and indexes outside the list', () => {
    expect(() => encodeStatusList([], STATUS_LIST_SIZE - 8)).toThrow(RangeError);
    expect(() => encodeStatusList([], STATUS_LIST_SIZE + 1)).toThrow(RangeError);
    expect(() => encodeStatusList([], 1.5)).toThrow(TypeError);
    expect(() => encodeStatusList([STATUS_LIST_SIZE])).toThrow(RangeError);
    expect(() => encodeStatusList([-1])).toThrow(RangeError);
    expect(() => encodeStatusList([0.5])).toThrow(TypeError);
    expect(() => encodeStatusList([Number.NaN])).toThrow(TypeError);
  });
});

describe('isRevoked', () => {
  it('raises RANGE_ERROR for an index outside the list', () => {
    const bits = decodeStatusList(encodeStatusList([3]));
    expectStatusListError(() => isRevoked(bits, STATUS_LIST_SIZE), 'RANGE_ERROR');
    expectStatusListError(() => isRevoked(bits, -1), 'RANGE_ERROR');
    expectStatusListError(() => isRevoked(bits, 2.5), 'RANGE_ERROR');
    expect(isRevoked(bits, 3)).toBe(true);
    expect(isRevoked(bits, 2)).toBe(false);
    expect(isRevoked(bits, 4)).toBe(false);
  });
});

describe('buildStatusListCredential', () => {
  const id = 'https://dcc.example.gov.cn/v1/status-lists/0';
  const issuer = 'https://dcc.example.gov.cn';

  it('builds the BitstringStatusListCredential payload the Recommendation defines', () => {
    const encodedList = encodeStatusList([42]);
    const credential = buildStatusListCredential({
      id,
      issuer,
      validFrom: '2026-11-20T08:30:00.123Z',
      validUntil: '2026-11-21T08:30:00Z',
      ttlMs: 300_000,
      encodedList,
    });
    expect(credential).toStrictEqual({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer,
      validFrom: '2026-11-20T08:30:00.123Z',
      validUntil: '2026-11-21T08:30:00Z',
      credentialSubject: {
        id: `${id}#list`,
        type: 'BitstringStatusList',
        statusPurpose: 'revocation',
        encodedList,
        ttl: 300_000,
      },
    });
    expect(Object.keys(credential)).toEqual(['@context', 'id', 'type', 'issuer', 'validFrom', 'validUntil', 'credentialSubject']);
  });

  it('omits validUntil and ttl when they are not given', () => {
    const credential = buildStatusListCredential({
      id,
      issuer,
      validFrom: '2026-11-20T08:30:00+08:00',
      encodedList: SPEC_EXAMPLE_LIST,
    });
    expect('validUntil' in credential).toBe(false);
    expect('ttl' in credential.credentialSubject).toBe(false);
    expect(credential.credentialSubject.encodedList).toBe(SPEC_EXAMPLE_LIST);
    expect(credential.credentialSubject.id).toBe(`${id}#list`);
  });

  it('keeps a zero ttl (no caching) rather than dropping it', () => {
    const credential = buildStatusListCredential({ id, issuer, validFrom: '2026-11-20T08:30:00Z', ttlMs: 0, encodedList: SPEC_EXAMPLE_LIST });
    expect(credential.credentialSubject.ttl).toBe(0);
  });

  it('refuses malformed arguments instead of producing a non-conforming credential', () => {
    const base = { id, issuer, validFrom: '2026-11-20T08:30:00Z', encodedList: SPEC_EXAMPLE_LIST };
    expect(() => buildStatusListCredential({ ...base, id: '/v1/status-lists/0' })).toThrow(TypeError);
    expect(() => buildStatusListCredential({ ...base, id: `${id}#list` })).toThrow(TypeError);
    expect(() => buildStatusListCredential({ ...base, issuer: 'dcc authority' })).toThrow(TypeError);
    expect(() => buildStatusListCredential({ ...base, validFrom: '2026-11-20 08:30:00' })).toThrow(TypeError);
    expect(() => buildStatusListCredential({ ...base, validFrom: '2026-11-20T08:30:00' })).toThrow(TypeError);
    expect(() => buildStatusListCredential({ ...base, validUntil: '2026-11-20T08:30:00Z' })).toThrow(RangeError);
    expect(() => buildStatusListCredential({ ...base, ttlMs: -1 })).toThrow(RangeError);
    expect(() => buildStatusListCredential({ ...base, ttlMs: 1.5 })).toThrow(RangeError);
    expectStatusListError(
      () => buildStatusListCredential({ ...base, encodedList: encodeRaw(new Uint8Array(100)) }),
      'STATUS_LIST_LENGTH_ERROR',
    );
  });
});
