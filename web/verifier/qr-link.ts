import { decodeBase64urlStrict, encodeBase64url, transformBytes } from '#shared/crypto/portable-bytes.ts';

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
