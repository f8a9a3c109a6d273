import type { TileContent, TileId } from '../transparency/tiles.ts';
import type { AuditEvent } from '../domain/records.ts';

/** The log's current tree head: what the last committed checkpoint says, and the checkpoint itself. */
export interface LogHead {
  size: number;
  rootHash: Uint8Array;
  /** The signed checkpoint note, verbatim. */
  checkpoint: string;
  /** The note verifier key of the key that signed it. */
  verifierKey: string;
}

/** An audit event waiting in the outbox, with the opaque key that marks it integrated. */
export interface PendingEvent {
  event: AuditEvent;
  /** Opaque to callers: the store's key of the event item. */
  ref: { pk: string; sk: string };
}

/** Where one of a certificate's changes sits in the log. */
export interface LoggedEvent {
  type: AuditEvent['type'];
  at: string;
  index: number;
}

/**
 * Port: where the transparency log keeps its tiles, entry bundles, tree head and checkpoints,
 * and how it takes events from the outbox.
 */
export interface LogStore {
  /** The committed tree head; null before the first checkpoint. */
  head(): Promise<LogHead | null>;
  /** Up to `limit` events still pending, oldest first, re-checked on the table (the index lags). */
  pendingEvents(limit: number): Promise<PendingEvent[]>;
  /** A stored tile or bundle body, committed or not (the integrator's own reads); null if absent. */
  readTile(id: TileId): Promise<Uint8Array | null>;
  /**
   * A tile or bundle body only when a committed checkpoint makes it servable (see
   * `tileSizeRange`); null otherwise. The public routes read through this.
   */
  readServableTile(id: TileId): Promise<Uint8Array | null>;
  /**
   * Atomically: writes the batch's tiles and entry bundles, moves the head from `previousSize`
   * (null: no head yet) to `next`, records the checkpoint, and marks each event integrated at
   * its index. Returns false, having written nothing, when the head is no longer at
   * `previousSize` or an event was already integrated: a tile is never stored by a batch that
   * did not commit, so a losing or crashed integrator cannot overwrite what a checkpoint covers.
   */
  advance(
    previousSize: number | null,
    next: LogHead,
    integrated: readonly { ref: PendingEvent['ref']; index: number }[],
    tiles: readonly TileContent[],
  ): Promise<boolean>;
  /** The log indexes of one certificate's integrated changes, oldest first. */
  loggedEvents(certificateId: string): Promise<LoggedEvent[]>;
}
