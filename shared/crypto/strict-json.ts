import { CryptoError } from './errors.ts';

/**
 * UTF-8 decoder that refuses malformed sequences and keeps a byte-order mark as a character,
 * so that JSON.parse rejects it rather than the decoder quietly dropping it.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Parses JSON from UTF-8 bytes, refusing what a lenient parser would let through: malformed
 * UTF-8 and objects with duplicate member names. `JSON.parse` keeps the last duplicate while
 * other parsers keep the first, so a signed document with duplicates can mean two things to
 * two verifiers; we refuse it instead of picking one.
 *
 * @throws {CryptoError} `json-invalid` or `json-duplicate-member`.
 */
export function parseJsonStrict(bytes: Uint8Array, what = 'JSON'): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (cause) {
    throw new CryptoError('json-invalid', `${what} is not valid UTF-8`, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new CryptoError('json-invalid', `${what} is not valid JSON`, { cause });
  }
  const duplicate = findDuplicateMember(text);
  if (duplicate !== null) {
    throw new CryptoError('json-duplicate-member', `${what} repeats the member ${JSON.stringify(duplicate)}`);
  }
  return value;
}

/**
 * Returns the first member name repeated within one object of `text`, or null. Only called on
 * text that JSON.parse accepted, so the scan can rely on the input being well-formed.
 */
function findDuplicateMember(text: string): string | null {
  // One frame per open container: a set of member names for objects, null for arrays.
  const frames: (Set<string> | null)[] = [];
  let expectingName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) {
      frames.push(new Set());
      expectingName = true;
    } else if (c === 0x5b /* [ */) {
      frames.push(null);
      expectingName = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      frames.pop();
      expectingName = false;
    } else if (c === 0x2c /* , */) {
      expectingName = frames.at(-1) instanceof Set;
    } else if (c === 0x3a /* : */) {
      expectingName = false;
    } else if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; text.charCodeAt(i) !== 0x22; i++) {
        if (text.charCodeAt(i) === 0x5c /* \ */) {
          escaped = true;
          i++;
        }
      }
      const frame = frames.at(-1);
      if (expectingName && frame instanceof Set) {
        // Decode escapes so that "a" and "\u0061" count as the same name; a name without a
        // backslash is its own text (JSON.parse already refused raw control characters).
        const name = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : text.slice(start + 1, i);
        if (frame.has(name)) return name;
        frame.add(name);
      }
      expectingName = false;
    }
  }
  return null;
}
