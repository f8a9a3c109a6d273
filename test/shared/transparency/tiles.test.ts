import { describe, expect, it } from 'vitest';
import { arrayHasher, inclusionProof, leafHash, rootFromLeafHashes, verifyInclusion, consistencyProof, verifyConsistency } from '#shared/transparency/merkle.ts';
import { tileHasher } from '#shared/transparency/tile-hasher.ts';
import {
  type TileId,
  appendToTiles,
  decodeEntryBundle,
  decodeTile,
  encodeEntryBundle,
  encodeTileIndex,
  parseTilePath,
  rightEdgeTiles,
  tilePath,
  tileSizeRange,
} from '#shared/transparency/tiles.ts';

describe('tile paths', () => {
  it('encode indexes as x-prefixed 3-digit elements', () => {
    expect(encodeTileIndex(0)).toBe('000');
    expect(encodeTileIndex(7)).toBe('007');
    expect(encodeTileIndex(1000)).toBe('x001/000');
    expect(encodeTileIndex(1234067)).toBe('x001/x234/067');
    expect(tilePath({ level: 0, index: 1234067, width: 256 })).toBe('tile/0/x001/x234/067');
    expect(tilePath({ level: 'entries', index: 3, width: 17 })).toBe('tile/entries/003.p/17');
  });

  it('parse exactly the canonical spellings', () => {
    expect(parseTilePath('tile/1/x001/x234/067.p/255')).toEqual({ level: 1, index: 1234067, width: 255 });
    expect(parseTilePath('entries/000')).toEqual({ level: 'entries', index: 0, width: 256 });
    for (const bad of ['tile/0/7', 'tile/0/x000/007', 'tile/0/007.p/256', 'tile/0/007.p/0', 'tile/0/007.p/07', 'tile/64/000', 'tile/01/000', 'tile/0/001/002']) {
      expect(parseTilePath(bad), bad).toBeNull();
    }
  });

  it('describe a tree of 70,000 as the spec does', () => {
    expect(rightEdgeTiles(70_000)).toEqual([
      { level: 0, index: 273, width: 112 },
      { level: 1, index: 1, width: 17 },
      { level: 2, index: 0, width: 1 },
    ]);
    expect(rightEdgeTiles(256)).toEqual([{ level: 1, index: 0, width: 1 }]);
    expect(rightEdgeTiles(0)).toEqual([]);
  });

  it('know which checkpoint sizes make a tile servable', () => {
    expect(tileSizeRange({ level: 0, index: 0, width: 256 })).toEqual({ min: 256, max: Number.MAX_SAFE_INTEGER });
    expect(tileSizeRange({ level: 0, index: 1, width: 3 })).toEqual({ min: 259, max: 259 });
    expect(tileSizeRange({ level: 1, index: 0, width: 2 })).toEqual({ min: 512, max: 767 });
  });
});

describe('tile and bundle bodies', () => {
  it('round-trip entry bundles with 2-byte big-endian lengths', () => {
    const entries = [new Uint8Array(0), Uint8Array.of(1, 2, 3), new Uint8Array(300).fill(9)];
    const body = encodeEntryBundle(entries);
    expect([...body.slice(0, 2)]).toEqual([0, 0]);
    expect([...body.slice(2, 4)]).toEqual([0, 3]);
    expect([...body.slice(7, 9)]).toEqual([1, 44]);
    expect(decodeEntryBundle(body)).toEqual(entries);
    expect(() => decodeEntryBundle(body.slice(0, -1))).toThrow(/inside an entry/);
  });
});

describe('appending to tiles', () => {
  const entry = (i: number) => new Uint8Array(Buffer.from(`entry ${i}`));

  /** Appends in the given batch sizes, keeping only what a store would keep. */
  function grow(batches: number[]) {
    const store = new Map<string, Uint8Array>();
    const all: Uint8Array[] = [];
    let size = 0;
    for (const count of batches) {
      const edge = rightEdgeTiles(size);
      const tiles = new Map<number, Uint8Array[]>();
      for (const t of edge) tiles.set(t.level as number, decodeTile(store.get(tilePath(t)) as Uint8Array));
      const bundleId = { level: 'entries' as const, index: Math.floor(size / 256), width: size % 256 };
      const entries = size % 256 === 0 ? [] : decodeEntryBundle(store.get(tilePath(bundleId)) as Uint8Array);
      const fresh = Array.from({ length: count }, (_, k) => entry(size + k));
      const out = appendToTiles(size, { tiles, entries }, fresh.map((e) => ({ entry: e, leafHash: leafHash(e) })));
      for (const t of out.written) store.set(tilePath(t.id), t.body);
      all.push(...fresh);
      size = out.size;
    }
    const read = async (t: TileId) => decodeTile(store.get(tilePath(t)) as Uint8Array);
    return { store, size, leaves: all.map(leafHash), all, read };
  }

  it('keeps tiles whose subtree hashes give the true root and proofs, across tile boundaries', async () => {
    const { store, size, leaves, all, read } = grow([1, 254, 1, 1, 300, 7, 256, 3]);
    expect(size).toBe(823);
    const root = rootFromLeafHashes(leaves);
    const fromTiles = tileHasher(size, read);
    for (const index of [0, 255, 256, 511, 700, 822]) {
      const proof = await inclusionProof(index, size, fromTiles);
      expect(proof).toEqual(await inclusionProof(index, size, arrayHasher(leaves)));
      verifyInclusion(index, size, leaves[index] as Uint8Array, proof, root);
    }
    verifyConsistency(300, size, await consistencyProof(300, size, fromTiles), rootFromLeafHashes(leaves.slice(0, 300)), root);
    // The full bundles and the partial one hold every entry, in order.
    const bundles = [0, 1, 2].map((n) => decodeEntryBundle(store.get(tilePath({ level: 'entries', index: n, width: 256 })) as Uint8Array));
    const last = decodeEntryBundle(store.get(tilePath({ level: 'entries', index: 3, width: 55 })) as Uint8Array);
    expect([...bundles.flat(), ...last]).toEqual(all);
    expect(store.has('tile/1/000.p/3')).toBe(true);
  });

  it('is deterministic: the same batch from the same edge writes byte-identical tiles', () => {
    const a = grow([10, 250]);
    const b = grow([10, 250]);
    expect([...a.store.entries()]).toEqual([...b.store.entries()]);
  });

  it('refuses an edge that does not match the size', () => {
    expect(() => appendToTiles(3, { tiles: new Map(), entries: [] }, [])).toThrow(/edge/);
  });
});
