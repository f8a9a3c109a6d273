import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '#shared/domain/records.ts';
import type { LogHead, LogStore } from '#shared/ports/log-store.ts';
import type { TileContent, TileId } from '#shared/transparency/tiles.ts';
import { sampleAuditEvent as contractEvent } from '../audit-events.ts';

/**
 * The `LogStore` contract as cases any implementation must pass: run against the in-memory
 * store (test/support/in-memory-stores.test.ts) and the DynamoDB adapter
 * (test/integration/log-store-contract.test.ts), so the fake the unit tests build on is shown to
 * behave as the real store does.
 */

/** A store under test, empty, and how to put audit events into its outbox. */
export interface LogStoreFixture {
  store: LogStore;
  /** Writes events as pending, as the certificate store does when it records a change. */
  addEvents(events: readonly AuditEvent[]): Promise<void>;
}

/** A head of `size`; the store keeps what it is given, so the note and key are plain markers. */
function headOf(size: number): LogHead {
  return {
    size,
    rootHash: new Uint8Array(32).fill(size % 256),
    checkpoint: `checkpoint of ${size}\n`,
    verifierKey: `key+${size}`,
  };
}

function tile(level: TileId['level'], index: number, width: number, fill: number): TileContent {
  return { id: { level, index, width }, body: new Uint8Array(32 * (level === 'entries' ? 1 : width)).fill(fill) };
}

