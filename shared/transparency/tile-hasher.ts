import { type PerfectSubtreeHasher, rootFromLeafHashes } from './merkle.ts';
import { TILE_HEIGHT, TILE_WIDTH, type TileId } from './tiles.ts';

/** Reads the hashes of one tile; the log reads its table, the monitor the HTTP API. */
export type TileReader = (tile: TileId) => Promise<Uint8Array[]>;

/**
 * Perfect-subtree hashes of the tree of `size`, read from its tiles: a subtree of height h is
 * 2^(h mod 8) consecutive hashes of one tile at level floor(h / 8). Each tile is read once.
 */
export function tileHasher(size: number, read: TileReader): PerfectSubtreeHasher {
  const cache = new Map<string, Promise<Uint8Array[]>>();
  return async (start, height) => {
    const level = Math.floor(height / TILE_HEIGHT);
    const span = TILE_WIDTH ** level;
    const first = start / span;
    const count = 2 ** (height - level * TILE_HEIGHT);
    const index = Math.floor(first / TILE_WIDTH);
    const width = Math.min(TILE_WIDTH, Math.floor(size / span) - index * TILE_WIDTH);
    const offset = first % TILE_WIDTH;
    if (width < offset + count) throw new RangeError(`Subtree ${start}+2^${height} is outside the tree of size ${size}.`);
    const key = `${level}/${index}/${width}`;
    let hashes = cache.get(key);
    if (!hashes) {
      hashes = read({ level, index, width }).then((h) => {
        if (h.length !== width) throw new RangeError(`Tile ${key} has ${h.length} hashes, expected ${width}.`);
        return h;
      });
      cache.set(key, hashes);
    }
    return rootFromLeafHashes((await hashes).slice(offset, offset + count));
  };
}
