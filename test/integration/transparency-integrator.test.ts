import { generateKeyPairSync } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbLogStore } from '#shared/adapters/dynamodb/log-store.ts';
import { eventItem } from '#shared/adapters/dynamodb/marshalling.ts';
import type { AuditEvent } from '#shared/domain/records.ts';
import { formatCheckpoint, parseCheckpoint } from '#shared/transparency/checkpoint.ts';
import { decodeEntry } from '#shared/transparency/entry.ts';
import { LogIntegrator, MAX_EVENTS_PER_BATCH } from '#shared/services/log-integrator.ts';
import { consistencyProof, leafHash, rootFromLeafHashes, verifyConsistency } from '#shared/transparency/merkle.ts';
import { formatVerifierKey, keyObjectNoteSigner, openNote, parseVerifierKey, signNote } from '#shared/transparency/note.ts';
import { tileHasher } from '#shared/transparency/tile-hasher.ts';
import { TILE_WIDTH, decodeEntryBundle, decodeTile } from '#shared/transparency/tiles.ts';
import { useServiceTables } from '../support/dynamodb.ts';

/**
 * The integrator against DynamoDB Local: a crash between writing tiles and moving the head
 * leaves no gap and no duplicate and gives the same root on restart; two integrators at once
 * never fork the log.
 */

const signer = keyObjectNoteSigner('dcc.test/log', generateKeyPairSync('ed25519').privateKey);
const tables = useServiceTables('tlog');

async function freshStore(): Promise<{ store: DynamoDbLogStore; table: string }> {
  const table = await tables.create();
  return { store: new DynamoDbLogStore({ client: tables.doc(), tableName: table }), table };
}

function event(i: number, type: AuditEvent['type'] = 'issued'): AuditEvent {
  const id = `0190d5f2-0000-7000-8000-${String(i).padStart(12, '0')}`;
  return {
    certificateId: id,
    type,
    // Distinct, increasing times: the outbox order is the log order.
    at: new Date(Date.UTC(2026, 10, 27, 10, 0, 0, i)).toISOString(),
    actor: 'exchange-1',
    detail: type === 'issued' ? { transactionRef: `T-${i}`, supersedes: null } : { reason: 'issued-in-error', comment: null },
    certificateNo: String(10_000_000_000_000_000_000n + BigInt(i)),
    statusListId: '0',
    statusListIndex: i,
    tokenSha256: i.toString(16).padStart(64, '0'),
  };
}

async function putEvents(table: string, events: AuditEvent[]): Promise<void> {
  for (const e of events) await tables.doc().send(new PutCommand({ TableName: table, Item: eventItem(e) }));
}

/** Every entry in the bundles of the tree of `size`, in order. */
async function allEntries(store: DynamoDbLogStore, size: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let n = 0; n * TILE_WIDTH < size; n++) {
    const width = Math.min(TILE_WIDTH, size - n * TILE_WIDTH);
    out.push(...decodeEntryBundle((await store.readServableTile({ level: 'entries', index: n, width })) as Uint8Array));
  }
  return out;
}

async function integratedIndexes(table: string, count: number): Promise<number[]> {
  const indexes: number[] = [];
  for (let i = 0; i < count; i++) {
    // One query per certificate partition keeps this independent of the outbox index.
    const { Items = [] } = await tables.doc().send(
      new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `CERT#${event(i).certificateId}` } }),
    );
    for (const item of Items) if (typeof item['logIndex'] === 'number') indexes.push(item['logIndex'] as number);
  }
  return indexes.sort((a, b) => a - b);
}

