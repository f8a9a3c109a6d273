import { createHash } from 'node:crypto';
import { CodedError } from '../domain/coded-error.ts';

/**
 * RFC 6962 (§2.1) Merkle tree hashing with SHA-256, and inclusion and consistency proofs: their
 * verification (the algorithm of transparency-dev/merkle, tested against its vectors) and their
 * generation from any source of subtree hashes (tiles in the log, an array in tests).
 *
 * Sizes and indexes are JavaScript numbers (exact up to 2^53); the bit arithmetic goes through
 * BigInt because the number operators `^ >> &` truncate to 32 bits.
 */

/** Length of every hash in the tree. */
export const HASH_SIZE = 32;

/** Proof or input refused; `code` says which rule failed. */
export class MerkleError extends CodedError<
  'index-out-of-range' | 'wrong-proof-size' | 'root-mismatch' | 'size-order' | 'empty-tree' | 'bad-hash'
> {
  override readonly name = 'MerkleError';
}

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

const LEAF_PREFIX = Uint8Array.of(0);
const NODE_PREFIX = Uint8Array.of(1);

/** SHA-256 of the empty string: the root of the empty tree. */
export const EMPTY_ROOT: Uint8Array = sha256();

/** Leaf hash `SHA-256(0x00 || entry)`. */
export function leafHash(entry: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, entry);
}

/** Interior node hash `SHA-256(0x01 || left || right)`. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

/** Byte-wise equality of two hashes. */
export function equalHashes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** The largest power of two strictly smaller than `n` (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Merkle tree hash of consecutive leaf hashes (RFC 6962 MTH over already-hashed leaves). */
export function rootFromLeafHashes(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return EMPTY_ROOT;
  // Bottom-up with the RFC's shape: an odd node at the right edge is carried up unchanged.
  let level = [...hashes];
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i] as Uint8Array, level[i + 1] as Uint8Array));
    if (level.length % 2 === 1) next.push(level[level.length - 1] as Uint8Array);
    level = next;
  }
  return level[0] as Uint8Array;
}

const big = (n: number): bigint => BigInt(n);
const bitLength = (x: bigint): number => (x === 0n ? 0 : x.toString(2).length);
const onesCount = (x: bigint): number => [...x.toString(2)].filter((c) => c === '1').length;
const trailingZeros = (x: bigint): number => {
  let n = 0;
  while (x > 0n && (x & 1n) === 0n) {
    x >>= 1n;
    n++;
  }
  return n;
};

/** Splits an inclusion proof's length into the inner part and the right border part. */
function decomposeInclusion(index: number, size: number): { inner: number; border: number } {
  const inner = bitLength(big(index) ^ big(size - 1));
  const border = onesCount(big(index) >> big(inner));
  return { inner, border };
}

function chainInner(seed: Uint8Array, proof: readonly Uint8Array[], index: bigint): Uint8Array {
  let h = seed;
  proof.forEach((p, i) => {
    h = ((index >> big(i)) & 1n) === 0n ? nodeHash(h, p) : nodeHash(p, h);
  });
  return h;
}

function chainInnerRight(seed: Uint8Array, proof: readonly Uint8Array[], index: bigint): Uint8Array {
  let h = seed;
  proof.forEach((p, i) => {
    if (((index >> big(i)) & 1n) === 1n) h = nodeHash(p, h);
  });
  return h;
}

function chainBorderRight(seed: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  let h = seed;
  for (const p of proof) h = nodeHash(p, h);
  return h;
}

function checkHashes(what: string, ...hashes: Uint8Array[]): void {
  for (const h of hashes) {
    if (h.length !== HASH_SIZE) throw new MerkleError('bad-hash', `${what}: a hash has ${h.length} bytes, not ${HASH_SIZE}.`);
  }
}

function checkSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new MerkleError('index-out-of-range', `${what} ${n} is not a size.`);
}

/** The root an inclusion proof leads to; throws {@link MerkleError} when the proof's shape is wrong. */
export function rootFromInclusionProof(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  checkSize(index, 'index');
  checkSize(size, 'size');
  if (index >= size) throw new MerkleError('index-out-of-range', `Index ${index} is not below tree size ${size}.`);
  checkHashes('inclusion proof', leaf, ...proof);
  const { inner, border } = decomposeInclusion(index, size);
  if (proof.length !== inner + border) {
    throw new MerkleError('wrong-proof-size', `An inclusion proof for ${index} in ${size} has ${inner + border} hashes, not ${proof.length}.`);
  }
  const h = chainInner(leaf, proof.slice(0, inner), big(index));
  return chainBorderRight(h, proof.slice(inner));
}

/** Verifies that `leaf` is at `index` in the tree of `size` with `root`; throws {@link MerkleError} if not. */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  const computed = rootFromInclusionProof(index, size, leaf, proof);
  if (!equalHashes(computed, root)) throw new MerkleError('root-mismatch', 'The inclusion proof does not lead to the root.');
}

