import { decodeBase64urlStrict, transformBytes } from '../crypto/portable-bytes.ts';
import { type Check, type VerifierJwk, verifyCompactJws } from '../crypto/webcrypto-jws.ts';

/**
 * Checks a certificate's revocation bit the way an auditor must: fetch the status list
 * credential the certificate names, verify ITS signature against the same published keys, and
 * read the bit (W3C Bitstring Status List: GZIP, multibase base64url, index 0 = most
 * significant bit of byte 0). It runs on WebCrypto and `DecompressionStream` and imports
 * nothing from `node:`, so both verifiers use it: the page in `web/` (bundled for browsers)
 * and the `dcc` command line. The service's own codec, `status-list.ts`, needs `node:zlib`.
 */

// The bounds of the service's codec (STATUS_LIST_SIZE, STATUS_LIST_MAX_BYTES in status-list.ts),
// restated because importing that module would pull node:zlib into the page's bundle.
/** The spec's minimum list length in entries (16 KB of bits). */
const MIN_STATUS_LIST_ENTRIES = 131_072;
/** Largest uncompressed list read (as the service's decoder): bounds a GZIP bomb. */
const MAX_STATUS_LIST_BYTES = 16 * 1024 * 1024;

/** Where the certificate points. */
export interface StatusEntry {
  statusListCredential: string;
  statusListIndex: string;
  statusPurpose: string;
}

export type StatusOutcome =
  | { ok: true; revoked: boolean; check: Check }
  /** The list could not be obtained or is not trustworthy: the status is unknown. */
  | { ok: false; check: Check };

/** Fetches a status list credential's text; the caller decides how (cache, origin rules). */
export type StatusListFetcher = (url: string) => Promise<string>;

const unknown = (detail: string): StatusOutcome => ({ ok: false, check: { name: 'status', ok: false, detail } });

/**
 * Verifies the signed status list (signature, `typ`, kid among `keys`), that it is the list the
 * certificate names (`id` equal to the URL), a revocation list, issued by `issuer`, and current
 * at `now` (`validFrom` not after now + skew, `validUntil` not passed), then reads the bit.
 */
export async function checkRevocationStatus(
  entry: StatusEntry,
  issuer: string,
  keys: readonly VerifierJwk[],
  fetchList: StatusListFetcher,
  now: Date,
  clockSkewSeconds = 300,
): Promise<StatusOutcome> {
  if (entry.statusPurpose !== 'revocation') return unknown(`The status purpose "${entry.statusPurpose}" is not revocation.`);
  const index = Number(entry.statusListIndex);
  if (!/^(0|[1-9]\d{0,9})$/.test(entry.statusListIndex) || !Number.isSafeInteger(index)) {
    return unknown('The status list index is not a decimal number.');
  }
  let jwt: string;
  try {
    jwt = await fetchList(entry.statusListCredential);
  } catch (error) {
    return unknown(`The status list ${entry.statusListCredential} could not be fetched: ${(error as Error).message}`);
  }
  const checks: Check[] = [];
  const verified = await verifyCompactJws(jwt, keys, checks);
  if (!verified.ok) {
    const last = checks.at(-1);
    return unknown(`The status list is not genuine (${last?.name}: ${last?.detail})`);
  }
  const list = verified.payload as {
    id?: unknown;
    type?: unknown;
    issuer?: unknown;
    validFrom?: unknown;
    validUntil?: unknown;
    credentialSubject?: { type?: unknown; statusPurpose?: unknown; encodedList?: unknown };
  } | null;
  if (typeof list !== 'object' || list === null) return unknown('The status list payload is not an object.');
  if (!Array.isArray(list.type) || !list.type.includes('BitstringStatusListCredential')) {
    return unknown('The status list is not a BitstringStatusListCredential.');
  }
  if (list.id !== entry.statusListCredential) return unknown(`The status list is ${String(list.id)}, not the list the certificate names.`);
  if (list.issuer !== issuer) return unknown(`The status list was issued by ${String(list.issuer)}, not by the certificate's issuer.`);
  const subject = list.credentialSubject;
  if (subject?.type !== 'BitstringStatusList' || subject.statusPurpose !== 'revocation' || typeof subject.encodedList !== 'string') {
    return unknown('The status list is not a revocation bitstring.');
  }
  const skew = clockSkewSeconds * 1000;
  const from = typeof list.validFrom === 'string' ? Date.parse(list.validFrom) : Number.NaN;
  if (Number.isNaN(from) || from > now.getTime() + skew) return unknown('The status list is not yet valid.');
  if (list.validUntil !== undefined) {
    const until = typeof list.validUntil === 'string' ? Date.parse(list.validUntil) : Number.NaN;
    if (Number.isNaN(until) || until < now.getTime() - skew) return unknown('The status list has expired.');
  }
  let bits: Uint8Array;
  try {
    bits = await decodeBitstring(subject.encodedList);
  } catch (error) {
    return unknown(`The status list cannot be read: ${(error as Error).message}.`);
  }
  if (index >= bits.length * 8) return unknown(`The status list index ${index} is outside the list.`);
  const revoked = (bits[index >> 3]! & (0x80 >> (index & 7))) !== 0;
  return {
    ok: true,
    revoked,
    check: revoked
      ? { name: 'status', ok: false, detail: `Revoked: bit ${index} of ${entry.statusListCredential} is set.` }
      : { name: 'status', ok: true },
  };
}

/**
 * Decodes an `encodedList`: multibase prefix `u`, canonical base64url, GZIP, between the
 * spec's minimum and {@link MAX_STATUS_LIST_BYTES}.
 * @throws {Error} saying what is wrong.
 */
async function decodeBitstring(encoded: string): Promise<Uint8Array> {
  if (!encoded.startsWith('u') || encoded.length < 2) throw new Error('encodedList must be multibase base64url (prefix "u")');
  const compressed = decodeBase64urlStrict(encoded.slice(1), 'encodedList');
  let bits: Uint8Array;
  try {
    bits = await transformBytes(compressed, new DecompressionStream('gzip'), MAX_STATUS_LIST_BYTES);
  } catch {
    throw new Error('encodedList is not a GZIP stream within the size limit');
  }
  if (bits.length * 8 < MIN_STATUS_LIST_ENTRIES) throw new Error(`the list has fewer than ${MIN_STATUS_LIST_ENTRIES} entries`);
  return bits;
}
