import { gunzipSync, gzipSync } from 'node:zlib';
import { CodedError } from './coded-error.ts';

/**
 * W3C Bitstring Status List v1.0 (Recommendation): the bitstring codec and the status list
 * credential payload. One bit per certificate (`statusSize` 1), purpose `revocation`.
 *
 * Layout (spec §2.2 and the "Bitstring Encoding" security consideration): index 0 is the
 * left-most bit of the bitstring, i.e. the most significant bit of the first byte; index
 * `length - 1` is the least significant bit of the last byte.
 */

/** Entries per status list: the spec's minimum, 16 KB of single-bit entries. */
export const STATUS_LIST_SIZE = 131_072;

/**
 * The largest uncompressed list the decoder accepts (16 MiB, 134 million entries). GZIP
 * compresses zeros about a thousandfold, so without a bound a few kilobytes of `encodedList`
 * could make a verifier allocate gigabytes.
 */
export const STATUS_LIST_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Error codes named after the spec's processing errors: `MALFORMED_VALUE_ERROR` (VC Data
 * Model 2.0), `STATUS_LIST_LENGTH_ERROR` (Bitstring Status List §3.5) and `RANGE_ERROR`.
 */
export type StatusListErrorCode = 'MALFORMED_VALUE_ERROR' | 'STATUS_LIST_LENGTH_ERROR' | 'RANGE_ERROR';

/** A status list (or an index into one) that does not conform; callers switch on `code`. */
export class StatusListError extends CodedError<StatusListErrorCode> {
  override readonly name = 'StatusListError';
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Encodes the revocation bitstring: bits at `revokedIndexes` set, all others clear, GZIP
 * (RFC 1952), base64url without padding, multibase prefix `u`. The output depends only on the
 * set of indexes, not on their order or repetitions.
 *
 * @param size number of entries; a multiple of 8, at least {@link STATUS_LIST_SIZE}.
 * @throws TypeError / RangeError on a non-integer or out-of-range index or size (programmer
 *   error: indexes come from the store's own allocator).
 */
export function encodeStatusList(revokedIndexes: Iterable<number>, size: number = STATUS_LIST_SIZE): string {
  if (!Number.isSafeInteger(size)) throw new TypeError(`status list size must be an integer, got ${size}`);
  if (size < STATUS_LIST_SIZE || size % 8 !== 0 || size / 8 > STATUS_LIST_MAX_BYTES) {
    throw new RangeError(
      `status list size must be a multiple of 8 between ${STATUS_LIST_SIZE} and ${STATUS_LIST_MAX_BYTES * 8}, got ${size}`,
    );
  }
  const bits = new Uint8Array(size / 8);
  for (const index of revokedIndexes) {
    if (!Number.isSafeInteger(index)) throw new TypeError(`status list index must be an integer, got ${index}`);
    if (index < 0 || index >= size) throw new RangeError(`status list index ${index} is outside 0..${size - 1}`);
    bits[index >> 3]! |= 0x80 >> (index & 7);
  }
  return `u${gzipSync(bits, { level: 9 }).toString('base64url')}`;
}

/**
 * Decodes an `encodedList` strictly: multibase prefix `u`, canonical unpadded base64url (no
 * padding, whitespace or non-zero trailing bits), a valid GZIP stream, and an uncompressed
 * length of at least 16 KB and at most {@link STATUS_LIST_MAX_BYTES}.
 *
 * @returns the uncompressed bitstring, index 0 in the most significant bit of byte 0.
 * @throws StatusListError `MALFORMED_VALUE_ERROR` or `STATUS_LIST_LENGTH_ERROR`.
 */
export function decodeStatusList(encoded: string): Uint8Array {
  if (typeof encoded !== 'string' || !encoded.startsWith('u')) {
    throw new StatusListError('MALFORMED_VALUE_ERROR', 'encodedList must be multibase base64url (prefix "u")');
  }
  const text = encoded.slice(1);
  if (text.length === 0 || !BASE64URL.test(text) || text.length % 4 === 1) {
    throw new StatusListError('MALFORMED_VALUE_ERROR', 'encodedList is not unpadded base64url');
  }
  const compressed = Buffer.from(text, 'base64url');
  // Node's decoder ignores non-zero trailing bits; a second spelling of the same bytes is refused.
  if (compressed.toString('base64url') !== text) {
    throw new StatusListError('MALFORMED_VALUE_ERROR', 'encodedList is not canonical base64url');
  }
  let bits: Buffer;
  try {
    bits = gunzipSync(compressed, { maxOutputLength: STATUS_LIST_MAX_BYTES });
  } catch (cause) {
    throw new StatusListError('MALFORMED_VALUE_ERROR', 'encodedList is not a GZIP stream within the size limit', {
      cause,
    });
  }
  if (bits.length * 8 < STATUS_LIST_SIZE) {
    throw new StatusListError(
      'STATUS_LIST_LENGTH_ERROR',
      `status list has ${bits.length * 8} entries, fewer than the minimum ${STATUS_LIST_SIZE}`,
    );
  }
  return new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength);
}

/**
 * Whether the bit at `index` is set (the certificate is revoked).
 *
 * @throws StatusListError `RANGE_ERROR` when `index` is not an integer inside the list.
 */
export function isRevoked(bits: Uint8Array, index: number): boolean {
  if (!Number.isSafeInteger(index) || index < 0 || index >= bits.length * 8) {
    throw new StatusListError('RANGE_ERROR', `status list index ${index} is outside 0..${bits.length * 8 - 1}`);
  }
  return (bits[index >> 3]! & (0x80 >> (index & 7))) !== 0;
}

/** The `credentialSubject` of a status list credential (spec §2.2). */
export interface BitstringStatusList {
  /** `<status list credential URL>#list`. */
  id: string;
  type: 'BitstringStatusList';
  statusPurpose: 'revocation';
  encodedList: string;
  /** Milliseconds a verifier may use the list before refreshing it; absent when not given. */
  ttl?: number;
}

/** The unsigned `BitstringStatusListCredential` (a VC Data Model 2.0 credential). */
export interface BitstringStatusListCredential {
  '@context': ['https://www.w3.org/ns/credentials/v2'];
  id: string;
  type: ['VerifiableCredential', 'BitstringStatusListCredential'];
  issuer: string;
  validFrom: string;
  validUntil?: string;
  credentialSubject: BitstringStatusList;
}

export interface StatusListCredentialInput {
  /** The URL of the list: the `statusListCredential` value certificates point at. */
  id: string;
  /** The issuer URL (the same authority that signs the certificates). */
  issuer: string;
  /** RFC 3339 date-time with an offset (XML Schema `dateTimeStamp`). */
  validFrom: string;
  validUntil?: string;
  /** Time to live in milliseconds; the HTTP `Cache-Control` max-age must not exceed it. */
  ttlMs?: number;
  /** An `encodedList` from {@link encodeStatusList}. */
  encodedList: string;
}

// VC 2.0 requires xsd:dateTimeStamp: a date-time with a mandatory offset.
const DATE_TIME_STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

function instant(name: string, value: string): number {
  const millis = DATE_TIME_STAMP.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(millis)) throw new TypeError(`${name} must be an RFC 3339 date-time with an offset, got ${value}`);
  return millis;
}