/**
 * Verifies that the tree of `size2` with `root2` extends the tree of `size1` with `root1`
 * (append-only); throws {@link MerkleError} if not. A proof from the empty tree is refused as
 * meaningless, as transparency-dev/merkle does.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  checkSize(size1, 'size1');
  checkSize(size2, 'size2');
  // Roots are compared, not hashed, when the sizes are equal: only proof hashes need the length.
  checkHashes('consistency proof', ...proof);
  if (size2 < size1) throw new MerkleError('size-order', `size2 ${size2} is below size1 ${size1}.`);
  if (size1 === 0) throw new MerkleError('empty-tree', 'A consistency proof from the empty tree proves nothing.');
  if (size1 === size2) {
    if (proof.length > 0) throw new MerkleError('wrong-proof-size', 'Equal sizes need an empty proof.');
    if (!equalHashes(root1, root2)) throw new MerkleError('root-mismatch', 'Equal sizes with different roots.');
    return;
  }
  checkHashes('consistency proof', root1, root2);
  if (proof.length === 0) throw new MerkleError('wrong-proof-size', 'The consistency proof is empty.');

  const decomposed = decomposeInclusion(size1 - 1, size2);
  const shift = trailingZeros(big(size1));
  const inner = decomposed.inner - shift;
  const border = decomposed.border;
  // When size1 is a power of two its root is itself a node of the larger tree: the proof omits it.
  const isPerfect = big(size1) === 1n << big(shift);
  const seed = isPerfect ? root1 : (proof[0] as Uint8Array);
  const start = isPerfect ? 0 : 1;
  if (proof.length !== start + inner + border) {
    throw new MerkleError('wrong-proof-size', `A consistency proof ${size1}→${size2} has ${start + inner + border} hashes, not ${proof.length}.`);
  }
  const rest = proof.slice(start);
  const mask = (big(size1) - 1n) >> big(shift);
  const hash1 = chainBorderRight(chainInnerRight(seed, rest.slice(0, inner), mask), rest.slice(inner));
  if (!equalHashes(hash1, root1)) throw new MerkleError('root-mismatch', 'The consistency proof does not lead to root1.');
  const hash2 = chainBorderRight(chainInner(seed, rest.slice(0, inner), mask), rest.slice(inner));
  if (!equalHashes(hash2, root2)) throw new MerkleError('root-mismatch', 'The consistency proof does not lead to root2.');
}

/** A range of leaves `[start, end)` whose Merkle tree hash is one proof element. */
export interface LeafRange {
  start: number;
  end: number;
}

/** The ranges whose hashes form the inclusion proof of `index` in a tree of `size` (RFC 6962 PATH), leaf side first. */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  checkSize(index, 'index');
  checkSize(size, 'size');
  if (index >= size) throw new MerkleError('index-out-of-range', `Index ${index} is not below tree size ${size}.`);
  const out: LeafRange[] = [];
  const path = (m: number, start: number, end: number): void => {
    const n = end - start;
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      path(m, start, start + k);
      out.push({ start: start + k, end });
    } else {
      path(m - k, start + k, end);
      out.push({ start, end: start + k });
    }
  };
  path(index, 0, size);
  return out;
}

/** The ranges whose hashes form the consistency proof from `size1` to `size2` (RFC 6962 PROOF). */
export function consistencyProofRanges(size1: number, size2: number): LeafRange[] {
  checkSize(size1, 'size1');
  checkSize(size2, 'size2');
  if (size1 > size2) throw new MerkleError('size-order', `size2 ${size2} is below size1 ${size1}.`);
  if (size1 === 0 || size1 === size2) return [];
  const out: LeafRange[] = [];
  const sub = (m: number, start: number, end: number, complete: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!complete) out.push({ start, end });
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      sub(m, start, start + k, complete);
      out.push({ start: start + k, end });
    } else {
      sub(m - k, start + k, end, false);
      out.push({ start, end: start + k });
    }
  };
  sub(size1, 0, size2, true);
  return out;
}

/**
 * Source of the hash of a perfect subtree: `2^height` leaves starting at `start` (a multiple of
 * `2^height`). The log answers from its tiles; tests answer from an array of leaf hashes.
 */
export type PerfectSubtreeHasher = (start: number, height: number) => Promise<Uint8Array>;

/** Merkle tree hash of leaves `[start, end)`, built from perfect subtrees the way RFC 6962 splits. */
export async function rangeHash(range: LeafRange, perfect: PerfectSubtreeHasher): Promise<Uint8Array> {
  const n = range.end - range.start;
  if (n <= 0) return EMPTY_ROOT;
  if ((n & (n - 1)) === 0 && n <= 2 ** 30 && range.start % n === 0) return perfect(range.start, Math.log2(n));
  const k = splitPoint(n);
  const left = await rangeHash({ start: range.start, end: range.start + k }, perfect);
  const right = await rangeHash({ start: range.start + k, end: range.end }, perfect);
  return nodeHash(left, right);
}

/** A perfect-subtree source over an in-memory array of leaf hashes. */
export function arrayHasher(leaves: readonly Uint8Array[]): PerfectSubtreeHasher {
  return async (start, height) => rootFromLeafHashes(leaves.slice(start, start + 2 ** height));
}

/** The inclusion proof of `index` in the tree of `size`. */
export async function inclusionProof(index: number, size: number, perfect: PerfectSubtreeHasher): Promise<Uint8Array[]> {
  return Promise.all(inclusionProofRanges(index, size).map((r) => rangeHash(r, perfect)));
}

/** The consistency proof from `size1` to `size2`. */
export async function consistencyProof(size1: number, size2: number, perfect: PerfectSubtreeHasher): Promise<Uint8Array[]> {
  return Promise.all(consistencyProofRanges(size1, size2).map((r) => rangeHash(r, perfect)));
}
