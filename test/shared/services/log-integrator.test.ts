import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '#shared/domain/records.ts';
import type { LogStore } from '#shared/ports/log-store.ts';
import { LogIntegrator, MAX_EVENTS_PER_BATCH } from '#shared/services/log-integrator.ts';
import { parseCheckpoint } from '#shared/transparency/checkpoint.ts';
import { decodeEntry, encodeEntry, entryFromEvent } from '#shared/transparency/entry.ts';
import {
  EMPTY_ROOT,
  consistencyProof,
  inclusionProof,
  leafHash,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from '#shared/transparency/merkle.ts';
import { openNote, parseVerifierKey } from '#shared/transparency/note.ts';
import { tileHasher } from '#shared/transparency/tile-hasher.ts';
import { TILE_WIDTH, decodeEntryBundle, decodeTile } from '#shared/transparency/tiles.ts';
import { TEST_LOG_ORIGIN, countingNoteSigner, sampleAuditEvent, testNoteSigner } from '../../support/audit-events.ts';
import { type InMemoryLogStore, inMemoryStores } from '../../support/in-memory-stores.ts';

/**
 * The integrator on the in-memory log store: what it commits is checked with the pure C2SP code
 * (leaf and tree hashes, signed notes, checkpoints), not with the integrator's own reading.
 */

const signer = testNoteSigner();
const statusListUrl = (listId: string) => `https://dcc.test/v1/status-lists/${listId}`;

function freshLog(events: readonly AuditEvent[] = []): InMemoryLogStore {
  const { log } = inMemoryStores({ statusListUrl });
  for (const e of events) log.addEvent(e);
  return log;
}

const eventsUpTo = (n: number) => Array.from({ length: n }, (_, i) => sampleAuditEvent(i));
const leafOf = (e: AuditEvent) => leafHash(encodeEntry(entryFromEvent(e)));

/** The committed checkpoint, opened with the key the head names and parsed. */
async function committedCheckpoint(store: LogStore) {
  const head = await store.head();
  if (!head) throw new Error('no head');
  const key = parseVerifierKey(head.verifierKey);
  return { head, key, checkpoint: parseCheckpoint(openNote(head.checkpoint, key)) };
}

/** Every entry of the tree of `size`, read from the servable bundles. */
async function servedEntries(store: LogStore, size: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let n = 0; n * TILE_WIDTH < size; n++) {
    const body = await store.readServableTile({ level: 'entries', index: n, width: Math.min(TILE_WIDTH, size - n * TILE_WIDTH) });
    if (!body) throw new Error(`bundle ${n} is not served`);
    out.push(...decodeEntryBundle(body));
  }
  return out;
}

/** A hasher over the servable tiles only, as a monitor would read them. */
function servedHasher(store: LogStore, size: number) {
  return tileHasher(size, async (id) => {
    const body = await store.readServableTile(id);
    if (!body) throw new Error(`tile ${JSON.stringify(id)} is not served`);
    return decodeTile(body);
  });
}

