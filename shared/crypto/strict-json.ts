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
  // Most texts have no duplicate, and counting proves it at less than half the scan's cost; only a
  // text the count cannot clear is scanned, which also names the duplicate.
  const duplicate = membersInText(text) === membersInValue(value) ? null : findDuplicateMember(text);
  if (duplicate !== null) {
    throw new CryptoError('json-duplicate-member', `${what} repeats the member ${JSON.stringify(duplicate)}`);
  }
  return value;
}

/**
 * How many object members `text` writes: the colons outside strings, since in well-formed JSON
 * a colon outside a string only ever separates a member's name from its value. String bodies
 * are skipped with `indexOf` rather than read character by character. Only called on text that
 * JSON.parse accepted; -1 (never a count) if the text ends inside a string all the same.
 */
function membersInText(text: string): number {
  let members = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a /* : */) {
      members += 1;
    } else if (c === 0x22 /* " */) {
      // The closing quote: the next one not escaped, i.e. not after an odd run of backslashes.
      let end = text.indexOf('"', i + 1);
      for (;;) {
        if (end < 0) return -1;
        let run = 0;
        while (text.charCodeAt(end - 1 - run) === 0x5c /* \ */) run += 1;
        if ((run & 1) === 0) break;
        end = text.indexOf('"', end + 1);
      }
      i = end;
    }
  }
  return members;
}

/**
 * How many members the parsed value's objects hold together: for each object, its distinct
 * member names (`Object.values` counts own properties only, `__proto__` included: JSON.parse
 * defines it as an own property). Iterative, so deep nesting cannot overflow the stack.
 *
 * Why equal counts prove there is no duplicate: every member written in the text becomes a
 * property of its object, and JSON.parse merges members whose names decode to the same string
 * (`"a"` and `"\u0061"` too) into one. So each object holds at most as many properties as it
 * has members written, and fewer exactly when two of its names are the same; the sums over all
 * objects are equal only if no object lost one.
 */
function membersInValue(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let members = 0;
  const pending: object[] = [value];
  while (pending.length > 0) {
    const node = pending.pop() as object;
    const children: unknown[] = Array.isArray(node) ? node : Object.values(node);
    if (!Array.isArray(node)) members += children.length;
    for (const child of children) if (typeof child === 'object' && child !== null) pending.push(child);
  }
  return members;
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
