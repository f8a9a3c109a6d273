import { decodeBase64urlStrict, encodeBase64url, transformBytes } from '#shared/crypto/portable-bytes.ts';
import { type CompactReference, certificateCheckValue, checkValuesEqual, parseCompactReference } from '#shared/domain/compact-reference.ts';

/**
 * The compact form of a token for a QR code: a full certificate is 2–3 KB of base64url, too
 * much for a QR code a phone reads off paper. The three parts are decoded to their bytes
 * (base64url inflates by a third and hides the JSON's repetition from the compressor), framed
 * by their lengths, compressed with `deflate-raw` and base64url-encoded into the fragment
 * `#z=…`. Canonical base64url is a bijection, so the exact token comes back.
 *
 * Frame: varint(len header) header varint(len payload) payload signature.
 */

/** Fragment prefix of the compressed form; a bare token in the fragment is also accepted. */
export const COMPRESSED_PREFIX = 'z=';
/** A link never inflates to more than this (the longest token the service reads). */
const MAX_INFLATED_BYTES = 256 * 1024;

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

/**
 * The fragment payload (without `#`) for `token`.
 * @throws {Error} when `token` is not three canonical base64url parts.
 */
export async function compressToken(token: string): Promise<string> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('not a compact JWS');
  const [h, p, s] = parts.map((part, i) => decodeBase64urlStrict(part, `part ${i + 1}`)) as [Uint8Array, Uint8Array, Uint8Array];
  const framed = new Uint8Array([...varint(h.length), ...h, ...varint(p.length), ...p, ...s]);
  const compressed = await transformBytes(framed, new CompressionStream('deflate-raw'), MAX_INFLATED_BYTES);
  return `${COMPRESSED_PREFIX}${encodeBase64url(compressed)}`;
}

function readVarint(bytes: Uint8Array, at: { i: number }): number {
  let n = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    const b = bytes[at.i++];
    if (b === undefined) throw new Error('truncated');
    n |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) return n;
  }
  throw new Error('length too large');
}

/**
 * The fragment (without `#`) of the compact form: the certificate number and the check value of
 * its token (`n=…&c=…`). The page resolves it by asking its own service for the certificate.
 */
export async function compactFragment(certificateNo: string, token: string): Promise<string> {
  return `n=${certificateNo}&c=${await certificateCheckValue(token)}`;
}

/** The compact reference a fragment carries, or `null` when it carries a token instead. */
export function compactReferenceIn(fragment: string): CompactReference | null {
  return fragment.startsWith('n=') ? parseCompactReference(fragment) : null;
}

/**
 * The token in the service's answer to a compact reference, once it is shown to be the one the
 * reference names: its number and the check value of its bytes. The service is not trusted to
 * answer with the right certificate; the verification that follows does not trust it either.
 * @throws {Error} when the answer is not that certificate.
 */
export async function tokenForReference(reference: CompactReference, answer: unknown): Promise<string> {
  const { certificateNo, token } = (answer ?? {}) as { certificateNo?: unknown; token?: unknown };
  if (typeof token !== 'string' || certificateNo !== reference.certificateNo || !checkValuesEqual(await certificateCheckValue(token), reference.check)) {
    throw new Error('The issuer answered with another certificate than the code names.');
  }
  return token;
}

/**
 * The token carried by a fragment (without `#`): the compressed form, or the token itself.
 * @throws {Error} when a compressed fragment does not decode.
 */
export async function tokenFromFragment(fragment: string): Promise<string> {
  if (!fragment.startsWith(COMPRESSED_PREFIX)) return decodeURIComponent(fragment);
  const compressed = decodeBase64urlStrict(fragment.slice(COMPRESSED_PREFIX.length), 'the link');
  let framed: Uint8Array;
  try {
    framed = await transformBytes(compressed, new DecompressionStream('deflate-raw'), MAX_INFLATED_BYTES);
  } catch {
    throw new Error('The link does not carry a readable certificate.');
  }
  const at = { i: 0 };
  const hl = readVarint(framed, at);
  const h = framed.subarray(at.i, (at.i += hl));
  const pl = readVarint(framed, at);
  const p = framed.subarray(at.i, (at.i += pl));
  if (at.i > framed.length || h.length !== hl || p.length !== pl) throw new Error('The link is truncated.');
  const s = framed.subarray(at.i);
  return `${encodeBase64url(h)}.${encodeBase64url(p)}.${encodeBase64url(s)}`;
}
