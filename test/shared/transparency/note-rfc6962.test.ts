import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCheckpoint, parseCheckpoint } from '#shared/transparency/checkpoint.ts';
import {
  NoteError,
  formatVerifierKey,
  keyObjectNoteSigner,
  openNote,
  parseNote,
  parseVerifierKey,
  signNote,
  treeHeadSignatureInput,
} from '#shared/transparency/note.ts';
import { run } from '../../support/fake-kms-key.ts';

// Known answers from transparency-dev/formats, note/note_rfc6962_test.go (Apache-2.0): a
// checkpoint published by the static-ct-api log rome.ct.filippo.io/2024h1, that log's public key,
// and the verifier key strings that package's RFC6962VerifierString writes for it and for Google's
// Argon 2024 log.
const ROME_CHECKPOINT =
  'rome.ct.filippo.io/2024h1\n115474666\n2q1K6aiIJR+F7TyhiWOghoWOjY0/3dVBLsBbAvB4xCw=\n\n— rome.ct.filippo.io/2024h1 ePSrrgAAAY5+gVlSBAMARzBFAiEAv8bOMzo3Ed/GbU9fzzJvaStX6i8xTsmEF+NqvpGhIO0CIEn1X+zzVEerdix64GEn97XCXObA2G5JQ8UDDqCKdG5m\n';
const ROME_SPKI = 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEAXM8Ld9qn64g1zVFDh5FtgxS3zj5sqQDwYMs3wrBV3MCBiFhK/iRLxdKF4YsAcJaEglMlu4Lewvzxs0xO2uwEw==';
const ROME_VKEY =
  'rome.ct.filippo.io/2024h1+78f4abae+BTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABAFzPC3fap+uINc1RQ4eRbYMUt84+bKkA8GDLN8KwVdzAgYhYSv4kS8XSheGLAHCWhIJTJbuC3sL88bNMTtrsBM=';
const ARGON_SPKI = 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEHblsqctplMVc5ramA7vSuNxUQxcomQwGAVAdnWTAWUYr3MgDHQW0LagJ95lB7QT75Ve6JgT2EVLOFGU7L3YrwA==';
const ARGON_VKEY =
  'ct.googleapis.com/logs/us1/argon2024+7deb49d0+BTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABB25bKnLaZTFXOa2pgO70rjcVEMXKJkMBgFQHZ1kwFlGK9zIAx0FtC2oCfeZQe0E++VXuiYE9hFSzhRlOy92K8A=';
// An RFC 6962 get-sth answer of the Argon 2024 log, from the same test file.
const ARGON_STH = {
  tree_size: 1267285836,
  timestamp: 1711642477482,
  sha256_root_hash: 'SHySaYoaGIV5oCMANTytRfUjfzXb7wvO9xQiGkDJlfQ=',
  tree_head_signature: 'BAMARzBFAiAQWbsL/MbJdeR4jk8xYKWDBDGHyDcntBim9Jr1BvwPnAIhAMedQo0YuBo+ajNd9xyVOMvhOdVAeJYgOhBLQn8rca94',
};

const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