describe('one batch', () => {
  it('integrates the pending events in outbox order under a checkpoint whose root matches the tiles', async () => {
    const events = eventsUpTo(5);
    // Written out of order: the log follows the time of each change, not the order of arrival.
    const store = freshLog([events[3], events[0], events[4], events[1], events[2]] as AuditEvent[]);
    const outcome = await new LogIntegrator({ store, signer }).integrateBatch();
    expect(outcome).toEqual({ integrated: 5, size: 5, lostRace: false });

    const { head, key, checkpoint } = await committedCheckpoint(store);
    expect(key.name).toBe(TEST_LOG_ORIGIN);
    expect(checkpoint).toMatchObject({ origin: TEST_LOG_ORIGIN, size: 5, extensions: [] });
    expect(head.rootHash).toEqual(checkpoint.rootHash);
    expect(checkpoint.rootHash).toEqual(rootFromLeafHashes(events.map(leafOf)));

    const level0 = await store.readServableTile({ level: 0, index: 0, width: 5 });
    expect(decodeTile(level0 as Uint8Array)).toEqual(events.map(leafOf));
    expect((await servedEntries(store, 5)).map((b) => decodeEntry(b))).toEqual(events.map(entryFromEvent));
    for (const [i, e] of events.entries()) {
      expect(await store.loggedEvents(e.certificateId)).toEqual([{ type: 'issued', at: e.at, index: i }]);
    }
    expect(await store.pendingEvents(100)).toEqual([]);
  });

  it('gives the empty log a signed checkpoint once, and then signs nothing while the outbox is empty', async () => {
    const store = freshLog();
    const counting = countingNoteSigner(signer);
    const integrator = new LogIntegrator({ store, signer: counting });
    expect(await integrator.integrateBatch()).toEqual({ integrated: 0, size: 0, lostRace: false });
    const { checkpoint } = await committedCheckpoint(store);
    expect(checkpoint.size).toBe(0);
    expect(checkpoint.rootHash).toEqual(EMPTY_ROOT);

    expect(await integrator.drain()).toEqual({ integrated: 0, size: 0 });
    expect(counting.signatures).toBe(1);
    expect(store.commits).toBe(1);
  });

  it('extends a partial tile and bundle from the committed edge', async () => {
    const events = eventsUpTo(7);
    const store = freshLog(events.slice(0, 3));
    const integrator = new LogIntegrator({ store, signer });
    await integrator.drain();
    for (const e of events.slice(3)) store.addEvent(e);
    expect(await integrator.drain()).toEqual({ integrated: 4, size: 7 });

    const { checkpoint } = await committedCheckpoint(store);
    expect(checkpoint.rootHash).toEqual(rootFromLeafHashes(events.map(leafOf)));
    expect(decodeTile((await store.readServableTile({ level: 0, index: 0, width: 7 })) as Uint8Array)).toEqual(events.map(leafOf));
    // The earlier partial tile stays as its checkpoint committed it.
    expect(decodeTile((await store.readServableTile({ level: 0, index: 0, width: 3 })) as Uint8Array)).toEqual(events.slice(0, 3).map(leafOf));
  });

  it('fails loudly on an entry longer than allowed, and commits nothing', async () => {
    const store = freshLog(eventsUpTo(2));
    await expect(new LogIntegrator({ store, signer, maxEntryBytes: 100 }).integrateBatch()).rejects.toThrow(RangeError);
    expect(await store.head()).toBeNull();
    expect(await store.pendingEvents(10)).toHaveLength(2);
  });
});

describe('more events than one batch holds', () => {
  it(`takes at most ${MAX_EVENTS_PER_BATCH} per commit, whatever batch size is asked for, and drains all of them`, async () => {
    const events = eventsUpTo(300);
    const store = freshLog(events);
    const sizes: number[] = [];
    const integrator = new LogIntegrator({ store, signer, batchSize: 500, beforeCommit: (size) => void sizes.push(size) });

    expect(await integrator.integrateBatch()).toEqual({ integrated: MAX_EVENTS_PER_BATCH, size: MAX_EVENTS_PER_BATCH, lostRace: false });
    expect(await integrator.drain()).toEqual({ integrated: 300 - MAX_EVENTS_PER_BATCH, size: 300 });
    expect(sizes).toEqual([88, 176, 264, 300]);
    expect(store.commits).toBe(4);

    const { checkpoint } = await committedCheckpoint(store);
    expect(checkpoint.size).toBe(300);
    expect(checkpoint.rootHash).toEqual(rootFromLeafHashes(events.map(leafOf)));
    // The tree crossed a tile boundary: one full level-0 tile, its hash in level 1, and a partial one.
    expect(decodeTile((await store.readServableTile({ level: 0, index: 0, width: 256 })) as Uint8Array)).toEqual(
      events.slice(0, 256).map(leafOf),
    );
    expect(decodeTile((await store.readServableTile({ level: 1, index: 0, width: 1 })) as Uint8Array)).toEqual([
      rootFromLeafHashes(events.slice(0, 256).map(leafOf)),
    ]);
    expect((await servedEntries(store, 300)).map((b) => decodeEntry(b).id)).toEqual(events.map((e) => e.certificateId));

    // Every checkpoint on the way is a prefix of the final tree.
    const hasher = servedHasher(store, 300);
    for (const size of sizes.slice(0, -1)) {
      const earlier = rootFromLeafHashes(events.slice(0, size).map(leafOf));
      verifyConsistency(size, 300, await consistencyProof(size, 300, hasher), earlier, checkpoint.rootHash);
    }
  });

  it('proves the inclusion of every leaf against the checkpoint', async () => {
    const events = eventsUpTo(300);
    const store = freshLog(events);
    await new LogIntegrator({ store, signer }).drain();
    const { checkpoint } = await committedCheckpoint(store);
    const hasher = servedHasher(store, checkpoint.size);
    const entries = await servedEntries(store, checkpoint.size);
    for (let i = 0; i < checkpoint.size; i++) {
      const proof = await inclusionProof(i, checkpoint.size, hasher);
      expect(() => verifyInclusion(i, checkpoint.size, leafHash(entries[i] as Uint8Array), proof, checkpoint.rootHash)).not.toThrow();
    }
    // A proof for one leaf does not prove another.
    const proof = await inclusionProof(7, checkpoint.size, hasher);
    expect(() => verifyInclusion(7, checkpoint.size, leafHash(entries[8] as Uint8Array), proof, checkpoint.rootHash)).toThrow();
  });
});

