import { CryptoError } from './errors.ts';

const ALPHABET = /^[A-Za-z0-9_-]*$/;

/** Encodes bytes as unpadded base64url (RFC 4648 §5, as JWS requires in RFC 7515 §2). */
export function encodeBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Decodes unpadded base64url, refusing every string that is not the one canonical encoding of
 * its bytes: padding, whitespace, characters outside `A-Za-z0-9-_`, an impossible length, or
 * non-zero unused bits in the last character. Node's own decoder silently skips such input,
 * which would let many different tokens carry the same signed content.
 *
 * @throws {CryptoError} `jws-base64url-invalid` or `jws-base64url-non-canonical`.
 */
export function decodeBase64urlStrict(text: string, what = 'value'): Uint8Array {
  // Fast path: the text is canonical exactly when encoding its bytes again gives the text back.
  // Node's encoder writes only A-Za-z0-9-_, never padding, and zero unused bits, so equality
  // proves every rule below at once, whatever the decoder skipped or tolerated on the way in
  // (and the converse holds: text that passes the rules is what the encoder writes for its bytes).
  // One native decode, one native encode and a comparison cost about half of the alphabet
  // regular expression alone; the rules below only run to say why a text was refused.
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') === text) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return refuse(text, what);
}

/** Throws the refusal of a text the round trip rejected, naming the first rule it breaks. */
function refuse(text: string, what: string): never {
  if (!ALPHABET.test(text)) {
    throw new CryptoError('jws-base64url-invalid', `${what} has characters outside the base64url alphabet`);
  }
  // One leftover character carries only 6 bits: no byte string encodes to that length.
  if (text.length % 4 === 1) {
    throw new CryptoError('jws-base64url-invalid', `${what} has an impossible base64url length`);
  }
  // Canonical means the bits the last character carries beyond the last byte are zero (2 of
  // them after 3 characters, 4 after 2).
  const rest = text.length % 4;
  if (rest !== 0 && (sextet(text.charCodeAt(text.length - 1)) & (rest === 2 ? 0x0f : 0x03)) !== 0) {
    throw new CryptoError('jws-base64url-non-canonical', `${what} is not canonical base64url`);
  }
  // Unreachable while the rules above and the round trip agree; refusing keeps it a refusal.
  throw new CryptoError('jws-base64url-non-canonical', `${what} is not canonical base64url`);
}

/** The 6-bit value of a base64url character (the caller has checked the alphabet). */
function sextet(code: number): number {
  if (code >= 0x61) return code - 0x61 + 26; // a-z
  if (code >= 0x41) return code === 0x5f ? 63 : code - 0x41; // A-Z, _
  if (code >= 0x30) return code - 0x30 + 52; // 0-9
  return 62; // -
}
