import { isWellFormedUnicode } from './text.ts';

/**
 * JSON Canonicalization Scheme (RFC 8785): object members sorted by the UTF-16 code units of
 * their names, no whitespace, numbers in ECMAScript's shortest round-trip form, strings escaped
 * as `JSON.stringify` escapes them. The same value always gives the same bytes, which is what a
 * request hash and a transparency-log entry need.
 *
 * Input must be I-JSON (RFC 7493): finite numbers, well-formed strings, plain objects and arrays.
 * Anything else is a programming error and throws a TypeError rather than being coerced
 * (`JSON.stringify` would turn `NaN` into `null` and an `undefined` array item into `null`).
 * An object member whose value is `undefined` is absent, as in JSON.
 */

/** A JSON value as RFC 8785 accepts it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The canonical JSON text of `value` (RFC 8785). */
export function canonicalJson(value: unknown): string {
  try {
    return serialise(value, null);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    // Again with the JSON pointer of every member built, only to say where the bad value is: a
    // valid value (every request hash, every log entry) never pays for those strings.
    return serialise(value, '');
  }
}

// A string without any of these is its own JSON text between quotes: `JSON.stringify` escapes
// only `"`, `\`, the controls below U+0020 and lone surrogates, and a string without surrogates
// has no lone one. Most strings (names, references, times, digests) take this path: one regex
// test instead of a lone-surrogate test and a `JSON.stringify`.
const NEEDS_ESCAPE_OR_CHECK = /["\\\u0000-\u001f\ud800-\udfff]/;

/** The JSON text of a string or member name; `what` says which, in the error. */
function quoted(value: string, at: string | null, what: string): string {
  if (!NEEDS_ESCAPE_OR_CHECK.test(value)) return `"${value}"`;
  if (!isWellFormedUnicode(value)) throw new TypeError(`canonicalJson: lone surrogate in ${what} at ${at || '/'}`);
  return JSON.stringify(value);
}

/**
 * The member names of `record` in RFC 8785 order. An insertion sort comparing with `<` (UTF-16
 * code units, as the default sort does): a handful of names, often in order already, sort
 * several times faster than through `Array.prototype.sort`.
 */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && key < (keys[j] as string)) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/** `at` is the pointer of `value`, or null on the first pass, which builds no pointers. */
function serialise(value: unknown, at: string | null): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number at ${at || '/'}`);
      // ECMAScript Number-to-String is the RFC 8785 number form; it prints -0 as 0, as required.
      return String(value);
    case 'string':
      return quoted(value, at, 'string');
    case 'object':
      break;
    default:
      throw new TypeError(`canonicalJson: ${typeof value} is not JSON (at ${at || '/'})`);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += serialise(value[i], at === null ? null : `${at}/${i}`);
    }
    return `${out}]`;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`canonicalJson: only plain objects are JSON (at ${at || '/'})`);
  }
  const record = value as Record<string, unknown>;
  const keys = sortedKeys(record);
  let out = '{';
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    const name = quoted(key, at, 'a member name');
    if (out.length > 1) out += ',';
    out += `${name}:${serialise(member, at === null ? null : `${at}/${key}`)}`;
  }
  return `${out}}`;
}