function absoluteUrl(name: string, value: string): URL {
  if (!URL.canParse(value)) throw new TypeError(`${name} must be an absolute URL, got ${value}`);
  return new URL(value);
}

/**
 * Builds the unsigned `BitstringStatusListCredential` for one list, exactly the properties the
 * Recommendation defines: `credentialSubject.id` is the list URL with fragment `#list`, and
 * `validUntil` / `ttl` appear only when given.
 *
 * @throws TypeError / RangeError on a malformed argument; StatusListError when `encodedList`
 *   does not decode to a conforming list (a non-conforming list must never be signed).
 */
export function buildStatusListCredential(input: StatusListCredentialInput): BitstringStatusListCredential {
  const url = absoluteUrl('id', input.id);
  if (url.hash !== '' || input.id.includes('#')) throw new TypeError(`id must not carry a fragment, got ${input.id}`);
  absoluteUrl('issuer', input.issuer);
  const from = instant('validFrom', input.validFrom);
  if (input.validUntil !== undefined && instant('validUntil', input.validUntil) <= from) {
    throw new RangeError('validUntil must be later than validFrom');
  }
  if (input.ttlMs !== undefined && !(Number.isSafeInteger(input.ttlMs) && input.ttlMs >= 0)) {
    throw new RangeError(`ttlMs must be a non-negative integer, got ${input.ttlMs}`);
  }
  decodeStatusList(input.encodedList);

  const credentialSubject: BitstringStatusList = {
    id: `${input.id}#list`,
    type: 'BitstringStatusList',
    statusPurpose: 'revocation',
    encodedList: input.encodedList,
  };
  if (input.ttlMs !== undefined) credentialSubject.ttl = input.ttlMs;
  const credential: BitstringStatusListCredential = {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    id: input.id,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: input.issuer,
    validFrom: input.validFrom,
    credentialSubject,
  };
  if (input.validUntil !== undefined) {
    // Insert before credentialSubject so the serialised order reads like the spec's examples.
    const { credentialSubject: subject, ...head } = credential;
    return { ...head, validUntil: input.validUntil, credentialSubject: subject };
  }
  return credential;
}
