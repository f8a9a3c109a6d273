import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.ts';
import { parseCheckpoint } from '#shared/transparency/checkpoint.ts';
import { consistencyProof, verifyConsistency } from '#shared/transparency/merkle.ts';
import { openNote, parseVerifierKey, type NoteVerifierKey } from '#shared/transparency/note.ts';
import { verifyProof } from '#shared/transparency/proof.ts';
import { tileHasher } from '#shared/transparency/tile-hasher.ts';
import { decodeTile, tilePath } from '#shared/transparency/tiles.ts';
import { type LocalApi, startLocalApi } from '../support/api-client.ts';
import { issueRequestAt } from '../support/issue-requests.ts';
import { memoryIo } from '../cli/support/run-dcc.ts';

/**
 * The transparency log through the local service: the in-process integrator puts every issue
 * and revocation in the log right after the change, without waiting for its tick, proofs verify offline against the published key,
 * checkpoints stay consistent, and the auditor's monitor catches a tampered bundle and a rolled
 * back head.
 */

let local: LocalApi | undefined;
let stateDir = '';
const tokens = { exchange: '', admin: '' };

beforeAll(async () => {
  // The integrator's own tick is ten minutes away: a change reaches the log only because the
  // service runs a pass right after it (and once at start).
  local = await startLocalApi('transparency', { logIntervalMs: 600_000 });
  stateDir = await mkdtemp(join(tmpdir(), 'dcc-monitor-'));
  tokens.exchange = await local.service.devClients.token({ role: 'exchange' });
  tokens.admin = await local.service.devClients.token({ role: 'admin' });
});