describe('an integrator killed before its commit', () => {
  it('restarts with no gap, no duplicate and the same root as an uninterrupted run', async () => {
    const events = Array.from({ length: 300 }, (_, i) => event(i));
    const crashed = await freshStore();
    const control = await freshStore();
    await putEvents(crashed.table, events);
    await putEvents(control.table, events);

    // The control run, never interrupted.
    const controlOutcome = await new LogIntegrator({ store: control.store, signer }).drain();
    expect(controlOutcome).toEqual({ integrated: 300, size: 300 });

    // First batch commits; the second is killed with its tiles and checkpoint made, before its commit.
    let batches = 0;
    const dying = new LogIntegrator({
      store: crashed.store,
      signer,
      beforeCommit: () => {
        batches += 1;
        if (batches === 2) throw new Error('killed');
      },
    });
    await expect(dying.drain()).rejects.toThrow('killed');
    expect((await crashed.store.head())?.size).toBe(MAX_EVENTS_PER_BATCH);

    const restarted = await new LogIntegrator({ store: crashed.store, signer }).drain();
    expect(restarted).toEqual({ integrated: 300 - MAX_EVENTS_PER_BATCH, size: 300 });

    const head = await crashed.store.head();
    const controlHead = await control.store.head();
    expect(Buffer.from(head?.rootHash ?? []).toString('hex')).toBe(Buffer.from(controlHead?.rootHash ?? []).toString('hex'));

    const entries = (await allEntries(crashed.store, 300)).map((b) => decodeEntry(b));
    expect(entries.map((e) => e.statusListIndex)).toEqual(events.map((e) => e.statusListIndex));
    expect(new Set(entries.map((e) => e.id)).size).toBe(300);
    expect(rootFromLeafHashes((await allEntries(crashed.store, 300)).map(leafHash))).toEqual(head?.rootHash);
    expect(await integratedIndexes(crashed.table, 300)).toEqual(Array.from({ length: 300 }, (_, i) => i));

    // The checkpoint is signed by the key it names, and the later tree extends the committed one.
    const key = parseVerifierKey(head?.verifierKey ?? '');
    const checkpoint = parseCheckpoint(openNote(head?.checkpoint ?? '', key));
    expect(checkpoint.size).toBe(300);
    const hasher = tileHasher(300, async (id) => decodeTile((await crashed.store.readServableTile(id)) as Uint8Array));
    const firstRoot = rootFromLeafHashes((await allEntries(crashed.store, 300)).slice(0, MAX_EVENTS_PER_BATCH).map(leafHash));
    verifyConsistency(MAX_EVENTS_PER_BATCH, 300, await consistencyProof(MAX_EVENTS_PER_BATCH, 300, hasher), firstRoot, checkpoint.rootHash);
  });

  it('a batch killed before its commit leaves no tile, bundle or checkpoint behind', async () => {
    const { store, table } = await freshStore();
    await putEvents(table, [event(0), event(1)]);
    await new LogIntegrator({ store, signer }).drain();
    await putEvents(table, [event(2)]);
    let madeSize = 0;
    const killed = new LogIntegrator({
      store,
      signer,
      beforeCommit: (size) => {
        madeSize = size;
        return Promise.reject(new Error('killed'));
      },
    });
    await expect(killed.drain()).rejects.toThrow('killed');
    expect(madeSize).toBe(3);
    expect(await store.readTile({ level: 0, index: 0, width: 3 })).toBeNull();
    expect(await store.readTile({ level: 'entries', index: 0, width: 3 })).toBeNull();
    expect(await store.readServableTile({ level: 0, index: 0, width: 2 })).not.toBeNull();
    expect((await store.head())?.size).toBe(2);
  });
});

describe('two integrators at once', () => {
  it('append every event exactly once and never fork', async () => {
    const { store, table } = await freshStore();
    await putEvents(table, Array.from({ length: 150 }, (_, i) => event(i)));
    await store.advance(null, await emptyHead(), [], []);
    const [a, b] = await Promise.all([
      new LogIntegrator({ store, signer, batchSize: 20 }).drain(),
      new LogIntegrator({ store, signer, batchSize: 20 }).drain(),
    ]);
    expect(a.integrated + b.integrated).toBe(150);
    const head = await store.head();
    expect(head?.size).toBe(150);
    const entries = (await allEntries(store, 150)).map((x) => decodeEntry(x));
    expect(new Set(entries.map((e) => e.id)).size).toBe(150);
    expect(await integratedIndexes(table, 150)).toEqual(Array.from({ length: 150 }, (_, i) => i));
  });

  it('refuses to move a head that is no longer where the writer found it', async () => {
    const { store } = await freshStore();
    const empty = await emptyHead();
    expect(await store.advance(null, empty, [], [])).toBe(true);
    expect(await store.advance(null, { ...empty, size: 1 }, [], [])).toBe(false);
    expect(await store.advance(5, { ...empty, size: 6 }, [], [])).toBe(false);
    expect((await store.head())?.size).toBe(0);
  });
});

async function emptyHead() {
  const rootHash = rootFromLeafHashes([]);
  return {
    size: 0,
    rootHash,
    checkpoint: await signNote(formatCheckpoint({ origin: signer.name, size: 0, rootHash, extensions: [] }), signer),
    verifierKey: formatVerifierKey(signer.name, await signer.publicKey()),
  };
}

describe('integrators racing while changes keep arriving', () => {
  it('three integrators, small batches, events written during the drain: every event once, the stored tiles match the head', async () => {
    const { store, table } = await freshStore();
    const total = 240;
    await putEvents(table, Array.from({ length: 60 }, (_, i) => event(i)));
    // Changes keep landing while the integrators race, so each reads a different outbox.
    const writer = (async () => {
      for (let i = 60; i < total; i += 12) await putEvents(table, Array.from({ length: 12 }, (_, k) => event(i + k)));
    })();
    const racer = async (): Promise<void> => {
      for (let round = 0; round < 12; round++) await new LogIntegrator({ store, signer, batchSize: 7 }).drain();
    };
    await Promise.all([writer, racer(), racer(), racer()]);
    await new LogIntegrator({ store, signer }).drain();

    const head = await store.head();
    expect(head?.size).toBe(total);
    const entries = await allEntries(store, total);
    expect(new Set(entries.map((x) => decodeEntry(x).id)).size).toBe(total);
    // What the bundles hold is what the committed root says.
    expect(Buffer.from(rootFromLeafHashes(entries.map(leafHash))).toString('hex')).toBe(Buffer.from(head?.rootHash ?? []).toString('hex'));
    expect((await integratedIndexes(table, total)).sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
  });
});