describe('two integrators at once', () => {
  it('the one that loses the head writes nothing, and its events end up in the log once', async () => {
    const events = eventsUpTo(10);
    const store = freshLog(events);
    const winner = new LogIntegrator({ store, signer, batchSize: 10 });
    let raced = false;
    // The loser has read the head and made its tiles and checkpoint when the winner commits.
    const loser = new LogIntegrator({
      store,
      signer,
      batchSize: 4,
      beforeCommit: async () => {
        if (raced) return;
        raced = true;
        expect(await winner.integrateBatch()).toEqual({ integrated: 10, size: 10, lostRace: false });
      },
    });

    expect(await loser.integrateBatch()).toEqual({ integrated: 0, size: 0, lostRace: true });
    expect(store.commits).toBe(1);
    expect(await store.readTile({ level: 0, index: 0, width: 4 })).toBeNull();
    expect(await store.readTile({ level: 'entries', index: 0, width: 4 })).toBeNull();
    const { checkpoint } = await committedCheckpoint(store);
    expect(checkpoint.size).toBe(10);
    expect(checkpoint.rootHash).toEqual(rootFromLeafHashes(events.map(leafOf)));
    for (const [i, e] of events.entries()) {
      expect(await store.loggedEvents(e.certificateId)).toEqual([{ type: 'issued', at: e.at, index: i }]);
    }
    // Run again, the loser finds nothing left to do.
    expect(await loser.drain()).toEqual({ integrated: 0, size: 10 });
  });

  it('racing drains append every event exactly once and never fork', async () => {
    const events = eventsUpTo(150);
    const store = freshLog(events);
    const [a, b] = await Promise.all([
      new LogIntegrator({ store, signer, batchSize: 20 }).drain(),
      new LogIntegrator({ store, signer, batchSize: 20 }).drain(),
    ]);
    expect(a.integrated + b.integrated).toBe(150);
    const { checkpoint } = await committedCheckpoint(store);
    expect(checkpoint.size).toBe(150);
    expect(checkpoint.rootHash).toEqual(rootFromLeafHashes(events.map(leafOf)));
    const indexes = (await Promise.all(events.map((e) => store.loggedEvents(e.certificateId)))).flat().map((l) => l.index);
    expect(indexes).toEqual(Array.from({ length: 150 }, (_, i) => i));
  });
});

describe('an integrator that crashes between batches', () => {
  it('is resumed by a rerun with no gap, no duplicate and the root of an uninterrupted run', async () => {
    const events = eventsUpTo(200);
    const control = freshLog(events);
    await new LogIntegrator({ store: control, signer, batchSize: 50 }).drain();

    const crashed = freshLog(events);
    let batches = 0;
    const dying = new LogIntegrator({
      store: crashed,
      signer,
      batchSize: 50,
      beforeCommit: () => {
        batches += 1;
        if (batches === 3) throw new Error('killed');
      },
    });
    await expect(dying.drain()).rejects.toThrow('killed');
    expect((await crashed.head())?.size).toBe(100);
    // The killed batch's tiles were made but never stored.
    expect(await crashed.readTile({ level: 0, index: 0, width: 150 })).toBeNull();
    expect(await crashed.pendingEvents(200)).toHaveLength(100);

    expect(await new LogIntegrator({ store: crashed, signer, batchSize: 50 }).drain()).toEqual({ integrated: 100, size: 200 });
    const resumed = await committedCheckpoint(crashed);
    const uninterrupted = await committedCheckpoint(control);
    expect(resumed.checkpoint.rootHash).toEqual(uninterrupted.checkpoint.rootHash);
    const indexes = (await Promise.all(events.map((e) => crashed.loggedEvents(e.certificateId)))).flat().map((l) => l.index);
    expect(indexes).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect((await servedEntries(crashed, 200)).map((b) => decodeEntry(b).statusListIndex)).toEqual(events.map((e) => e.statusListIndex));
  });

  it('killed before its first commit, leaves no head, no tile and every event pending', async () => {
    const store = freshLog(eventsUpTo(3));
    const killed = new LogIntegrator({ store, signer, beforeCommit: () => Promise.reject(new Error('killed')) });
    await expect(killed.integrateBatch()).rejects.toThrow('killed');
    expect(await store.head()).toBeNull();
    expect(await store.readTile({ level: 0, index: 0, width: 3 })).toBeNull();
    expect(await store.pendingEvents(10)).toHaveLength(3);
    expect(await new LogIntegrator({ store, signer }).drain()).toEqual({ integrated: 3, size: 3 });
  });
});
