import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatCheckpoint, parseCheckpoint } from '#shared/transparency/checkpoint.ts';
import {
  NoteError,
  formatVerifierKey,
  isValidKeyName,
  keyObjectNoteSigner,
  openNote,
  parseVerifierKey,
  signNote,
  signerFromNotePrivateKey,
} from '#shared/transparency/note.ts';

// Known answer from Go's golang.org/x/mod/sumdb/note tests.
const VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const SIGNATURE_LINE = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=';

describe('signed notes (Go sumdb/note known answer)', () => {
  it('signs the text to exactly the known signature line', async () => {
    const signer = signerFromNotePrivateKey(SKEY);
    const note = await signNote(TEXT, signer);
    expect(note).toBe(`${TEXT}\n${SIGNATURE_LINE}\n`);
    expect(formatVerifierKey(signer.name, await signer.publicKey())).toBe(VKEY);
  });

  it('verifies the known note and refuses it altered', () => {
    const key = parseVerifierKey(VKEY);
    expect(key.keyId).toBe(0xc74f20a3);
    const note = `${TEXT}\n${SIGNATURE_LINE}\n`;
    expect(openNote(note, key)).toBe(TEXT);
    expect(() => openNote(note.replace('answer', 'Answer'), key)).toThrow(expect.objectContaining({ code: 'bad-signature' }));
    expect(() => openNote(`${TEXT}\n`, key)).toThrow(NoteError);
  });

  it('ignores signatures by other keys but needs one by this key', async () => {
    const other = keyObjectNoteSigner('witness.example', generateKeyPairSync('ed25519').privateKey);
    const cosigned = `${TEXT}\n${SIGNATURE_LINE}\n${(await signNote(TEXT, other)).split('\n\n')[1]}`;
    expect(openNote(cosigned, parseVerifierKey(VKEY))).toBe(TEXT);
    const onlyOther = await signNote(TEXT, other);
    expect(() => openNote(onlyOther, parseVerifierKey(VKEY))).toThrow(expect.objectContaining({ code: 'unknown-key' }));
  });

  it('refuses malformed verifier keys', () => {
    expect(() => parseVerifierKey('PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toThrow(NoteError);
    expect(() => parseVerifierKey('Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toThrow(NoteError);
    expect(() => parseVerifierKey('PeterNeumann+c74f20a3+AhpcQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toThrow(NoteError);
  });
});

describe('key names', () => {
  // The rule as the patterns state it; the function answers printable ASCII without them.
  const byPattern = (name: string): boolean => name.length > 0 && !/[+\s]/u.test(name) && !/\p{C}/u.test(name);

  it('judges every character of the Basic Multilingual Plane as the patterns do, alone and in a name', () => {
    const disagreements: string[] = [];
    for (let unit = 0; unit <= 0xffff; unit++) {
      const c = String.fromCharCode(unit);
      for (const name of [c, `log${c}`, `${c}.example`, `日志${c}`]) {
        if (isValidKeyName(name) !== byPattern(name)) disagreements.push(`U+${unit.toString(16).padStart(4, '0')} in ${JSON.stringify(name)}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('accepts log origins and refuses the empty name, a plus, whitespace and controls', () => {
    for (const name of ['dcc.example.com/log', 'PeterNeumann', 'dcc-log-cn-north-1', '数据合规证书日志']) expect(isValidKeyName(name)).toBe(true);
    for (const name of ['', 'a+b', 'a b', 'a\tb', 'a\u007fb', 'a\u0085b', 'a\u200bb', 'a\u3000b', 'a\ud800b']) expect(isValidKeyName(name)).toBe(false);
  });
});

describe('checkpoints', () => {
  it('round-trip with and without extension lines', () => {
    const root = new Uint8Array(32).fill(7);
    const text = formatCheckpoint({ origin: 'dcc.example.gov.cn/log', size: 1234, rootHash: root, extensions: [] });
    expect(text).toBe(`dcc.example.gov.cn/log\n1234\n${Buffer.from(root).toString('base64')}\n`);
    expect(parseCheckpoint(text)).toEqual({ origin: 'dcc.example.gov.cn/log', size: 1234, rootHash: root, extensions: [] });
    const ext = formatCheckpoint({ origin: 'o', size: 0, rootHash: root, extensions: ['ext one'] });
    expect(parseCheckpoint(ext).extensions).toEqual(['ext one']);
  });

  it('refuses leading zeros, short roots and missing newlines', () => {
    const root = Buffer.from(new Uint8Array(32)).toString('base64');
    expect(() => parseCheckpoint(`o\n012\n${root}\n`)).toThrow(/leading zeros/);
    expect(() => parseCheckpoint(`o\n12\n${root.slice(4)}\n`)).toThrow(/32 bytes/);
    expect(() => parseCheckpoint(`o\n12\n${root}`)).toThrow(/newline/);
  });
});
