import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '#shared/domain/records.ts';
import type { LogStore } from '#shared/ports/log-store.ts';
import { LogIntegrator } from '#shared/services/log-integrator.ts';
import { LogReader } from '#shared/services/log-reader.ts';
import { parseCheckpoint } from '#shared/transparency/checkpoint.ts';
import { encodeEntry, entryFromEvent } from '#shared/transparency/entry.ts';
import { leafHash, rootFromLeafHashes } from '#shared/transparency/merkle.ts';
import { openNote, parseVerifierKey } from '#shared/transparency/note.ts';
import { PROOF_HEADER, parseProof, verifyProof } from '#shared/transparency/proof.ts';
import { decodeEntryBundle, decodeTile } from '#shared/transparency/tiles.ts';
import { TEST_LOG_ORIGIN, sampleAuditEvent, testNoteSigner } from '../../support/audit-events.ts';
import { type InMemoryLogStore, inMemoryStores } from '../../support/in-memory-stores.ts';

/**
 * The log reader on the in-memory log store: what it serves is checked with the pure C2SP code,
 * as an auditor holding only the log's verifier key would check it.
 */

const signer = testNoteSigner();
const statusListUrl = (listId: string) => `https://dcc.test/v1/status-lists/${listId}`;

function freshLog(events: readonly AuditEvent[] = []): InMemoryLogStore {
  const { log } = inMemoryStores({ statusListUrl });
  for (const e of events) log.addEvent(e);
  return log;
}

const integrate = (store: LogStore) => new LogIntegrator({ store, signer }).drain();
const leafOf = (e: AuditEvent) => leafHash(encodeEntry(entryFromEvent(e)));

describe('before the first checkpoint', () => {
  it('has no checkpoint, key, tile, index or proof (the routes answer 404)', async () => {
    const issued = sampleAuditEvent(0);
    const reader = new LogReader(freshLog([issued]));
    expect(await reader.checkpoint()).toBeNull();
    expect(await reader.verifierKey()).toBeNull();
    expect(await reader.tile('tile/0/000.p/1')).toBeNull();
    expect(await reader.tile('tile/entries/000.p/1')).toBeNull();
    expect(await reader.indexes(issued.certificateId)).toEqual({});
    expect(await reader.proof(issued.certificateId, 'issued')).toBeNull();
    expect(await reader.inclusion(issued.certificateId, issued.tokenSha256)).toBeNull();
  });
});

describe('checkpoint, key and tiles', () => {
  it('serves the committed checkpoint, signed by the key it names', async () => {
    const events = Array.from({ length: 5 }, (_, i) => sampleAuditEvent(i));
    const store = freshLog(events);
    await integrate(store);
    const reader = new LogReader(store);

    const note = await reader.checkpoint();
    const vkey = await reader.verifierKey();
    expect(note).toBe((await store.head())?.checkpoint);
    const key = parseVerifierKey(vkey as string);
    expect(key.name).toBe(TEST_LOG_ORIGIN);
    expect(key.publicKey).toEqual(await signer.publicKey());
    const checkpoint = parseCheckpoint(openNote(note as string, key));
    expect(checkpoint.size).toBe(5);
    expect(checkpoint.rootHash).toEqual(rootFromLeafHashes(events.map(leafOf)));
  });

  it('serves tiles and bundles by canonical path, only where a checkpoint covers them', async () => {
    const events = Array.from({ length: 5 }, (_, i) => sampleAuditEvent(i));
    const store = freshLog(events);
    await integrate(store);
    const reader = new LogReader(store);

    const tile = await reader.tile('tile/0/000.p/5');
    expect(tile?.id).toEqual({ level: 0, index: 0, width: 5 });
    expect(decodeTile(tile?.body as Uint8Array)).toEqual(events.map(leafOf));
    // The path without its `tile/` prefix names the same tile.
    expect((await reader.tile('0/000.p/5'))?.body).toEqual(tile?.body);
    const bundle = await reader.tile('tile/entries/000.p/5');
    expect(decodeEntryBundle(bundle?.body as Uint8Array)).toEqual(events.map((e) => encodeEntry(entryFromEvent(e))));

    // Not covered by any checkpoint: wider than the tree, or the full tile.
    expect(await reader.tile('tile/0/000.p/6')).toBeNull();
    expect(await reader.tile('tile/0/000')).toBeNull();
    expect(await reader.tile('tile/1/000.p/1')).toBeNull();
    // Not canonical spellings of a tile path.
    expect(await reader.tile('tile/0/0.p/5')).toBeNull();
    expect(await reader.tile('tile/0/x000/000.p/5')).toBeNull();
    expect(await reader.tile('tile/0/000.p/256')).toBeNull();
    expect(await reader.tile('../0/000.p/5')).toBeNull();
  });

  it('keeps serving the partial tile of an earlier checkpoint after the tree grew', async () => {
    const store = freshLog([sampleAuditEvent(0), sampleAuditEvent(1)]);
    await integrate(store);
    store.addEvent(sampleAuditEvent(2));
    await integrate(store);
    const reader = new LogReader(store);
    expect((await reader.tile('tile/0/000.p/2'))?.id).toEqual({ level: 0, index: 0, width: 2 });
    expect(decodeTile((await reader.tile('tile/0/000.p/3'))?.body as Uint8Array)).toHaveLength(3);
  });
});

