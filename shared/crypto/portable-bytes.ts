import { CodedError } from '../domain/coded-error.ts';

/**
 * Byte helpers that run unchanged in a browser and in Node.js (no `Buffer`, no `node:` imports):
 * the verification page and the `dcc` command line share the verifier built on them.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUES = new Map([...ALPHABET].map((c, i) => [c, i]));

/** Why a base64url text was refused; the message names the offending part. */
export class Base64urlError extends CodedError<'base64url-invalid' | 'base64url-non-canonical'> {
  override readonly name = 'Base64urlError';
}

/** Unpadded base64url (RFC 4648 §5) of `bytes`. */
export function encodeBase64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * Decodes the one canonical unpadded base64url spelling of some bytes, refusing padding,
 * whitespace, stray characters, an impossible length and non-zero unused bits, exactly as the
 * service's own decoder does (`shared/crypto/base64url.ts`).
 *
 * @throws {Base64urlError}
 */
export function decodeBase64urlStrict(text: string, what = 'value'): Uint8Array {
  if (text.length % 4 === 1) throw new Base64urlError('base64url-invalid', `${what} has an impossible base64url length`);
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const c of text) {
    const v = VALUES.get(c);
    if (v === undefined) throw new Base64urlError('base64url-invalid', `${what} has characters outside the base64url alphabet`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  // The bits left over after the last full byte must be zero, or two texts would spell one value.
  if ((acc & ((1 << bits) - 1)) !== 0) throw new Base64urlError('base64url-non-canonical', `${what} is not canonical base64url`);
  return out.subarray(0, o);
}

/**
 * Reads a byte stream to its end, refusing it as soon as it exceeds `maxBytes`: the stream is
 * cancelled and `tooLarge()` thrown, so a hostile or endless source is never held whole.
 * `onChunk` is told of every chunk (an idle timer keeps time with it).
 */
export async function readAllBounded(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  options: { onChunk?: () => void; tooLarge?: () => Error } = {},
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    options.onChunk?.();
    size += value.byteLength;
    if (size > maxBytes) {
      const error = options.tooLarge?.() ?? new RangeError(`more than ${maxBytes} bytes`);
      await reader.cancel(error).catch(() => undefined);
      throw error;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Runs `bytes` through a (de)compression stream of the platform, bounded in output. */
export async function transformBytes(
  bytes: Uint8Array,
  transform: CompressionStream | DecompressionStream,
  maxBytes: number,
): Promise<Uint8Array> {
  const source = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream() as ReadableStream<Uint8Array>;
  // Node's and the DOM's stream typings differ in detail; both runtimes implement the same standard.
  const pair = transform as unknown as { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> };
  return readAllBounded(source.pipeThrough(pair), maxBytes);
}
