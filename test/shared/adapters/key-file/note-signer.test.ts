import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_KEY_FILE, localNoteSigner } from '#shared/adapters/key-file/note-signer.ts';
import { formatVerifierKey, openNote, parseVerifierKey, signNote } from '#shared/transparency/note.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dcc-log-key-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the local log key', () => {
  it('is created once, private to the owner, and the same key on every open, even opened at once', async () => {
    const path = join(dir, LOG_KEY_FILE);
    const [a, b] = await Promise.all([localNoteSigner(path, 'dcc.localhost/log'), localNoteSigner(path, 'dcc.localhost/log')]);
    const c = await localNoteSigner(path, 'dcc.localhost/log');
    expect(Buffer.from(await a.publicKey())).toEqual(Buffer.from(await b.publicKey()));
    expect(Buffer.from(await a.publicKey())).toEqual(Buffer.from(await c.publicKey()));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const note = await signNote('dcc.localhost/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n', c);
    expect(openNote(note, parseVerifierKey(formatVerifierKey(a.name, await a.publicKey())))).toContain('dcc.localhost/log\n0\n');
  });
});

describe('the local log key for RFC 6962 checkpoint signatures', () => {
  it('is a P-256 key, and a key file of the other type is refused rather than used', async () => {
    const path = join(dir, 'rfc6962-log-key.pem');
    const signer = await localNoteSigner(path, 'dcc.localhost/log', 'rfc6962');
    expect(signer.type).toBe('rfc6962');
    const text = 'dcc.localhost/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n';
    const note = await signNote(text, signer, () => new Date('2030-01-01T00:00:00Z'));
    expect(openNote(note, parseVerifierKey(formatVerifierKey(signer.name, await signer.publicKey(), 'rfc6962')))).toBe(text);
    await expect(localNoteSigner(path, 'dcc.localhost/log', 'ed25519')).rejects.toThrow(/rfc6962/);
    await expect(localNoteSigner(join(dir, LOG_KEY_FILE), 'dcc.localhost/log', 'rfc6962')).rejects.toThrow(/ed25519/);
  });
});