describe('RFC 6962 tree head signatures in signed notes (c2sp.org/static-ct-api, type 0x05)', () => {
  it('writes the verifier keys transparency-dev/formats writes for two public CT logs', () => {
    expect(formatVerifierKey('rome.ct.filippo.io/2024h1', b64(ROME_SPKI), 'rfc6962')).toBe(ROME_VKEY);
    expect(formatVerifierKey('ct.googleapis.com/logs/us1/argon2024', b64(ARGON_SPKI), 'rfc6962')).toBe(ARGON_VKEY);
    const key = parseVerifierKey(ROME_VKEY);
    expect(key).toMatchObject({ name: 'rome.ct.filippo.io/2024h1', keyId: 0x78f4abae, type: 'rfc6962' });
  });

  it('verifies a checkpoint a production static-ct-api log signed, and refuses it altered', () => {
    const key = parseVerifierKey(ROME_VKEY);
    const text = openNote(ROME_CHECKPOINT, key);
    expect(parseCheckpoint(text)).toMatchObject({ origin: 'rome.ct.filippo.io/2024h1', size: 115474666, extensions: [] });
    expect(() => openNote(ROME_CHECKPOINT.replace('115474666', '115474667'), key)).toThrow(expect.objectContaining({ code: 'bad-signature' }));
    expect(() => openNote(ROME_CHECKPOINT.replace('2q1K6', '3q1K6'), key)).toThrow(expect.objectContaining({ code: 'bad-signature' }));
    // Extension lines are outside what a tree head signature covers, so they are refused.
    const extended = ROME_CHECKPOINT.replace('xCw=\n\n', 'xCw=\nextra\n\n');
    expect(() => openNote(extended, key)).toThrow(expect.objectContaining({ code: 'bad-signature' }));
  });

  it('verifies an RFC 6962 get-sth answer turned into a checkpoint without the private key', () => {
    const key = parseVerifierKey(ARGON_VKEY);
    const id = Buffer.alloc(4);
    id.writeUInt32BE(key.keyId);
    const timestamp = Buffer.alloc(8);
    timestamp.writeBigUInt64BE(BigInt(ARGON_STH.timestamp));
    const signature = Buffer.concat([id, timestamp, Buffer.from(ARGON_STH.tree_head_signature, 'base64')]).toString('base64');
    const text = `${key.name}\n${ARGON_STH.tree_size}\n${ARGON_STH.sha256_root_hash}\n`;
    expect(openNote(`${text}\n— ${key.name} ${signature}\n`, key)).toBe(text);
  });

  it('signs checkpoints that verify here and with OpenSSL, stamped with the injected clock', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const signer = keyObjectNoteSigner('dcc.example.gov.cn/log', privateKey);
    expect(signer.type).toBe('rfc6962');
    const rootHash = new Uint8Array(32).fill(9);
    const text = formatCheckpoint({ origin: signer.name, size: 42, rootHash, extensions: [] });
    const at = new Date('2031-05-06T07:08:09.123Z');
    const note = await signNote(text, signer, () => at);
    const vkey = formatVerifierKey(signer.name, await signer.publicKey(), 'rfc6962');
    expect(openNote(note, parseVerifierKey(vkey))).toBe(text);

    const body = Buffer.from(parseNote(note).signatures[0]?.signature ?? []);
    expect(body.readBigUInt64BE(0)).toBe(BigInt(at.getTime()));
    expect([body[8], body[9]]).toEqual([4, 3]);
    const directory = await mkdtemp(join(tmpdir(), 'dcc-rfc6962-'));
    try {
      await writeFile(join(directory, 'key.pem'), createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }));
      await writeFile(join(directory, 'sig.der'), body.subarray(12));
      // The signed bytes rebuilt from the RFC 6962 layout, not from our helper's output.
      const input = Buffer.concat([Buffer.from([0, 1]), body.subarray(0, 8), Buffer.from('000000000000002a', 'hex'), rootHash]);
      expect(Buffer.from(treeHeadSignatureInput(BigInt(at.getTime()), { size: 42n, rootHash })).equals(input)).toBe(true);
      await writeFile(join(directory, 'sth.bin'), input);
      const out = await run('openssl', ['dgst', '-sha256', '-verify', join(directory, 'key.pem'), '-signature', join(directory, 'sig.der'), join(directory, 'sth.bin')]);
      expect(out.toString()).toContain('Verified OK');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('refuses to sign a checkpoint with extension lines, and keys that are not P-256', async () => {
    const signer = keyObjectNoteSigner('dcc.example.gov.cn/log', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    const text = formatCheckpoint({ origin: signer.name, size: 1, rootHash: new Uint8Array(32), extensions: ['ext'] });
    await expect(signNote(text, signer)).rejects.toThrow(NoteError);
    const p384 = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'der', type: 'spki' }));
    expect(() => formatVerifierKey('x.example/log', p384, 'rfc6962')).toThrow(NoteError);
    expect(() => keyObjectNoteSigner('x.example/log', generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey)).toThrow(TypeError);
  });

  it('keeps the two key types apart: an Ed25519 key never verifies an RFC 6962 signature line', async () => {
    const ed = keyObjectNoteSigner('dcc.example.gov.cn/log', generateKeyPairSync('ed25519').privateKey);
    const edKey = parseVerifierKey(formatVerifierKey(ed.name, await ed.publicKey()));
    expect(edKey.type).toBe('ed25519');
    expect(() => openNote(ROME_CHECKPOINT, { ...edKey, name: 'rome.ct.filippo.io/2024h1' })).toThrow(expect.objectContaining({ code: 'unknown-key' }));
  });
});
