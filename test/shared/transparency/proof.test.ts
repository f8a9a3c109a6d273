import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatCheckpoint } from '#shared/transparency/checkpoint.ts';
import { type LogEntry, decodeEntry, encodeEntry, entryFromEvent } from '#shared/transparency/entry.ts';
import { arrayHasher, inclusionProof, leafHash, rootFromLeafHashes } from '#shared/transparency/merkle.ts';
import { formatVerifierKey, keyObjectNoteSigner, parseVerifierKey, signNote } from '#shared/transparency/note.ts';
import { formatProof, parseProof, verifyProof } from '#shared/transparency/proof.ts';

const ORIGIN = 'dcc.example.test/log';

function entry(i: number): LogEntry {
  return entryFromEvent({
    certificateId: `0190d5f2-0000-7000-8000-${String(i).padStart(12, '0')}`,
    type: i % 3 === 2 ? 'revoked' : 'issued',
    at: '2026-11-27T10:00:00.000Z',
    actor: 'someone',
    detail: i % 3 === 2 ? { reason: 'data-breach', comment: 'x' } : { transactionRef: 'T', supersedes: null },
    certificateNo: '12345678901234567890',
    statusListId: '0',
    statusListIndex: i,
    tokenSha256: 'ab'.repeat(32),
  });
}

async function fixture(size: number) {
  const signer = keyObjectNoteSigner(ORIGIN, generateKeyPairSync('ed25519').privateKey);
  const entries = Array.from({ length: size }, (_, i) => encodeEntry(entry(i)));
  const leaves = entries.map(leafHash);
  const checkpoint = await signNote(formatCheckpoint({ origin: ORIGIN, size, rootHash: rootFromLeafHashes(leaves), extensions: [] }), signer);
  const key = parseVerifierKey(formatVerifierKey(ORIGIN, await signer.publicKey()));
  const proofFor = async (i: number) =>
    formatProof({ extra: entries[i] as Uint8Array, index: i, hashes: await inclusionProof(i, size, arrayHasher(leaves)), checkpoint });
  return { key, proofFor, checkpoint };
}

describe('log entries', () => {
  it('are canonical JSON with hashes and identifiers only', () => {
    const text = Buffer.from(encodeEntry(entry(2))).toString();
    expect(text).toBe(
      '{"at":"2026-11-27T10:00:00.000Z","certificateNo":"12345678901234567890","event":"revoked","id":"0190d5f2-0000-7000-8000-000000000002","reason":"data-breach","statusListIndex":2,"tokenSha256":"' +
        'ab'.repeat(32) +
        '","v":1}',
    );
    expect(decodeEntry(encodeEntry(entry(0)))).toEqual(entry(0));
    expect(() => decodeEntry(new Uint8Array(Buffer.from(JSON.stringify(entry(0)))))).toThrow(/canonical/);
  });
});

describe('tlog-proof documents', () => {
  it('round-trip and verify offline', async () => {
    const { key, proofFor, checkpoint } = await fixture(11);
    const text = await proofFor(7);
    expect(text.startsWith('c2sp.org/tlog-proof@v1\nextra ')).toBe(true);
    expect(text.endsWith(checkpoint)).toBe(true);
    const parsed = parseProof(text);
    expect(parsed.index).toBe(7);
    expect(formatProof(parsed)).toBe(text);
    const verified = verifyProof(text, key);
    expect(verified.entry.statusListIndex).toBe(7);
    expect(verified.checkpoint.size).toBe(11);
  });

  it('refuses a proof whose entry, index, hash or checkpoint was altered', async () => {
    const { key, proofFor } = await fixture(11);
    const text = await proofFor(7);
    const lines = text.split('\n');
    const otherEntry = Buffer.from(encodeEntry(entry(8))).toString('base64');
    expect(() => verifyProof(text.replace(lines[1] as string, `extra ${otherEntry}`), key)).toThrow(expect.objectContaining({ code: 'root-mismatch' }));
    expect(() => verifyProof(text.replace('index 7', 'index 6'), key)).toThrow(expect.objectContaining({ code: 'root-mismatch' }));
    const flipped = Buffer.from(lines[3] as string, 'base64');
    flipped[0] = (flipped[0] as number) ^ 1;
    expect(() => verifyProof(text.replace(lines[3] as string, flipped.toString('base64')), key)).toThrow(expect.objectContaining({ code: 'root-mismatch' }));
    expect(() => verifyProof(text.replace(`${ORIGIN}\n11\n`, `${ORIGIN}\n12\n`), key)).toThrow(expect.objectContaining({ code: 'bad-signature' }));
    const stranger = parseVerifierKey(formatVerifierKey(ORIGIN, new Uint8Array(await keyObjectNoteSigner(ORIGIN, generateKeyPairSync('ed25519').privateKey).publicKey())));
    expect(() => verifyProof(text, stranger)).toThrow(expect.objectContaining({ code: 'unknown-key' }));
  });
});
