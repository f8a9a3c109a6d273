import { isRecord } from '../../support/record.ts';

/**
 * Decoders for the attributes of stored items. Each one checks a value and returns it typed, or
 * throws a TypeError naming the attribute's path (`certificate.statusList.index`) and what it
 * should hold: a damaged or foreign item fails loudly where it is read instead of travelling on.
 * They are written by hand rather than with zod because every function builds the stores, and
 * loading zod and building schemas cost cold-start time in functions that never use zod
 * otherwise. They check exactly what the zod schemas they replaced checked: objects keep the
 * named attributes only, in the order named, and drop the rest (pk, sk, kind).
 */

/** Reads `value`, found at `path`, as a `T`, or throws a TypeError that names `path`. */
export type Decoder<T> = (value: unknown, path: string) => T;

type Decoded<S> = { [K in keyof S]: S[K] extends Decoder<infer T> ? T : never };

function refuse(path: string, expected: string, value: unknown): never {
  throw new TypeError(`Corrupt stored item: ${path} must be ${expected}, not ${describe(value)}`);
}

/** The refused value for the message: short values as they are, others by kind only. */
function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Set) return 'a set';
  if (typeof value === 'string') return value.length <= 40 ? JSON.stringify(value) : `a string of ${value.length} characters`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a value of type ${typeof value}`;
}

/** A string. */
export const str: Decoder<string> = (value, path) => (typeof value === 'string' ? value : refuse(path, 'a string', value));

/** A non-negative safe integer (a position, a revision). */
export const count: Decoder<number> = (value, path) =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : refuse(path, 'a non-negative integer', value);

/** One of `values`. */
export function oneOf<const T extends string>(values: readonly T[]): Decoder<T> {
  const expected = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  return (value, path) => ((values as readonly unknown[]).includes(value) ? (value as T) : refuse(path, expected, value));
}

/** `null`, or what `decoder` reads. */
export function nullable<T>(decoder: Decoder<T>): Decoder<T | null> {
  return (value, path) => (value === null ? null : decoder(value, path));
}

/** Absent, or what `decoder` reads. */
export function optional<T>(decoder: Decoder<T>): Decoder<T | undefined> {
  return (value, path) => (value === undefined ? undefined : decoder(value, path));
}

/** A value `guard` accepts, described as `expected` when it does not. */
export function satisfying<T>(guard: (value: unknown) => value is T, expected: string): Decoder<T> {
  return (value, path) => (guard(value) ? value : refuse(path, expected, value));
}

/** A list of what `decoder` reads. */
export function listOf<T>(decoder: Decoder<T>): Decoder<T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) return refuse(path, 'a list', value);
    // An index loop, not `map`, so that a hole is read (and refused) like any other element.
    const out: T[] = [];
    for (let i = 0; i < value.length; i++) out.push(decoder(value[i], `${path}[${i}]`));
    return out;
  };
}

/** A map (a plain object) from any names to what `decoder` reads. */
export function mapOf<T>(decoder: Decoder<T>): Decoder<Record<string, T>> {
  return (value, path) => {
    const proto: unknown = isRecord(value) ? Object.getPrototypeOf(value) : undefined;
    if (!isRecord(value) || (proto !== Object.prototype && proto !== null)) return refuse(path, 'a map', value);
    const out: Record<string, T> = {};
    for (const [name, member] of Object.entries(value)) {
      // Never assigned: it would set the result's prototype.
      if (name !== '__proto__') out[name] = decoder(member, `${path}.${name}`);
    }
    return out;
  };
}

/** An object with the attributes of `shape`, read by their decoders; other attributes are dropped. */
export function object<S extends Record<string, Decoder<unknown>>>(shape: S): Decoder<Decoded<S>> {
  const entries = Object.entries(shape);
  return (value, path) => {
    if (!isRecord(value)) return refuse(path, 'an object', value);
    const out: Record<string, unknown> = {};
    for (const [name, decoder] of entries) {
      const decoded = decoder(value[name], `${path}.${name}`);
      if (decoded !== undefined) out[name] = decoded;
    }
    return out as Decoded<S>;
  };
}
