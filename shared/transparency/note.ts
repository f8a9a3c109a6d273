import type { NoteSignatureType, NoteSigner } from './note-signer.ts';
import { createHash, createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { CodedError } from '../domain/coded-error.ts';

/**
 * C2SP `signed-note`: the text (ending in a newline), an empty line, then one line per signature,
 * `— <name> <base64(key id || signature)>`. Two signature types:
 *
 * - Ed25519 (type 0x01), as Go's `golang.org/x/mod/sumdb/note` writes it: pure Ed25519 over the
 *   text; key id = SHA-256(name || 0x0A || 0x01 || 32-byte public key)[:4].
 * - RFC 6962 `TreeHeadSignature` (type 0x05), as c2sp.org/static-ct-api defines it for checkpoints
 *   and certificate transparency logs sign them: ECDSA P-256 with SHA-256 over the RFC 6962 tree
 *   head (version 0, signature type 1, timestamp, tree size, root hash), carried as
 *   `uint64 timestamp || DigitallySigned`; key id = SHA-256(name || 0x0A || 0x05 || LogID)[:4],
 *   LogID = SHA-256(DER SubjectPublicKeyInfo). Its verifier key is `<name>+<hex8>+base64(0x05 ||
 *   SPKI)`, as transparency-dev/formats writes it. The signature covers neither the origin line
 *   nor extension lines, so such a checkpoint has none, and the origin is bound by the key name.
 */

export type { NoteSignatureType, NoteSigner };

/** Signature algorithm byte of Ed25519 in signed notes. */
export const ED25519_ALGORITHM = 0x01;
/** Signature algorithm byte of RFC 6962 tree head signatures in signed notes (c2sp.org/static-ct-api). */
export const RFC6962_ALGORITHM = 0x05;
/** The em dash and space that start every signature line. */
const SIGNATURE_PREFIX = '\u2014 ';
/** TLS `HashAlgorithm.sha256` and `SignatureAlgorithm.ecdsa` (RFC 5246) of a `DigitallySigned`. */
const TLS_SHA256 = 4;
const TLS_ECDSA = 3;

/** A note refused; `code` says why. */
export class NoteError extends CodedError<'malformed-note' | 'malformed-key' | 'unknown-key' | 'bad-signature'> {
  override readonly name = 'NoteError';
}

/** A parsed verifier key. */
export interface NoteVerifierKey {
  name: string;
  /** Key id as an unsigned 32-bit number. */
  keyId: number;
  /** Which signatures the key makes. */
  type: NoteSignatureType;
  /** Ed25519: the raw 32-byte key. RFC 6962: the DER SubjectPublicKeyInfo of the P-256 key. */
  publicKey: Uint8Array;
}

const ALGORITHM_BYTE: Record<NoteSignatureType, number> = { ed25519: ED25519_ALGORITHM, rfc6962: RFC6962_ALGORITHM };

/**
 * A name that can stand in a note key and a signature line: non-empty, no `+`, no whitespace, no
 * control, format, private-use or unassigned character. A name of printable ASCII, which every
 * function's configuration checks at its cold start, is judged by its character codes: the first
 * use of the Unicode-property pattern costs about two million instructions to build it.
 */
export function isValidKeyName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const unit = name.charCodeAt(i);
    // Beyond ASCII, the patterns judge the whole name.
    if (unit >= 0x80) return !/[+\s]/u.test(name) && !/\p{C}/u.test(name);
    // Printable ASCII is U+0021 to U+007E; the space, the controls and DEL are outside it.
    if (unit <= 0x20 || unit === 0x7f || unit === 0x2b /* + */) return false;
  }
  return true;
}

function assertName(name: string): void {
  if (!isValidKeyName(name)) throw new NoteError('malformed-key', `Key name ${JSON.stringify(name)} is empty or has '+' or whitespace.`);
}

/**
 * The 4-byte key id of a note key, as an unsigned number: over the raw key for Ed25519, over the
 * RFC 6962 LogID (SHA-256 of the SPKI) for tree head signatures.
 */
