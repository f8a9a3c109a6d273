import { HASH_SIZE, rootFromLeafHashes } from './merkle.ts';

/**
 * C2SP `tlog-tiles` with tile height 8: every tile holds up to 256 hashes; level-0 tiles hold
 * leaf hashes, a level-L tile holds the hashes of full tiles of level L-1. Entry bundles hold the
 * entries of a level-0 tile, each behind a big-endian uint16 length.
 */

/** Hashes per full tile (tile height 8). */
export const TILE_WIDTH = 256;
/** Tile height: 8 tree levels per tile level. */
export const TILE_HEIGHT = 8;
/** The longest entry an entry bundle can carry. */
export const MAX_ENTRY_BYTES = 0xffff;

/** One tile or entry bundle: level (`entries` for bundles), index within the level, width 1…256. */
export interface TileId {
  level: number | 'entries';
  index: number;
  width: number;
}

/** Path of a tile index as 3-digit elements, all but the last with an `x` prefix (1234067 → x001/x234/067). */
export function encodeTileIndex(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`Tile index ${index} is not a non-negative integer.`);
  const groups: string[] = [];
  let n = index;
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/** The resource path `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`. */
export function tilePath(tile: TileId): string {
  if (!Number.isInteger(tile.width) || tile.width < 1 || tile.width > TILE_WIDTH) throw new RangeError(`Tile width ${tile.width} is not 1…256.`);
  if (tile.level !== 'entries' && (!Number.isInteger(tile.level) || tile.level < 0 || tile.level > 63)) {
    throw new RangeError(`Tile level ${tile.level} is not 0…63.`);
  }
  const partial = tile.width < TILE_WIDTH ? `.p/${tile.width}` : '';
  return `tile/${tile.level}/${encodeTileIndex(tile.index)}${partial}`;
}

/** Parses a tile path (with or without the leading `tile/`); null when it is not one, in canonical spelling. */
export function parseTilePath(path: string): TileId | null {
  const m = /^(?:tile\/)?(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(path);
  if (!m) return null;
  const level = m[1] === 'entries' ? 'entries' : Number(m[1]);
  if (level !== 'entries' && level > 63) return null;
  const groups = (m[2] as string).split('/').map((g) => g.replace(/^x/, ''));
  // Leading zero groups would give one tile two paths.
  if (groups.length > 1 && groups[0] === '000') return null;
  const index = groups.reduce((acc, g) => acc * 1000 + Number(g), 0);
  if (!Number.isSafeInteger(index)) return null;
  const width = m[3] === undefined ? TILE_WIDTH : Number(m[3]);
  if (width < 1 || width >= TILE_WIDTH + (m[3] === undefined ? 1 : 0)) return null;
  return { level, index, width };
}

/**
 * The tiles (one per level, rightmost) of a tree of `size`, with their widths: full tiles only
 * where the level ends on a tile boundary. Level-0 entries come first; `entries` mirrors level 0.
 */
export function rightEdgeTiles(size: number): TileId[] {
  const out: TileId[] = [];
  for (let level = 0, span = 1; size >= span; level++, span *= TILE_WIDTH) {
    const hashes = Math.floor(size / span);
    const width = hashes % TILE_WIDTH;
    if (width > 0) out.push({ level, index: Math.floor(hashes / TILE_WIDTH), width });
  }
  return out;
}

/**
 * The tree sizes whose checkpoints make this tile (or bundle) servable: a full tile from the
 * size that completes it on; a partial tile only for the sizes whose right edge it is. A log
 * serves a tile only when a committed checkpoint falls in this range, so tiles written by a batch
 * whose head never advanced are never served.
 */
export function tileSizeRange(tile: TileId): { min: number; max: number } {
  const level = tile.level === 'entries' ? 0 : tile.level;
  const span = TILE_WIDTH ** level;
  const hashes = tile.index * TILE_WIDTH + tile.width;
  if (tile.width === TILE_WIDTH) return { min: hashes * span, max: Number.MAX_SAFE_INTEGER };
  return { min: hashes * span, max: (hashes + 1) * span - 1 };
}

/** Concatenates hashes into a tile body. */
export function encodeTile(hashes: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(hashes.length * HASH_SIZE);
  hashes.forEach((h, i) => {
    if (h.length !== HASH_SIZE) throw new RangeError('A tile holds 32-byte hashes.');
    out.set(h, i * HASH_SIZE);
  });
  return out;
}

/** Splits a tile body into hashes. */
export function decodeTile(body: Uint8Array): Uint8Array[] {
  if (body.length % HASH_SIZE !== 0 || body.length === 0 || body.length > TILE_WIDTH * HASH_SIZE) {
    throw new RangeError(`A tile of ${body.length} bytes is not 1…256 hashes.`);
  }
  const out: Uint8Array[] = [];
  for (let i = 0; i < body.length; i += HASH_SIZE) out.push(body.slice(i, i + HASH_SIZE));
  return out;
}

/** An entry bundle: each entry behind its big-endian uint16 length. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  const total = entries.reduce((n, e) => n + 2 + e.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const e of entries) {
    if (e.length > MAX_ENTRY_BYTES) throw new RangeError(`An entry of ${e.length} bytes does not fit a bundle.`);
    out[at] = e.length >> 8;
    out[at + 1] = e.length & 0xff;
    out.set(e, at + 2);
    at += 2 + e.length;
  }
  return out;
}

/** Splits an entry bundle into entries; throws on a truncated bundle or more than 256 entries. */
export function decodeEntryBundle(body: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < body.length) {
    if (at + 2 > body.length) throw new RangeError('The entry bundle ends inside a length prefix.');
    const length = ((body[at] as number) << 8) | (body[at + 1] as number);
    if (at + 2 + length > body.length) throw new RangeError('The entry bundle ends inside an entry.');
    out.push(body.slice(at + 2, at + 2 + length));
    at += 2 + length;
  }
  if (out.length > TILE_WIDTH) throw new RangeError('An entry bundle holds at most 256 entries.');
  return out;
}

