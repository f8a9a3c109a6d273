import { plainTextProblem } from '../text.ts';
import { REFUSED } from './input-contract.ts';
import { isRecord } from '../../support/record.ts';

/**
 * The pieces of zod 4's semantics that every zod-free predicate of a schema is built from (the
 * credential's, the issue request's, the registrations', the small route inputs'): strict
 * objects, optional members, string lengths counted in code points, enumerations, plain text.
 * Each predicate module imports these and its own rules, so a route's start-up loads no
 * vocabulary it does not check.
 */

/** A plain object's members, as the predicates read them. */
export type Members = Record<string, unknown>;

/** The declared members of a strict object. */
export function keys(...names: string[]): ReadonlySet<string> {
  return new Set(names);
}

/** zod's strict-object test: every key `for...in` yields is declared (zod iterates the same way). */
export function hasOnlyKeys(value: Members, declared: ReadonlySet<string>): boolean {
  for (const key in value) if (!declared.has(key)) return false;
  return true;
}

/** zod's `strictObject` before its members: an object (not null, not an array) with no key it does not declare. */
export function isStrictObject(value: unknown, declared: ReadonlySet<string>): value is Members {
  return isRecord(value) && hasOnlyKeys(value, declared);
}

/** `.optional()`: absent and `undefined` pass, anything else must satisfy `check`. */
export function isOptional(value: unknown, check: (value: unknown) => boolean): boolean {
  return value === undefined || check(value);
}

/** zod's `.max(max)` on a string: at most `max` code points. */
export function fits(value: string, max: number): boolean {
  // A code point is one or two UTF-16 units: only a string longer than `max` units needs counting.
  return value.length <= max || codePointLength(value) <= max;
}

function codePointLength(value: string): number {
  let count = value.length;
  for (let i = 0; i < value.length - 1; i++) {
    if ((value.charCodeAt(i) & 0xfc00) === 0xd800 && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      count--;
      i++;
    }
  }
  return count;
}

/** `plainText(max)`: 1 to `max` code points of plain text (`text.ts`). */
export function isText(value: unknown, max: number): value is string {
  // Not empty is at least one code point either way.
  return typeof value === 'string' && value.length >= 1 && fits(value, max) && plainTextProblem(value) === null;
}

/** `z.enum(values)` (and `z.literal` of several): one of `values`. */
export function isOneOf(value: unknown, values: readonly string[]): boolean {
  return (values as readonly unknown[]).includes(value);
}

/**
 * An optional member as zod's object outputs it: absent, it stays absent; present (own or
 * inherited) and undefined, it stays, undefined; otherwise `accept` judges it. False if refused.
 */
export function optionalMember(value: Members, key: string, out: Members, accept: (given: unknown) => unknown): boolean {
  const given = value[key];
  if (given === undefined) {
    if (key in value) out[key] = undefined;
    return true;
  }
  const accepted = accept(given);
  if (accepted === REFUSED) return false;
  out[key] = accepted;
  return true;
}

/** `given` if it passes `check`, else {@link REFUSED}: a predicate as an `accept`. */
export const when =
  (check: (given: unknown) => boolean) =>
  (given: unknown): unknown =>
    check(given) ? given : REFUSED;
