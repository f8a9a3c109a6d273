import { canonicalJson } from '../domain/canonical-json.ts';
import { CodedError } from '../domain/coded-error.ts';
import { isSha256Hex } from '../domain/digest.ts';
import type { AuditEvent } from '../domain/records.ts';

/**
 * A transparency log entry: hashes and identifiers only, no party names, no amounts. The entry's
 * bytes are the RFC 8785 canonical JSON of this object, so anyone can rebuild them from the
 * fields and the same fields always give the same leaf.
 */
export interface LogEntry {
  v: 1;
  event: AuditEvent['type'];
  /** The certificate id. */
  id: string;
  certificateNo: string;
  /** SHA-256 (lowercase hex) of the compact JWS: `tokenSha256` of `crypto/token-digest.ts`. */
  tokenSha256: string;
  /** RFC 3339 time of the change. */
  at: string;
  statusListIndex: number;
  /** Revocation reason, on `revoked` and `superseded` entries. */
  reason?: string;
}

/**
 * The longest entry, in bytes, the integrator accepts. A v1 entry is a few hundred bytes; the cap
 * keeps a full entry bundle (256 entries of 2 + at most 1024 bytes) far below the 400 KB item
 * limit of the table that stores it, where the C2SP format alone would allow 65535 bytes.
 */
export const MAX_LOGGED_ENTRY_BYTES = 1024;

/** The entry for one audit event. */
export function entryFromEvent(e: AuditEvent): LogEntry {
  const entry: LogEntry = {
    v: 1,
    event: e.type,
    id: e.certificateId,
    certificateNo: e.certificateNo,
    tokenSha256: e.tokenSha256,
    at: e.at,
    statusListIndex: e.statusListIndex,
  };
  if (e.type === 'revoked' || e.type === 'superseded') entry.reason = e.detail['reason'] ?? (e.type === 'superseded' ? 'superseded' : 'unspecified');
  return entry;
}

/** The bytes that are logged: canonical JSON, UTF-8. */
export function encodeEntry(entry: LogEntry): Uint8Array {
  return new Uint8Array(Buffer.from(canonicalJson(entry), 'utf8'));
}

/** Entry refused by {@link decodeEntry}. */
export class EntryError extends CodedError<'malformed-entry'> {
  override readonly name = 'EntryError';
  constructor(message: string) {
    super('malformed-entry', message);
  }
}

const EVENTS = new Set(['issued', 'revoked', 'superseded']);

/**
 * Parses logged bytes and checks they are the canonical encoding of a well-formed entry (a log
 * that stored any other spelling of the same fields would be caught here).
 */
export function decodeEntry(bytes: Uint8Array): LogEntry {
  let value: unknown;
  const text = Buffer.from(bytes).toString('utf8');
  try {
    value = JSON.parse(text);
  } catch {
    throw new EntryError('The entry is not JSON.');
  }
  const o = value as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new EntryError('The entry is not an object.');
  const ok =
    o['v'] === 1 &&
    typeof o['event'] === 'string' &&
    EVENTS.has(o['event']) &&
    typeof o['id'] === 'string' &&
    typeof o['certificateNo'] === 'string' &&
    typeof o['tokenSha256'] === 'string' &&
    isSha256Hex(o['tokenSha256']) &&
    typeof o['at'] === 'string' &&
    Number.isSafeInteger(o['statusListIndex']) &&
    (o['reason'] === undefined || typeof o['reason'] === 'string') &&
    Object.keys(o).every((k) => ['v', 'event', 'id', 'certificateNo', 'tokenSha256', 'at', 'statusListIndex', 'reason'].includes(k));
  if (!ok) throw new EntryError('The entry does not have the fields of a v1 entry.');
  if (canonicalJson(o) !== text) throw new EntryError('The entry is not in canonical JSON.');
  return o as unknown as LogEntry;
}