/** A tile's content while the integrator extends it. */
export interface TileContent {
  id: TileId;
  body: Uint8Array;
}

/**
 * Appends leaf hashes (and their entries) to a tree given only its right edge: the rightmost
 * partial tile of each level and the partial entry bundle. Returns every tile and bundle that is
 * new or wider, and the new right edge. Pure and deterministic: the same edge and the same
 * entries always give byte-identical tiles, which is what makes re-running a crashed batch safe.
 */
export function appendToTiles(
  size: number,
  edge: { tiles: ReadonlyMap<number, Uint8Array[]>; entries: Uint8Array[] },
  newEntries: readonly { entry: Uint8Array; leafHash: Uint8Array }[],
): { size: number; written: TileContent[] } {
  // levels[L] = hashes of the rightmost (partial) tile at level L, growing as we append.
  const levels: Uint8Array[][] = [];
  for (const t of rightEdgeTiles(size)) {
    if (t.level === 'entries') continue;
    const hashes = edge.tiles.get(t.level) ?? [];
    if (hashes.length !== t.width) throw new RangeError(`Level ${t.level} edge has ${hashes.length} hashes, the tree needs ${t.width}.`);
    levels[t.level] = [...hashes];
  }
  let bundle = [...edge.entries];
  if (bundle.length !== size % TILE_WIDTH) throw new RangeError(`The entry bundle edge has ${bundle.length} entries, the tree needs ${size % TILE_WIDTH}.`);

  const written = new Map<string, TileContent>();
  const touched = new Set<number>();
  let n = size;
  const push = (level: number, hash: Uint8Array, position: number): void => {
    const tile = (levels[level] ??= []);
    tile.push(hash);
    touched.add(level);
    if (tile.length === TILE_WIDTH) {
      const id: TileId = { level, index: Math.floor(position / TILE_WIDTH), width: TILE_WIDTH };
      written.set(tilePath(id), { id, body: encodeTile(tile) });
      levels[level] = [];
      touched.delete(level);
      push(level + 1, rootFromLeafHashes(tile), Math.floor(position / TILE_WIDTH));
    }
  };
  for (const { entry, leafHash } of newEntries) {
    bundle.push(entry);
    if (bundle.length === TILE_WIDTH) {
      const id: TileId = { level: 'entries', index: Math.floor(n / TILE_WIDTH), width: TILE_WIDTH };
      written.set(tilePath(id), { id, body: encodeEntryBundle(bundle) });
      bundle = [];
    }
    push(0, leafHash, n);
    n++;
  }
  // The partial tiles of the new size, for every level that changed.
  for (const t of rightEdgeTiles(n)) {
    if (t.level === 'entries') continue;
    if (!touched.has(t.level)) continue;
    written.set(tilePath(t), { id: t, body: encodeTile(levels[t.level] as Uint8Array[]) });
  }
  if (bundle.length > 0 && newEntries.length > 0) {
    const id: TileId = { level: 'entries', index: Math.floor(n / TILE_WIDTH), width: bundle.length };
    written.set(tilePath(id), { id, body: encodeEntryBundle(bundle) });
  }
  return { size: n, written: [...written.values()] };
}
