import type { NoteSigner } from './note-signer.ts';
import { createHash, createPrivateKey, createPublicKey, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { CodedError } from '../domain/coded-error.ts';

/**
 * C2SP `signed-note` with Ed25519 (signature type 0x01), as Go's `golang.org/x/mod/sumdb/note`
 * writes it: the text (ending in a newline), an empty line, then one line per signature,
 * `— <name> <base64(key id || signature)>`. The key id is the first four bytes of
 * SHA-256(name || 0x0A || 0x01 || public key).
 */

export type { NoteSigner };

/** Signature algorithm byte of Ed25519 in signed notes. */
export const ED25519_ALGORITHM = 0x01;
/** The em dash and space that start every signature line. */
const SIGNATURE_PREFIX = '\u2014 ';

/** A note refused; `code` says why. */
export class NoteError extends CodedError<'malformed-note' | 'malformed-key' | 'unknown-key' | 'bad-signature'> {
  override readonly name = 'NoteError';
}

/** A parsed verifier key. */
export interface NoteVerifierKey {
  name: string;
  /** Key id as an unsigned 32-bit number. */
  keyId: number;
  publicKey: Uint8Array;
}

/** A name that can stand in a note key and a signature line: non-empty, no `+`, no whitespace. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[+\s]/u.test(name) && !/\p{C}/u.test(name);
}

function assertName(name: string): void {
  if (!isValidKeyName(name)) throw new NoteError('malformed-key', `Key name ${JSON.stringify(name)} is empty or has '+' or whitespace.`);
}

/** The 4-byte key id of an Ed25519 note key, as an unsigned number. */
export function noteKeyId(name: string, publicKey: Uint8Array): number {
  assertName(name);
  const digest = createHash('sha256')
    .update(Buffer.from(name, 'utf8'))
    .update(Uint8Array.of(0x0a, ED25519_ALGORITHM))
    .update(publicKey)
    .digest();
  return digest.readUInt32BE(0);
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

/** The verifier key string `<name>+<hex8 key id>+<base64(0x01 || public key)>`. */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new NoteError('malformed-key', 'An Ed25519 public key has 32 bytes.');
  const encoded = Buffer.concat([Uint8Array.of(ED25519_ALGORITHM), publicKey]).toString('base64');
  return `${name}+${hex8(noteKeyId(name, publicKey))}+${encoded}`;
}

/** Parses a verifier key string; checks that the key id matches the key. */
export function parseVerifierKey(vkey: string): NoteVerifierKey {
  // base64 may itself contain '+': the key is everything after the second one.
  const all = vkey.trim().split('+');
  const parts = all.length >= 3 ? [all[0], all[1], all.slice(2).join('+')] : all;
  if (parts.length !== 3) throw new NoteError('malformed-key', 'A verifier key is <name>+<hex8>+<base64 key>.');
  const [name, id, key] = parts as [string, string, string];
  assertName(name);
  if (!/^[0-9a-f]{8}$/.test(id)) throw new NoteError('malformed-key', 'The key id is not 8 lowercase hex digits.');
  const raw = strictBase64(key);
  if (raw === null || raw.length !== 33 || raw[0] !== ED25519_ALGORITHM) {
    throw new NoteError('malformed-key', 'The key is not base64 of 0x01 followed by a 32-byte Ed25519 key.');
  }
  const publicKey = raw.subarray(1);
  const keyId = Number.parseInt(id, 16);
  if (noteKeyId(name, publicKey) !== keyId) throw new NoteError('malformed-key', 'The key id does not match the key.');
  return { name, keyId, publicKey };
}

/** Standard base64 that re-encodes to itself (no whitespace, no stray characters), else null. */
export function strictBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : null;
}

/** Signs `text` (which must end in a newline) and returns the whole note. */
export async function signNote(text: string, signer: NoteSigner): Promise<string> {
  assertText(text);
  const publicKey = await signer.publicKey();
  const id = Buffer.alloc(4);
  id.writeUInt32BE(noteKeyId(signer.name, publicKey));
  const signature = await signer.sign(Buffer.from(text, 'utf8'));
  if (signature.length !== 64) throw new NoteError('bad-signature', `The signer returned ${signature.length} bytes, not 64.`);
  return `${text}\n${SIGNATURE_PREFIX}${signer.name} ${Buffer.concat([id, signature]).toString('base64')}\n`;
}

