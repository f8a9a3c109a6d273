import { decodeBase64urlStrict, encodeBase64url } from './base64url.ts';
import { CryptoError } from './errors.ts';
import { parseJsonStrict } from './strict-json.ts';

/** Largest token the strict parser reads; a certificate is a few kilobytes. */
export const MAX_COMPACT_JWS_LENGTH = 256 * 1024;

/**
 * A compact JWS split and decoded, before any signature check. The byte arrays may be views on
 * Node's shared buffer pool: read them, never transfer or write them.
 */
export interface ParsedCompactJws {
  /**
   * The protected header, a JSON object; nothing in it is trusted yet. Read it, never change it:
   * a header seen lately is handed out again, frozen (see {@link parseCompactJwsStrict}).
   */
  header: Readonly<Record<string, unknown>>;
  /** The decoded payload bytes. */
  payload: Uint8Array;
  /** The decoded signature bytes. */
  signature: Uint8Array;
  /** ASCII bytes of `base64url(header) "." base64url(payload)`, what the signature covers. */
  signingInput: Uint8Array;
}

const ascii = new TextEncoder();

/**
 * The bytes of a text known to be ASCII (here: two canonical base64url parts and a dot), copied
 * by Node's one-byte-per-character encoder, about twice as fast as a TextEncoder on a template.
 */
function asciiBytes(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'latin1');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Parses a JWS Compact Serialization (RFC 7515 §7.1) strictly: exactly three non-empty parts,
 * each the canonical unpadded base64url of its bytes (no `=`, whitespace or stray characters,
 * zero unused bits), and a protected header that is a JSON object without duplicate members.
 * Libraries tolerate some of these deviations; we refuse them so that one certificate has
 * exactly one textual form.
 *
 * @throws {CryptoError} `jws-not-compact`, `jws-empty-part`, `jws-base64url-invalid`,
 *   `jws-base64url-non-canonical` or `jws-header-invalid`.
 */
export function parseCompactJwsStrict(token: string): ParsedCompactJws {
  if (typeof token !== 'string') throw new CryptoError('jws-not-compact', 'token is not a string');
  if (token.length > MAX_COMPACT_JWS_LENGTH) {
    throw new CryptoError('jws-not-compact', `token is longer than ${MAX_COMPACT_JWS_LENGTH} characters`);
  }
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0 || token.indexOf('.', second + 1) >= 0) {
    throw new CryptoError('jws-not-compact', `expected 3 dot-separated parts, found ${token.split('.').length}`);
  }
  const encodedHeader = token.slice(0, first);
  const encodedPayload = token.slice(first + 1, second);
  const encodedSignature = token.slice(second + 1);
  // An empty payload would be a detached-payload JWS (RFC 7515 Appendix F): never ours.
  if (encodedHeader.length === 0) throw new CryptoError('jws-empty-part', 'the header part is empty');
  if (encodedPayload.length === 0) throw new CryptoError('jws-empty-part', 'the payload part is empty');
  if (encodedSignature.length === 0) throw new CryptoError('jws-empty-part', 'the signature part is empty');
  // A header seen lately passed every rule below already: its decode and parse are skipped, and
  // since it cannot fail, the refusal of a later part is the one a fresh parse reports.
  const known = recentHeaders.get(encodedHeader);
  const headerBytes = known === undefined ? decodeBase64urlStrict(encodedHeader, 'the header part') : undefined;
  const payload = decodeBase64urlStrict(encodedPayload, 'the payload part');
  const signature = decodeBase64urlStrict(encodedSignature, 'the signature part');
  return {
    header: known ?? parseHeader(encodedHeader, headerBytes as Uint8Array),
    payload,
    signature,
    signingInput: asciiBytes(token.slice(0, second)),
  };
}

/**
 * Protected headers parsed lately, by their exact base64url text. The tokens of a batch, and a
 * warm service's, share one header, and its parse is a pure function of that text; a header
 * whose members are all strings (every header of ours) is kept frozen, so that the object handed
 * out again equals what a fresh parse gives and no caller can change it. A few short entries,
 * the oldest replaced first: a stream of distinct headers costs a map operation each, no more.
 */
const recentHeaders = new Map<string, Readonly<Record<string, unknown>>>();
const RECENT_HEADERS = 8;
const MAX_REMEMBERED_HEADER_LENGTH = 512;

/** The header part decoded and parsed as a JSON object, remembered when it qualifies. @throws {CryptoError} */
function parseHeader(encoded: string, bytes: Uint8Array): Readonly<Record<string, unknown>> {
  let header: unknown;
  try {
    header = parseJsonStrict(bytes, 'the protected header');
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : 'the protected header is not JSON';
    throw new CryptoError('jws-header-invalid', message, { cause });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new CryptoError('jws-header-invalid', 'the protected header is not a JSON object');
  }
  const members = header as Record<string, unknown>;
  if (encoded.length <= MAX_REMEMBERED_HEADER_LENGTH && Object.values(members).every((value) => typeof value === 'string')) {
    if (recentHeaders.size >= RECENT_HEADERS) recentHeaders.delete(recentHeaders.keys().next().value as string);
    recentHeaders.set(encoded, Object.freeze(members));
  }
  return members;
}

/**
 * Assembles a compact JWS from a header object, payload bytes and a signature produced over
 * {@link signingInputOf}. Used for external signers (KMS), which jose's `CompactSign` cannot
 * call: it only signs with a key it holds.
 */
export function signingInputOf(header: object, payload: Uint8Array): string {
  return `${encodeProtectedHeader(header)}.${encodeBase64url(payload)}`;
}

/** The first part of a compact JWS: the base64url of the protected header's JSON, members in their order. */
export function encodeProtectedHeader(header: object): string {
  return encodeBase64url(ascii.encode(JSON.stringify(header)));
}

/** Appends the base64url signature to a signing input made by {@link signingInputOf}. */
export function compactJws(signingInput: string, signature: Uint8Array): string {
  return `${signingInput}.${encodeBase64url(signature)}`;
}
