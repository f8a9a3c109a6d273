import { STATUS_LIST_SIZE } from '../../domain/status-list.ts';
import type { StatusListPosition } from '../../domain/records.ts';

/** The position of global counter value `global` in lists of `listSize` entries. */
export function positionOf(global: number, listSize: number): StatusListPosition {
  return { listId: String(Math.floor(global / listSize)), index: global % listSize };
}

/** What the allocator needs from the store. */
export interface PositionSource {
  /** Atomically adds `by` to the shared counter and returns its new value (the block's end). */
  advance(by: number): Promise<number>;
  /**
   * Runs before the first position of a list is handed out by this allocator (the store makes
   * sure the list's head exists, so the list is known to be in use).
   */
  listOpened(listId: string): Promise<void>;
}

/**
 * Hands out status list positions from blocks reserved on a shared counter: one counter write
 * per block, not per certificate. Concurrent callers in one process share the current block and
 * the one reservation in flight, so no position is handed out twice and no block is reserved
 * twice for the same need. A block lost with its process leaves its positions unused, which is
 * harmless: an unused position's bit stays 0 (not revoked) and nobody points at it.
 */
export class StatusListPositions {
  private block: { next: number; end: number } | null = null;
  private refill: Promise<void> | null = null;
  private readonly opened = new Set<string>();

  constructor(
    private readonly source: PositionSource,
    private readonly listSize: number = STATUS_LIST_SIZE,
    private readonly blockSize = 256,
  ) {
    if (!Number.isSafeInteger(listSize) || listSize <= 0) throw new TypeError(`listSize must be a positive integer: ${listSize}`);
    if (!Number.isSafeInteger(blockSize) || blockSize <= 0 || listSize % blockSize !== 0) {
      throw new TypeError(`blockSize must be a positive integer that divides the list size ${listSize}: ${blockSize}`);
    }
  }

  /** The next free position. */
  async next(): Promise<StatusListPosition> {
    for (;;) {
      const b = this.block;
      if (b && b.next < b.end) {
        const global = b.next;
        b.next += 1;
        return positionOf(global, this.listSize);
      }
      await this.reserve();
    }
  }

  private reserve(): Promise<void> {
    // Cleared before the waiters resume, so the first waiter to find the new block used up
    // starts the next reservation and the others share it.
    this.refill ??= this.reserveBlock().finally(() => {
      this.refill = null;
    });
    return this.refill;
  }

  private async reserveBlock(): Promise<void> {
    const end = await this.source.advance(this.blockSize);
    const start = end - this.blockSize;
    if (!Number.isSafeInteger(end) || start < 0) throw new Error(`Status list counter returned ${end}`);
    // Blocks are aligned when every writer uses one block size; a writer with another size (a
    // deployment in progress) could misalign them, so a block is cut at the list's end, and the
    // cut-off positions are left unused rather than spilling into the next list.
    const listEnd = (Math.floor(start / this.listSize) + 1) * this.listSize;
    const { listId } = positionOf(start, this.listSize);
    if (!this.opened.has(listId)) {
      await this.source.listOpened(listId);
      this.opened.add(listId);
    }
    this.block = { next: start, end: Math.min(end, listEnd) };
  }
}