function assertText(text: string): void {
  if (!text.endsWith('\n')) throw new NoteError('malformed-note', 'A note text ends with a newline.');
  if (text.includes('\r')) throw new NoteError('malformed-note', 'A note has no carriage returns.');
}

/** One signature line of a note. */
export interface NoteSignature {
  name: string;
  keyId: number;
  signature: Uint8Array;
}

/** Splits a signed note into its text and signature lines, without verifying anything. */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  if (note.includes('\r')) throw new NoteError('malformed-note', 'A note has no carriage returns.');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new NoteError('malformed-note', 'A signed note is text, an empty line and signature lines.');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  const signatures = lines.map((line): NoteSignature => {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw new NoteError('malformed-note', 'A signature line starts with "— ".');
    const rest = line.slice(SIGNATURE_PREFIX.length).split(' ');
    if (rest.length !== 2) throw new NoteError('malformed-note', 'A signature line is "— <name> <base64>".');
    const [name, b64] = rest as [string, string];
    const raw = strictBase64(b64);
    if (!isValidKeyName(name) || raw === null || raw.length < 5) throw new NoteError('malformed-note', 'A signature line is malformed.');
    return { name, keyId: Buffer.from(raw).readUInt32BE(0), signature: raw.subarray(4) };
  });
  return { text, signatures };
}

/**
 * Verifies a signed note with one known key and returns its text. Signatures by other keys are
 * ignored (witness cosignatures, say); at least one signature must be by this key and every
 * signature by this key must verify.
 */
export function openNote(note: string, key: NoteVerifierKey): string {
  const { text, signatures } = parseNote(note);
  const mine = signatures.filter((s) => s.name === key.name && s.keyId === key.keyId);
  if (mine.length === 0) throw new NoteError('unknown-key', `The note has no signature by ${key.name}+${hex8(key.keyId)}.`);
  const publicKey = ed25519PublicKey(key.publicKey);
  for (const s of mine) {
    if (s.signature.length !== 64 || !edVerify(null, Buffer.from(text, 'utf8'), publicKey, s.signature)) {
      throw new NoteError('bad-signature', `The signature by ${key.name} does not verify.`);
    }
  }
  return text;
}

const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

/** A Node public KeyObject from a raw 32-byte Ed25519 key. */
export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(raw) }, format: 'jwk' });
}

/** The raw 32-byte public key of an Ed25519 private KeyObject. */
export function rawPublicKeyOf(privateKey: KeyObject): Uint8Array {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.x as string, 'base64url'));
}

/** An in-process signer over an Ed25519 private KeyObject (local mode and tests). */
export function keyObjectNoteSigner(name: string, privateKey: KeyObject): NoteSigner {
  assertName(name);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new TypeError('The log key must be an Ed25519 key.');
  const publicKey = rawPublicKeyOf(privateKey);
  return {
    name,
    publicKey: async () => publicKey,
    sign: async (message) => new Uint8Array(edSign(null, message, privateKey)),
  };
}

/**
 * Parses a Go `sumdb/note` private key string `PRIVATE+KEY+<name>+<hex8>+<base64(0x01 || seed)>`
 * into a signer (used to check the known answer and by tools that hold such a key).
 */
export function signerFromNotePrivateKey(skey: string): NoteSigner {
  const all = skey.split('+');
  const parts = all.length >= 5 ? [...all.slice(0, 4), all.slice(4).join('+')] : all;
  if (parts.length !== 5 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') {
    throw new NoteError('malformed-key', 'A private key is PRIVATE+KEY+<name>+<hex8>+<base64 key>.');
  }
  const [, , name, id, key] = parts as [string, string, string, string, string];
  const raw = strictBase64(key);
  if (raw === null || raw.length !== 33 || raw[0] !== ED25519_ALGORITHM) throw new NoteError('malformed-key', 'Not an Ed25519 seed.');
  const privateKey = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), raw.subarray(1)]),
    format: 'der',
    type: 'pkcs8',
  });
  const signer = keyObjectNoteSigner(name, privateKey);
  if (hex8(noteKeyId(name, rawPublicKeyOf(privateKey))) !== id) throw new NoteError('malformed-key', 'The key id does not match the key.');
  return signer;
}