describe('proofs', () => {
  /** Certificate 1 issued and revoked, certificate 2 superseded, certificate 3 issued only. */
  async function logWithRevocations() {
    const events = [
      sampleAuditEvent(1, 'issued', 0),
      sampleAuditEvent(2, 'issued', 1),
      sampleAuditEvent(3, 'issued', 2),
      sampleAuditEvent(1, 'revoked', 60_000),
      { ...sampleAuditEvent(2, 'superseded', 61_000), detail: { reason: 'superseded', supersededBy: 'x' } },
    ];
    const store = freshLog(events);
    await integrate(store);
    return { store, reader: new LogReader(store), key: parseVerifierKey((await store.head())?.verifierKey as string) };
  }

  it('gives a c2sp.org/tlog-proof@v1 document of the issuance that verifies offline', async () => {
    const { reader, key } = await logWithRevocations();
    const issued = sampleAuditEvent(3, 'issued', 2);
    const text = await reader.proof(issued.certificateId, 'issued');
    expect(text?.split('\n')[0]).toBe(PROOF_HEADER);
    expect(parseProof(text as string).index).toBe(2);

    const proven = verifyProof(text as string, key);
    expect(proven.index).toBe(2);
    expect(proven.checkpoint.size).toBe(5);
    expect(proven.entry).toEqual(entryFromEvent(issued));
  });

  it('selects the revocation with event=revoked, for a revocation and for a supersession', async () => {
    const { reader, key } = await logWithRevocations();
    const revoked = verifyProof((await reader.proof(sampleAuditEvent(1).certificateId, 'revoked')) as string, key);
    expect(revoked).toMatchObject({ index: 3, entry: { event: 'revoked', id: sampleAuditEvent(1).certificateId, reason: 'issued-in-error' } });
    const issued = verifyProof((await reader.proof(sampleAuditEvent(1).certificateId, 'issued')) as string, key);
    expect(issued).toMatchObject({ index: 0, entry: { event: 'issued' } });

    const superseded = verifyProof((await reader.proof(sampleAuditEvent(2).certificateId, 'revoked')) as string, key);
    expect(superseded).toMatchObject({ index: 4, entry: { event: 'superseded', reason: 'superseded' } });
    expect(await reader.indexes(sampleAuditEvent(2).certificateId)).toEqual({ issued: 1, revoked: 4 });

    // Never revoked: there is no revocation to prove.
    expect(await reader.proof(sampleAuditEvent(3).certificateId, 'revoked')).toBeNull();
    expect(await reader.proof('0190d5f2-0000-7000-8000-999999999999', 'issued')).toBeNull();
  });

  it('does not prove a change that is still waiting in the outbox', async () => {
    const store = freshLog([sampleAuditEvent(1)]);
    await integrate(store);
    store.addEvent(sampleAuditEvent(1, 'revoked', 60_000));
    const reader = new LogReader(store);
    expect(await reader.indexes(sampleAuditEvent(1).certificateId)).toEqual({ issued: 0 });
    expect(await reader.proof(sampleAuditEvent(1).certificateId, 'revoked')).toBeNull();
    expect(await reader.inclusion(sampleAuditEvent(1).certificateId, sampleAuditEvent(1).tokenSha256)).toEqual({
      issued: 0,
      treeSize: 1,
      inclusionVerified: true,
    });
  });

  it('a proof is made against the current checkpoint, and later proofs verify against later checkpoints', async () => {
    const store = freshLog([sampleAuditEvent(0)]);
    await integrate(store);
    const reader = new LogReader(store);
    const key = parseVerifierKey((await reader.verifierKey()) as string);
    expect(verifyProof((await reader.proof(sampleAuditEvent(0).certificateId, 'issued')) as string, key).checkpoint.size).toBe(1);
    for (let i = 1; i < 300; i++) store.addEvent(sampleAuditEvent(i));
    await integrate(store);
    for (const i of [0, 255, 256, 299]) {
      const proven = verifyProof((await reader.proof(sampleAuditEvent(i).certificateId, 'issued')) as string, key);
      expect(proven).toMatchObject({ index: i, checkpoint: { size: 300 }, entry: { statusListIndex: i } });
    }
  });
});