/** Registers the contract's cases; `fresh` gives an empty store for each case. */
export function logStoreContract(name: string, fresh: () => Promise<LogStoreFixture>): void {
  describe(`LogStore contract: ${name}`, () => {
    it('has no head before the first commit, and lists pending events oldest first, at most `limit`', async () => {
      const { store, addEvents } = await fresh();
      expect(await store.head()).toBeNull();
      expect(await store.pendingEvents(10)).toEqual([]);
      // Written out of order: the outbox orders by the change's time, not by arrival.
      await addEvents([contractEvent(2), contractEvent(0), contractEvent(1)]);
      const all = await store.pendingEvents(10);
      expect(all.map((p) => p.event)).toEqual([contractEvent(0), contractEvent(1), contractEvent(2)]);
      expect((await store.pendingEvents(2)).map((p) => p.event.statusListIndex)).toEqual([0, 1]);
    });

    it('moves the head only from the size the writer found', async () => {
      const { store } = await fresh();
      expect(await store.advance(null, headOf(0), [], [])).toBe(true);
      expect(await store.advance(null, headOf(1), [], [])).toBe(false);
      expect(await store.advance(5, headOf(6), [], [])).toBe(false);
      const head = await store.head();
      expect(head).toEqual(headOf(0));
      expect(await store.advance(0, headOf(2), [], [])).toBe(true);
      expect((await store.head())?.size).toBe(2);
    });

    it('commits tiles, head and integrated events together', async () => {
      const { store, addEvents } = await fresh();
      await addEvents([contractEvent(0), contractEvent(1), contractEvent(2)]);
      const pending = await store.pendingEvents(10);
      const tiles = [tile(0, 0, 2, 7), tile('entries', 0, 2, 8)];
      const committed = await store.advance(
        null,
        headOf(2),
        pending.slice(0, 2).map((p, i) => ({ ref: p.ref, index: i })),
        tiles,
      );
      expect(committed).toBe(true);
      expect(await store.head()).toEqual(headOf(2));
      expect(await store.readTile({ level: 0, index: 0, width: 2 })).toEqual(tiles[0]?.body);
      expect(await store.readTile({ level: 'entries', index: 0, width: 2 })).toEqual(tiles[1]?.body);
      expect((await store.pendingEvents(10)).map((p) => p.event)).toEqual([contractEvent(2)]);
      expect(await store.loggedEvents(contractEvent(1).certificateId)).toEqual([
        { type: 'issued', at: contractEvent(1).at, index: 1 },
      ]);
      expect(await store.loggedEvents(contractEvent(2).certificateId)).toEqual([]);
    });

    it('writes nothing when the head has moved: no tile, no checkpoint, events still pending', async () => {
      const { store, addEvents } = await fresh();
      await addEvents([contractEvent(0)]);
      expect(await store.advance(null, headOf(0), [], [])).toBe(true);
      const [p] = await store.pendingEvents(1);
      const lost = await store.advance(3, headOf(1), [{ ref: p!.ref, index: 0 }], [tile(0, 0, 1, 9)]);
      expect(lost).toBe(false);
      expect(await store.readTile({ level: 0, index: 0, width: 1 })).toBeNull();
      expect(await store.readServableTile({ level: 0, index: 0, width: 1 })).toBeNull();
      expect((await store.pendingEvents(10)).map((e) => e.event)).toEqual([contractEvent(0)]);
      expect(await store.loggedEvents(contractEvent(0).certificateId)).toEqual([]);
      expect((await store.head())?.size).toBe(0);
    });

    it('writes nothing when an event was already integrated, even with the head in place', async () => {
      const { store, addEvents } = await fresh();
      await addEvents([contractEvent(0), contractEvent(1)]);
      const [first, second] = await store.pendingEvents(10);
      expect(await store.advance(null, headOf(1), [{ ref: first!.ref, index: 0 }], [tile(0, 0, 1, 1)])).toBe(true);
      // A second writer that still holds the first event's stale listing.
      const twice = await store.advance(
        1,
        headOf(3),
        [
          { ref: second!.ref, index: 1 },
          { ref: first!.ref, index: 2 },
        ],
        [tile(0, 0, 3, 3)],
      );
      expect(twice).toBe(false);
      expect((await store.head())?.size).toBe(1);
      expect(await store.readTile({ level: 0, index: 0, width: 3 })).toBeNull();
      expect((await store.pendingEvents(10)).map((p) => p.event)).toEqual([contractEvent(1)]);
      expect(await store.loggedEvents(contractEvent(0).certificateId)).toEqual([{ type: 'issued', at: contractEvent(0).at, index: 0 }]);
    });

    it('serves a tile only when a committed checkpoint covers it, and keeps serving it', async () => {
      const { store } = await fresh();
      expect(await store.advance(null, headOf(3), [], [tile(0, 0, 3, 3), tile('entries', 0, 3, 3)])).toBe(true);
      // A tile that a commit stored but no checkpoint covers (width 7 needs a tree of 7).
      expect(await store.advance(3, headOf(5), [], [tile(0, 0, 5, 5), tile(0, 0, 7, 7)])).toBe(true);
      expect(await store.readServableTile({ level: 0, index: 0, width: 3 })).toEqual(tile(0, 0, 3, 3).body);
      expect(await store.readServableTile({ level: 'entries', index: 0, width: 3 })).toEqual(tile('entries', 0, 3, 3).body);
      expect(await store.readServableTile({ level: 0, index: 0, width: 5 })).toEqual(tile(0, 0, 5, 5).body);
      expect(await store.readTile({ level: 0, index: 0, width: 7 })).toEqual(tile(0, 0, 7, 7).body);
      expect(await store.readServableTile({ level: 0, index: 0, width: 7 })).toBeNull();
      expect(await store.readServableTile({ level: 0, index: 0, width: 4 })).toBeNull();
      expect(await store.readServableTile({ level: 0, index: 0, width: 256 })).toBeNull();
      expect(await store.readServableTile({ level: 1, index: 0, width: 1 })).toBeNull();
    });

    it('lists one certificate\'s integrated changes oldest first', async () => {
      const { store, addEvents } = await fresh();
      await addEvents([contractEvent(4, 'issued', 0), contractEvent(4, 'revoked', 60_000), contractEvent(5, 'issued', 1)]);
      const pending = await store.pendingEvents(10);
      expect(pending.map((p) => [p.event.statusListIndex, p.event.type])).toEqual([
        [4, 'issued'],
        [5, 'issued'],
        [4, 'revoked'],
      ]);
      const integrated = pending.map((p, index) => ({ ref: p.ref, index }));
      expect(await store.advance(null, headOf(3), integrated, [])).toBe(true);
      expect(await store.loggedEvents(contractEvent(4).certificateId)).toEqual([
        { type: 'issued', at: contractEvent(4, 'issued', 0).at, index: 0 },
        { type: 'revoked', at: contractEvent(4, 'revoked', 60_000).at, index: 2 },
      ]);
      expect(await store.pendingEvents(10)).toEqual([]);
    });

    it('refuses a commit larger than one transaction before writing anything', async () => {
      const { store, addEvents } = await fresh();
      const events = Array.from({ length: 99 }, (_, i) => contractEvent(i));
      await addEvents(events);
      const pending = await store.pendingEvents(100);
      expect(pending).toHaveLength(99);
      await expect(store.advance(null, headOf(99), pending.map((p, index) => ({ ref: p.ref, index })), [])).rejects.toThrow(RangeError);
      expect(await store.head()).toBeNull();
      expect(await store.pendingEvents(100)).toHaveLength(99);
    });
  });
}
