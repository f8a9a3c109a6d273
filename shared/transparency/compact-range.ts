import { EMPTY_ROOT, nodeHash } from './merkle.ts';

/**
 * The RFC 6962 root of a tree built one leaf hash at a time, keeping only its compact range: the
 * roots of the perfect subtrees along the right edge, at most one per height (log2 n + 1 hashes).
 * A monitor re-deriving a log's root from its entry bundles thus holds O(log n) hashes, however
 * large the tree.
 */
export class RootBuilder {
  /** Roots of perfect subtrees, left to right, with strictly decreasing heights. */
  private readonly hashes: Uint8Array[] = [];
  private readonly heights: number[] = [];
  private count = 0;

  /** Leaves added so far. */
  get size(): number {
    return this.count;
  }

  /** Appends one leaf hash. */
  add(leaf: Uint8Array): void {
    let hash = leaf;
    let height = 0;
    // Two subtrees of the same height merge into one of the next height, as in the full tree.
    while (this.heights.length > 0 && this.heights[this.heights.length - 1] === height) {
      this.heights.pop();
      hash = nodeHash(this.hashes.pop() as Uint8Array, hash);
      height++;
    }
    this.hashes.push(hash);
    this.heights.push(height);
    this.count++;
  }

  /** The Merkle tree hash of the leaves added so far (RFC 6962 MTH). */
  root(): Uint8Array {
    if (this.hashes.length === 0) return EMPTY_ROOT;
    // RFC 6962 splits at the largest power of two below n: the perfect subtrees, folded from the right.
    let root = this.hashes[this.hashes.length - 1] as Uint8Array;
    for (let i = this.hashes.length - 2; i >= 0; i--) root = nodeHash(this.hashes[i] as Uint8Array, root);
    return root;
  }
}
