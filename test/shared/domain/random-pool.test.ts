import { describe, expect, it } from 'vitest';
import { fillRandom } from '#shared/domain/random-pool.ts';

describe('fillRandom', () => {
  it('fills and returns the target, handing out fresh bytes across refills of the pool', () => {
    const seen = new Set<string>();
    // 40 KiB in blocks of 16: ten refills of the 4 KiB pool.
    for (let i = 0; i < 2560; i++) {
      const target = new Uint8Array(16);
      expect(fillRandom(target)).toBe(target);
      seen.add(Buffer.from(target).toString('hex'));
    }
    expect(seen.size).toBe(2560);
  });

  it('spreads its bytes over all values', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 64; i++) for (const byte of fillRandom(new Uint8Array(1024))) counts[byte]!++;
    // 256 per value on average; a value that never comes (or far too often) means a broken copy.
    expect(Math.min(...counts)).toBeGreaterThan(150);
    expect(Math.max(...counts)).toBeLessThan(380);
  });

  it('takes at most the pool at a time', () => {
    expect(fillRandom(new Uint8Array(4096))).toHaveLength(4096);
    expect(() => fillRandom(new Uint8Array(4097))).toThrow(RangeError);
  });
});