export function noteKeyId(name: string, publicKey: Uint8Array, type: NoteSignatureType = 'ed25519'): number {
  assertName(name);
  const keyMaterial = type === 'rfc6962' ? createHash('sha256').update(publicKey).digest() : publicKey;
  const digest = createHash('sha256')
    .update(Buffer.from(name, 'utf8'))
    .update(Uint8Array.of(0x0a, ALGORITHM_BYTE[type]))
    .update(keyMaterial)
    .digest();
  return digest.readUInt32BE(0);
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

/**
 * The verifier key string `<name>+<hex8 key id>+<base64(type byte || public key)>`: 0x01 and the
 * raw Ed25519 key, or 0x05 and the DER SubjectPublicKeyInfo of a P-256 key.
 */
export function formatVerifierKey(name: string, publicKey: Uint8Array, type: NoteSignatureType = 'ed25519'): string {
  if (type === 'ed25519' && publicKey.length !== 32) throw new NoteError('malformed-key', 'An Ed25519 public key has 32 bytes.');
  if (type === 'rfc6962') p256PublicKey(publicKey);
  const encoded = Buffer.concat([Uint8Array.of(ALGORITHM_BYTE[type]), publicKey]).toString('base64');
  return `${name}+${hex8(noteKeyId(name, publicKey, type))}+${encoded}`;
}

/** A Node public KeyObject from the DER SPKI of a P-256 key; refuses any other key. */
export function p256PublicKey(spki: Uint8Array): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    throw new NoteError('malformed-key', 'The key is not a DER SubjectPublicKeyInfo.');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new NoteError('malformed-key', 'An RFC 6962 note key here is an ECDSA P-256 key.');
  }
  // Re-encoding must give the same bytes: the key id hashes this exact encoding.
  if (!Buffer.from(key.export({ format: 'der', type: 'spki' })).equals(Buffer.from(spki))) {
    throw new NoteError('malformed-key', 'The key is not in the canonical uncompressed SPKI encoding.');
  }
  return key;
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
  let type: NoteSignatureType;
  if (raw !== null && raw.length === 33 && raw[0] === ED25519_ALGORITHM) {
    type = 'ed25519';
  } else if (raw !== null && raw.length > 1 && raw[0] === RFC6962_ALGORITHM) {
    type = 'rfc6962';
    p256PublicKey(raw.subarray(1));
  } else {
    throw new NoteError('malformed-key', 'The key is not base64 of 0x01 and a 32-byte Ed25519 key, nor of 0x05 and a P-256 SPKI.');
  }
  const publicKey = raw.subarray(1);
  const keyId = Number.parseInt(id, 16);
  if (noteKeyId(name, publicKey, type) !== keyId) throw new NoteError('malformed-key', 'The key id does not match the key.');
  return { name, keyId, type, publicKey };
}

/** Standard base64 that re-encodes to itself (no whitespace, no stray characters), else null. */
export function strictBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : null;
}

/**
 * Signs `text` (which must end in a newline) and returns the whole note. An RFC 6962 signer signs
 * the tree head of `text`, which must then be a checkpoint with no extension lines, stamped with
 * `now` (milliseconds since the epoch, as RFC 6962 counts).
 */
export async function signNote(text: string, signer: NoteSigner, now: () => Date = () => new Date()): Promise<string> {
  assertText(text);
  const publicKey = await signer.publicKey();
  const id = Buffer.alloc(4);
  id.writeUInt32BE(noteKeyId(signer.name, publicKey, signer.type));
  let body: Uint8Array;
  if (signer.type === 'rfc6962') {
    const timestamp = BigInt(now().getTime());
    const der = await signer.sign(treeHeadSignatureInput(timestamp, treeHeadOf(text)));
    if (der.length < 8 || der.length > 72 || der[0] !== 0x30) throw new NoteError('bad-signature', 'The signer returned no DER ECDSA signature.');
    body = rfc6962NoteSignature(timestamp, der);
  } else {
    body = await signer.sign(Buffer.from(text, 'utf8'));
    if (body.length !== 64) throw new NoteError('bad-signature', `The signer returned ${body.length} bytes, not 64.`);
  }
  return `${text}\n${SIGNATURE_PREFIX}${signer.name} ${Buffer.concat([id, body]).toString('base64')}\n`;
}

