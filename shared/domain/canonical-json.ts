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

/** `at` is the pointer of `value`, or null on the first pass, which builds no pointers. */
function serialise(value: unknown, at: string | null): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number at ${at || '/'}`);
      // ECMAScript Number-to-String is the RFC 8785 number form; it prints -0 as 0, as required.
      return JSON.stringify(value);
    case 'string':
      if (!isWellFormedUnicode(value)) throw new TypeError(`canonicalJson: lone surrogate in string at ${at || '/'}`);
      return JSON.stringify(value);
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
  // Default sort compares UTF-16 code units, which is exactly RFC 8785's member order.
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    if (!isWellFormedUnicode(key)) throw new TypeError(`canonicalJson: lone surrogate in a member name at ${at || '/'}`);
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${serialise(member, at === null ? null : `${at}/${key}`)}`;
  }
  return `${out}}`;
}
