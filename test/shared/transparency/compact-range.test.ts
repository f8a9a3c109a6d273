import { describe, expect, it } from 'vitest';
import { RootBuilder } from '#shared/transparency/compact-range.ts';
import { EMPTY_ROOT, leafHash, rootFromLeafHashes } from '#shared/transparency/merkle.ts';

describe('RootBuilder', () => {
  it('gives the RFC 6962 root of every prefix, from 0 to 600 leaves, holding log2 n + 1 hashes at most', () => {
    const leaves = Array.from({ length: 600 }, (_, i) => leafHash(Uint8Array.of(i & 0xff, i >> 8)));
    const builder = new RootBuilder();
    expect(builder.root()).toEqual(EMPTY_ROOT);
    leaves.forEach((leaf, i) => {
      builder.add(leaf);
      expect(builder.size).toBe(i + 1);
      expect(builder.root(), `size ${i + 1}`).toEqual(rootFromLeafHashes(leaves.slice(0, i + 1)));
      // The compact range: one hash per set bit of the size.
      const held = (builder as unknown as { hashes: Uint8Array[] }).hashes.length;
      expect(held).toBe((i + 1).toString(2).replace(/0/g, '').length);
    });
  });
});