/** Tree size and root hash of a checkpoint text with exactly its three lines (what a tree head signature covers). */
function treeHeadOf(text: string): { size: bigint; rootHash: Uint8Array } {
  const lines = text.split('\n');
  if (lines.length !== 4 || lines[3] !== '' || (lines[0] ?? '') === '') {
    throw new NoteError('malformed-note', 'An RFC 6962 signed note is a checkpoint of exactly an origin, a size and a root hash.');
  }
  const [, sizeText, rootText] = lines as [string, string, string];
  if (!/^(0|[1-9][0-9]{0,19})$/.test(sizeText) || BigInt(sizeText) >= 2n ** 64n) {
    throw new NoteError('malformed-note', 'The tree size is not a 64-bit decimal.');
  }
  const rootHash = strictBase64(rootText);
  if (rootHash === null || rootHash.length !== 32) throw new NoteError('malformed-note', 'The root hash is not base64 of 32 bytes.');
  return { size: BigInt(sizeText), rootHash };
}

/**
 * The bytes an RFC 6962 tree head signature signs: `Version v1 (0) || SignatureType tree_hash (1)
 * || uint64 timestamp || uint64 tree_size || root_hash[32]` (RFC 6962, section 3.5).
 */
export function treeHeadSignatureInput(timestamp: bigint, head: { size: bigint; rootHash: Uint8Array }): Uint8Array {
  const out = Buffer.alloc(2 + 8 + 8 + 32);
  out[0] = 0;
  out[1] = 1;
  out.writeBigUInt64BE(timestamp, 2);
  out.writeBigUInt64BE(head.size, 10);
  Buffer.from(head.rootHash).copy(out, 18);
  return new Uint8Array(out);
}

/** `uint64 timestamp || DigitallySigned(sha256, ecdsa, opaque<0..2^16-1>)`. */
function rfc6962NoteSignature(timestamp: bigint, der: Uint8Array): Uint8Array {
  const out = Buffer.alloc(8 + 4 + der.length);
  out.writeBigUInt64BE(timestamp, 0);
  out[8] = TLS_SHA256;
  out[9] = TLS_ECDSA;
  out.writeUInt16BE(der.length, 10);
  Buffer.from(der).copy(out, 12);
  return new Uint8Array(out);
}

/** Checks one RFC 6962 note signature body against the note text. */
function verifyRfc6962(text: string, body: Uint8Array, key: KeyObject): boolean {
  if (body.length < 12) return false;
  const b = Buffer.from(body);
  const timestamp = b.readBigUInt64BE(0);
  if (b[8] !== TLS_SHA256 || b[9] !== TLS_ECDSA || b.readUInt16BE(10) !== b.length - 12) return false;
  let head: { size: bigint; rootHash: Uint8Array };
  try {
    head = treeHeadOf(text);
  } catch {
    return false;
  }
  return nodeVerify('sha256', treeHeadSignatureInput(timestamp, head), key, b.subarray(12));
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
  const verifies =
    key.type === 'rfc6962'
      ? ((k: KeyObject) => (s: NoteSignature) => verifyRfc6962(text, s.signature, k))(p256PublicKey(key.publicKey))
      : ((k: KeyObject) => (s: NoteSignature) => s.signature.length === 64 && nodeVerify(null, Buffer.from(text, 'utf8'), k, s.signature))(
          ed25519PublicKey(key.publicKey),
        );
  for (const s of mine) {
    if (!verifies(s)) throw new NoteError('bad-signature', `The signature by ${key.name} does not verify.`);
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

/**
 * An in-process signer over a private KeyObject (local mode and tests): an Ed25519 key makes
 * Ed25519 note signatures, a P-256 key RFC 6962 tree head signatures.
 */
export function keyObjectNoteSigner(name: string, privateKey: KeyObject): NoteSigner {
  assertName(name);
  if (privateKey.asymmetricKeyType === 'ec' && privateKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    const spki = new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }));
    return {
      name,
      type: 'rfc6962',
      publicKey: async () => spki,
      sign: async (message) => new Uint8Array(nodeSign('sha256', message, privateKey)),
    };
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new TypeError('The log key must be an Ed25519 or a P-256 key.');
  const publicKey = rawPublicKeyOf(privateKey);
  return {
    name,
    type: 'ed25519',
    publicKey: async () => publicKey,
    sign: async (message) => new Uint8Array(nodeSign(null, message, privateKey)),
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