afterAll(async () => {
  await local?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

function running(): LocalApi {
  if (!local) throw new Error('the local service did not start');
  return local;
}

async function logKey(): Promise<{ text: string; key: NoteVerifierKey }> {
  const r = await poll(() => running().api.get('/v1/log/key'), (x) => x.status === 200);
  return { text: r.text.trim(), key: parseVerifierKey(r.text) };
}

/** Retries `fn` until `done` holds, for at most `seconds`. */
async function poll<T>(fn: () => Promise<T>, done: (value: T) => boolean, seconds = 10): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await fn();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function issue(): Promise<{ id: string; token: string }> {
  const r = await running().api.post('/v1/certificates', { token: tokens.exchange, json: issueRequestAt(new Date()) });
  expect(r.status, r.text).toBe(201);
  return r.json<{ id: string; token: string }>();
}

async function checkpoint(key: NoteVerifierKey) {
  const r = await running().api.get('/v1/log/checkpoint');
  expect(r.status).toBe(200);
  return parseCheckpoint(openNote(r.text, key));
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('issued and revoked certificates in the log', () => {
  it('proves both events against the current checkpoint within seconds', async () => {
    const { key, text } = await logKey();
    expect(text).toMatch(/^dcc\.localhost\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    const certificate = await issue();
    const revoke = await running().api.post(`/v1/certificates/${certificate.id}/revoke`, {
      token: tokens.admin,
      json: { reason: 'compliance-violation' },
    });
    expect(revoke.status, revoke.text).toBe(200);

    const revokedProof = await poll(() => running().api.get(`/v1/certificates/${certificate.id}/proof?event=revoked`), (r) => r.status === 200);
    expect(revokedProof.status, revokedProof.text).toBe(200);
    expect(revokedProof.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const issuedProof = await running().api.get(`/v1/certificates/${certificate.id}/proof`);
    expect(issuedProof.status).toBe(200);

    const issued = verifyProof(issuedProof.text, key);
    const revoked = verifyProof(revokedProof.text, key);
    expect(issued.entry).toMatchObject({ v: 1, event: 'issued', id: certificate.id, tokenSha256: sha256(certificate.token) });
    expect(revoked.entry).toMatchObject({ event: 'revoked', id: certificate.id, reason: 'compliance-violation', tokenSha256: sha256(certificate.token) });
    expect(revoked.index).toBeGreaterThan(issued.index);
    // The certificate record shows where its changes sit in the log.
    const record = await running().api.get(`/v1/certificates/${certificate.id}`, { token: tokens.admin });
    expect(record.json<{ log?: unknown }>().log).toEqual({ issued: issued.index, revoked: revoked.index });
    // On request, the verify result reports the log's view; by default it costs no log reads.
    const verifiedWithLog = await running().api.post('/v1/verify?log=true', { json: { token: certificate.token } });
    expect(verifiedWithLog.json<{ log?: unknown }>().log).toEqual({
      issued: issued.index,
      revoked: revoked.index,
      treeSize: expect.any(Number),
      inclusionVerified: true,
    });
    const plain = await running().api.post('/v1/verify', { json: { token: certificate.token } });
    expect(plain.json<{ log?: unknown; status: string }>()).toMatchObject({ status: 'revoked' });
    expect(plain.json<{ log?: unknown }>().log).toBeUndefined();
    // Both against the checkpoint the log serves now.
    const current = await checkpoint(key);
    expect(current.size).toBeGreaterThan(revoked.index);

    // The offline CLI agrees, and refuses a tampered proof.
    const file = join(stateDir, 'revoked.tlog-proof');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, revokedProof.text));
    const io = memoryIo();
    expect(await runCli(['log', 'verify-proof', file, '--key', text], io)).toBe(0);
    expect(io.out.join('')).toContain(`revoked ${certificate.id}`);
    await import('node:fs/promises').then((fs) => fs.writeFile(file, revokedProof.text.replace(/^index \d+$/m, `index ${issued.index}`)));
    expect(await runCli(['log', 'verify-proof', file, '--key', text], memoryIo())).toBe(1);
  });

  it('answers 404 for a change not in the log and for unknown tiles', async () => {
    const r = await running().api.get('/v1/certificates/0190d5f2-0000-7000-8000-000000000000/proof');
    expect(r.status).toBe(404);
    expect((await running().api.get('/v1/log/tile/0/999')).status).toBe(404);
    expect((await running().api.get('/v1/log/tile/0/x000/001')).status).toBe(404);
  });

  it('serves tiles and bundles with the right caching, and a later checkpoint is consistent with an earlier one', async () => {
    const { key } = await logKey();
    const before = await issue();
    await poll(() => running().api.get(`/v1/certificates/${before.id}/proof`), (r) => r.status === 200);
    const first = await checkpoint(key);
    expect(first.size).toBeGreaterThan(0);
    const more = [await issue(), await issue(), await issue()];
    const last = more[more.length - 1] as { id: string };
    await poll(() => running().api.get(`/v1/certificates/${last.id}/proof`), (r) => r.status === 200);
    const second = await checkpoint(key);
    expect(second.size).toBeGreaterThanOrEqual(first.size + 3);

    const tile = await running().api.get(`/v1/log/tile/0/000.p/${second.size}`);
    expect(tile.status).toBe(200);
    expect(tile.headers.get('content-type')).toBe('application/octet-stream');
    expect(tile.headers.get('cache-control')).toBe('public, max-age=60');
    const readTile = async (id: Parameters<typeof tilePath>[0]) => {
      const r = await fetch(`${running().service.url}/v1/log/${tilePath(id)}`);
      expect(r.status, tilePath(id)).toBe(200);
      return decodeTile(new Uint8Array(await r.arrayBuffer()));
    };
    const proof = await consistencyProof(first.size, second.size, tileHasher(second.size, readTile));
    verifyConsistency(first.size, second.size, proof, first.rootHash, second.rootHash);
    expect(() => verifyConsistency(first.size, second.size, proof, second.rootHash, first.rootHash)).toThrow();
  });
});

describe('the monitor', () => {
  it('passes an honest log, then catches a tampered entry bundle and a rolled-back head', async () => {
    const s = running();
    const { text: vkey } = await logKey();
    const state = join(stateDir, 'monitor.json');
    const certificate = await issue();
    await poll(() => s.api.get(`/v1/certificates/${certificate.id}/proof`), (r) => r.status === 200);

    const honest = memoryIo();
    expect(await runCli(['log', 'monitor', '--api', s.service.url, '--state', state, '--key', vkey], honest), honest.err.join('')).toBe(0);
    expect(honest.out.join('')).toMatch(/^ok: dcc\.localhost\/log size \d+/);

    // Tamper: one byte of an entry in the current partial bundle.
    const table = s.service.tableName;
    const { Item: head } = await s.dynamodb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'LOG' }, sk: { S: 'HEAD' } }, ConsistentRead: true }));
    const size = Number(head?.['size']?.N);
    const bundleKey = { pk: { S: 'LOGTILE#entries/0' }, sk: { S: `W#${String(size).padStart(3, '0')}` } };
    const { Item: bundle } = await s.dynamodb.send(new GetItemCommand({ TableName: table, Key: bundleKey }));
    const original = bundle?.['body']?.B as Uint8Array;
    const altered = Buffer.from(original);
    // Change one hex digit of the last entry's token hash: still a well-formed entry.
    const at = altered.lastIndexOf('"tokenSha256":"') + '"tokenSha256":"'.length;
    expect(at).toBeGreaterThan(20);
    altered[at] = altered[at] === 0x30 ? 0x31 : 0x30;
    await s.dynamodb.send(new PutItemCommand({ TableName: table, Item: { ...bundle, body: { B: altered } } }));
    const tampered = memoryIo();
    expect(await runCli(['log', 'monitor', '--api', s.service.url, '--state', state, '--key', vkey], tampered)).toBe(1);
    expect(tampered.err.join('')).toMatch(/problem: (the entry bundles do not hash|entry \d+)/);
    await s.dynamodb.send(new PutItemCommand({ TableName: table, Item: { ...bundle, body: { B: original } } }));

    // Roll back: put an earlier committed checkpoint back as the head.
    const { Items = [] } = await s.dynamodb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'LOGCHECKPOINT' } },
        Limit: 2,
      }),
    );
    const earlier = Items.find((i) => Number(i['size']?.N) > 0 && Number(i['size']?.N) < size) ?? Items[0];
    const earlierNote = earlier?.['checkpoint']?.S as string;
    const earlierSize = Number(earlier?.['size']?.N);
    expect(earlierSize).toBeLessThan(size);
    await s.dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          ...head,
          size: { N: String(earlierSize) },
          checkpoint: { S: earlierNote },
          rootHash: { S: earlierNote.split('\n')[2] as string },
        },
      }),
    );
    const rolledBack = memoryIo();
    expect(await runCli(['log', 'monitor', '--api', s.service.url, '--state', state, '--key', vkey], rolledBack)).toBe(1);
    expect(rolledBack.err.join('')).toContain('rollback');
    // Put the true head back so that the integrator can continue.
    await s.dynamodb.send(new PutItemCommand({ TableName: table, Item: head ?? {} }));
  });
});
