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
  if (!ALPHABET.test(text)) {
    throw new CryptoError('jws-base64url-invalid', `${what} has characters outside the base64url alphabet`);
  }
  // One leftover character carries only 6 bits: no byte string encodes to that length.
  if (text.length % 4 === 1) {
    throw new CryptoError('jws-base64url-invalid', `${what} has an impossible base64url length`);
  }
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) {
    throw new CryptoError('jws-base64url-non-canonical', `${what} is not canonical base64url`);
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
