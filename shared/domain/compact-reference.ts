import { isValidCertificateNumber } from './certificate-number.ts';

/**
 * The compact reference to a certificate, for a QR code that scans from paper: the service's
 * public base URL, the certificate number and a short check value, as China's digital invoices
 * print theirs. The full token, the other form, makes a QR code of version 30 or more, too dense
 * for the size of an invoice's code; a compact reference fits in version 5 or 6. The holder of
 * a compact reference gets the certificate from the service (`GET /v1/certificate-numbers/{no}`),
 * which answers only when the check value matches, and then verifies it as any other.
 *
 * The check value is the first {@link CHECK_VALUE_LENGTH} characters of the Crockford base32
 * form of SHA-256 over the token's bytes: 50 bits that bind the reference to one signed
 * certificate (a number alone is printed on the invoice; it does not open the certificate), that
 * nobody guesses, and that a verifier recomputes from the token it receives.
 */

/** Characters of the check value: 50 bits. */
export const CHECK_VALUE_LENGTH = 10;

/** Crockford's base32 alphabet: no I, L, O or U, so nothing reads as another character. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const CHECK_VALUE = new RegExp(`^[${CROCKFORD}]{${CHECK_VALUE_LENGTH}}$`);

/** The check value of `token` (WebCrypto, so the page computes it as the service does). */
export async function certificateCheckValue(token: string): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of digest) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < CHECK_VALUE_LENGTH) {
      bits -= 5;
      out += CROCKFORD[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
    if (out.length === CHECK_VALUE_LENGTH) break;
  }
  return out;
}

/** Whether two check values are equal, in time that does not depend on where they differ. */
export function checkValuesEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** Whether `value` has the form of a check value (it may still be the wrong one). */
export function isCheckValue(value: string): boolean {
  return CHECK_VALUE.test(value);
}

/** A compact reference: which certificate, and the check value that opens it. */
export interface CompactReference {
  certificateNo: string;
  check: string;
}

/**
 * The URL a compact QR code carries: the verification page of the service at `publicBaseUrl`,
 * with the reference in the fragment (`#n=<number>&c=<check>`), which browsers never send.
 */
export function compactReferenceUrl(publicBaseUrl: string, reference: CompactReference): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/verify#n=${reference.certificateNo}&c=${reference.check}`;
}

/**
 * The reference in a verification page fragment (`n=…&c=…`, with or without the leading `#`),
 * or `null` when the fragment holds none or a malformed one (a number with a wrong check digit,
 * a check value of the wrong form).
 */
export function parseCompactReference(fragment: string): CompactReference | null {
  const params = new URLSearchParams(fragment.startsWith('#') ? fragment.slice(1) : fragment);
  const certificateNo = params.get('n');
  const check = params.get('c')?.toUpperCase();
  if (certificateNo === null || check === undefined) return null;
  if (!isValidCertificateNumber(certificateNo) || !isCheckValue(check)) return null;
  return { certificateNo, check };
}
