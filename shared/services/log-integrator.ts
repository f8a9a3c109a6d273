import type { LogHead, LogStore, PendingEvent } from '../ports/log-store.ts';
import type { NoteSigner } from '../transparency/note-signer.ts';
import { formatCheckpoint } from '../transparency/checkpoint.ts';
import { encodeEntry, entryFromEvent, MAX_LOGGED_ENTRY_BYTES } from '../transparency/entry.ts';
import { leafHash, rangeHash } from '../transparency/merkle.ts';
import { formatVerifierKey, signNote } from '../transparency/note.ts';
import { tileHasher } from '../transparency/tile-hasher.ts';
import { type TileContent, type TileId, appendToTiles, decodeEntryBundle, decodeTile, rightEdgeTiles, tilePath, TILE_WIDTH } from '../transparency/tiles.ts';

/** Options of {@link LogIntegrator}. */
export interface LogIntegratorOptions {
  store: LogStore;
  signer: NoteSigner;
  /** Events per batch (one transaction per batch). @default {@link MAX_EVENTS_PER_BATCH} */
  batchSize?: number;
  /** Entries longer than this fail the batch loudly rather than break the bundle's item limit. @default {@link MAX_LOGGED_ENTRY_BYTES} */
  maxEntryBytes?: number;
  /** Test seam: runs once a batch's tiles and checkpoint are made, before its one commit. */
  beforeCommit?: (size: number) => Promise<void> | void;
  /** The time RFC 6962 checkpoint signatures carry. @default the system clock */
  clock?: () => Date;
}

/** What one batch did. */
export interface BatchOutcome {
  /** Events appended by this batch (0 when nothing was pending or another integrator won). */
  integrated: number;
  /** The committed tree size after the batch. */
  size: number;
  /** True when the head had moved under us: nothing was committed, run again. */
  lostRace: boolean;
}

/**
 * Events per batch: one DynamoDB transaction holds at most 100 items, and a batch's commit also
 * holds the head, the checkpoint and up to ten tiles and bundles (fewer than 256 entries touch at
 * most two tiles of the entry bundles and of each of the four levels a 2^32-entry tree has).
 */
export const MAX_EVENTS_PER_BATCH = 88;

/**
 * Moves audit events from the outbox into the log: assigns the next indexes, computes the tiles
 * and entry bundles, signs a checkpoint, and commits all of it in one conditional transaction
 * that also marks the events integrated. Killed at any point, or beaten by another integrator,
 * a batch has written nothing; a rerun starts again from the committed head, so the log has no
 * gap and no duplicate, and the same batch always gives the same root.
 */
export class LogIntegrator {
  private readonly store: LogStore;
  private readonly signer: NoteSigner;
  private readonly batchSize: number;
  private readonly maxEntryBytes: number;
  private readonly beforeCommit: ((size: number) => Promise<void> | void) | undefined;
  private readonly clock: () => Date;

  constructor(options: LogIntegratorOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.store = options.store;
    this.signer = options.signer;
    this.batchSize = Math.min(options.batchSize ?? MAX_EVENTS_PER_BATCH, MAX_EVENTS_PER_BATCH);
    this.maxEntryBytes = options.maxEntryBytes ?? MAX_LOGGED_ENTRY_BYTES;
    this.beforeCommit = options.beforeCommit;
  }

  /** Integrates until the outbox is empty (or `maxBatches` ran); returns the committed size. */
  async drain(maxBatches = 1000): Promise<{ integrated: number; size: number }> {
    let integrated = 0;
    let size = 0;
    for (let i = 0; i < maxBatches; i++) {
      const outcome = await this.integrateBatch();
      integrated += outcome.integrated;
      size = outcome.size;
      // Stop only on an empty outbox: a short batch may just mean the index still listed events
      // another integrator had taken.
      if (!outcome.lostRace && outcome.integrated === 0) break;
    }
    return { integrated, size };
  }

  /** One batch: up to `batchSize` pending events. */
  async integrateBatch(): Promise<BatchOutcome> {
    const head = await this.store.head();
    const size = head?.size ?? 0;
    const pending = await this.store.pendingEvents(this.batchSize);
    // The empty log still gets a signed checkpoint, so the key and checkpoint routes answer.
    if (pending.length === 0 && head !== null) return { integrated: 0, size, lostRace: false };

    const entries = pending.map((p) => {
      const entry = encodeEntry(entryFromEvent(p.event));
      if (entry.length > this.maxEntryBytes) throw new RangeError(`The entry of event ${p.ref.sk} has ${entry.length} bytes.`);
      return { entry, leafHash: leafHash(entry) };
    });
    const edge = await this.readEdge(size);
    const { size: newSize, written } = appendToTiles(size, edge, entries);

    const root = await this.rootOf(newSize, written);
    const publicKey = await this.signer.publicKey();
    const text = formatCheckpoint({ origin: this.signer.name, size: newSize, rootHash: root, extensions: [] });
    const next: LogHead = {
      size: newSize,
      rootHash: root,
      checkpoint: await signNote(text, this.signer, this.clock),
      verifierKey: formatVerifierKey(this.signer.name, publicKey, this.signer.type),
    };
    await this.beforeCommit?.(newSize);
    const committed = await this.store.advance(
      head === null ? null : size,
      next,
      pending.map((p: PendingEvent, i) => ({ ref: p.ref, index: size + i })),
      written,
    );
    if (!committed) return { integrated: 0, size, lostRace: true };
    return { integrated: pending.length, size: newSize, lostRace: false };
  }

  private async readEdge(size: number): Promise<{ tiles: Map<number, Uint8Array[]>; entries: Uint8Array[] }> {
    const tiles = new Map<number, Uint8Array[]>();
    for (const t of rightEdgeTiles(size)) {
      tiles.set(t.level as number, decodeTile(await this.mustRead(t)));
    }
    const width = size % TILE_WIDTH;
    const entries = width === 0 ? [] : decodeEntryBundle(await this.mustRead({ level: 'entries', index: Math.floor(size / TILE_WIDTH), width }));
    return { tiles, entries };
  }

  private async mustRead(id: TileId): Promise<Uint8Array> {
    const body = await this.store.readTile(id);
    if (body === null) throw new Error(`The log's ${tilePath(id)} is missing.`);
    return body;
  }

  private async rootOf(size: number, written: readonly TileContent[]): Promise<Uint8Array> {
    const fresh = new Map(written.map((t) => [tilePath(t.id), t.body]));
    const hasher = tileHasher(size, async (id) => decodeTile(fresh.get(tilePath(id)) ?? (await this.mustRead(id))));
    return rangeHash({ start: 0, end: size }, hasher);
  }
}
