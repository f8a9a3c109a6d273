import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isSha256Hex } from '#shared/domain/digest.ts';

describe('SHA-256 hex digests', () => {
  it('accepts a real digest in lower-case hex', () => {
    expect(isSha256Hex(createHash('sha256').update('abc').digest('hex'))).toBe(true);
    expect(isSha256Hex('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')).toBe(true);
  });

  it('refuses upper case, wrong lengths, base64 and non-hex', () => {
    expect(isSha256Hex('BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD')).toBe(false);
    expect(isSha256Hex('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a')).toBe(false);
    expect(isSha256Hex('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0')).toBe(false);
    expect(isSha256Hex('g'.repeat(64))).toBe(false);
    expect(isSha256Hex('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=')).toBe(false);
    expect(isSha256Hex('')).toBe(false);
  });
});