describe('inclusion', () => {
  it('is verified when both changes are proven with entries naming this certificate and this token', async () => {
    const store = freshLog([sampleAuditEvent(0), sampleAuditEvent(1), sampleAuditEvent(0, 'revoked', 60_000)]);
    await integrate(store);
    const reader = new LogReader(store);
    const { certificateId, tokenSha256 } = sampleAuditEvent(0);
    expect(await reader.inclusion(certificateId, tokenSha256)).toEqual({ issued: 0, revoked: 2, treeSize: 3, inclusionVerified: true });
    // Another token under the same id: the log does not vouch for it.
    expect(await reader.inclusion(certificateId, 'f'.repeat(64))).toMatchObject({ inclusionVerified: false });
    // Not in the log at all.
    expect(await reader.inclusion('0190d5f2-0000-7000-8000-999999999999', tokenSha256)).toEqual({
      treeSize: 3,
      inclusionVerified: false,
    });
  });

  it('is not verified when a stored bundle no longer matches the tree', async () => {
    const store = freshLog([sampleAuditEvent(0), sampleAuditEvent(1)]);
    await integrate(store);
    // A store whose bundle was altered after the checkpoint was signed: the same entry count,
    // one byte of the first entry changed.
    const tampered: LogStore = {
      head: () => store.head(),
      pendingEvents: (limit) => store.pendingEvents(limit),
      readServableTile: (id) => store.readServableTile(id),
      advance: (...args) => store.advance(...args),
      loggedEvents: (id) => store.loggedEvents(id),
      readTile: async (id) => {
        const body = await store.readTile(id);
        if (body && id.level === 'entries') {
          const entries = decodeEntryBundle(body);
          const text = Buffer.from(entries[0] as Uint8Array).toString('utf8').replace('"v":1', '"v":2');
          const altered = Buffer.from(text, 'utf8');
          const out = new Uint8Array(body.length);
          out.set([altered.length >> 8, altered.length & 0xff], 0);
          out.set(altered, 2);
          out.set(body.subarray(2 + (entries[0] as Uint8Array).length), 2 + altered.length);
          return out;
        }
        return body;
      },
    };
    const { certificateId, tokenSha256 } = sampleAuditEvent(0);
    expect(await new LogReader(store).inclusion(certificateId, tokenSha256)).toMatchObject({ inclusionVerified: true });
    expect(await new LogReader(tampered).inclusion(certificateId, tokenSha256)).toMatchObject({ issued: 0, inclusionVerified: false });
  });
});
