import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.ts';
import { parseCheckpoint } from '#shared/transparency/checkpoint.ts';
import { formatVerifierKey, openNote, parseNote, parseVerifierKey } from '#shared/transparency/note.ts';
import { type LocalApi, startLocalApi } from '../support/api-client.ts';
import { issueRequestAt } from '../support/issue-requests.ts';
import { memoryIo } from '../cli/support/run-dcc.ts';

/**
 * The log as the China regions run it (`DCC_LOG_SIGNATURE=rfc6962`: RFC 6962 tree head
 * signatures with a P-256 key instead of Ed25519), through the local service: the published key
 * is a `0x05` verifier key, and the auditors' `dcc log verify-proof` and `dcc log monitor` accept
 * the log and refuse it under another key.
 */

let local: LocalApi | undefined;
let dir = '';

beforeAll(async () => {
  local = await startLocalApi('rfc6962-log', { logIntervalMs: 600_000, settings: { DCC_LOG_SIGNATURE: 'rfc6962' } });
  dir = await mkdtemp(join(tmpdir(), 'dcc-rfc6962-log-'));
});

afterAll(async () => {
  await local?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function until<T>(fn: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await fn();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a log that signs RFC 6962 tree heads', () => {
  it('publishes a 0x05 key and checkpoints without extensions, which dcc verifies and monitors', async () => {
    if (!local) throw new Error('the local service did not start');
    const s = local;
    const token = await s.service.devClients.token({ role: 'exchange' });
    const issued = await s.api.post('/v1/certificates', { token, json: issueRequestAt(new Date()) });
    expect(issued.status, issued.text).toBe(201);
    const { id } = issued.json<{ id: string }>();
    const proof = await until(() => s.api.get(`/v1/certificates/${id}/proof?event=issued`), (r) => r.status === 200);
    expect(proof.status).toBe(200);

    const vkey = (await s.api.get('/v1/log/key')).text.trim();
    const key = parseVerifierKey(vkey);
    expect(key.type).toBe('rfc6962');
    expect(Buffer.from(vkey.split('+').slice(2).join('+'), 'base64')[0]).toBe(0x05);
    const note = (await s.api.get('/v1/log/checkpoint')).text;
    const checkpoint = parseCheckpoint(openNote(note, key));
    expect(checkpoint.extensions).toEqual([]);
    expect(checkpoint.size).toBeGreaterThanOrEqual(1);
    // uint64 timestamp || 0x04 0x03 || uint16 length || DER: an RFC6962NoteSignature.
    const body = Buffer.from(parseNote(note).signatures[0]?.signature ?? []);
    expect([body[8], body[9], body.readUInt16BE(10) + 12]).toEqual([4, 3, body.length]);

    const file = join(dir, 'proof.txt');
    await writeFile(file, proof.text);
    const verified = memoryIo();
    expect(await runCli(['log', 'verify-proof', file, '--key', vkey], verified), verified.err.join('')).toBe(0);
    const monitored = memoryIo();
    const state = join(dir, 'state.json');
    expect(await runCli(['log', 'monitor', '--api', s.service.url, '--state', state, '--key', vkey], monitored), monitored.err.join('')).toBe(0);
    expect(monitored.out.join('')).toMatch(/^ok: /);

    // The same checkpoint under another P-256 key of the same name is refused.
    const spki = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' }));
    const wrongKey = formatVerifierKey(key.name, spki, 'rfc6962');
    const refused = memoryIo();
    expect(await runCli(['log', 'verify-proof', file, '--key', wrongKey], refused)).toBe(1);
  });
});
