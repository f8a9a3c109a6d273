import type * as z from 'zod/mini';
import { memoizeAsync } from '../../support/memo.ts';

/**
 * What `accept` answers for a value its schema refuses. A symbol, so that no parsed value (an
 * object, a string, `undefined` for an absent optional part) can be mistaken for it.
 */
export const REFUSED: unique symbol = Symbol('refused');

/**
 * One part of a request as a route accepts it: a predicate that judges it at run time without
 * zod, and the zod schema it answers for, loaded only to say why a value is refused.
 *
 * A function's cold start evaluates every module it imports statically, and building zod and a
 * route's schemas was most of what a function did at start-up beyond the AWS clients. A route
 * holding a contract imports no schema module: the schema is imported on the first refusal,
 * so only a container that refuses a request ever builds it, and it builds it once.
 *
 * `accept` must give exactly what `schema.safeParse` gives: the same verdict, and for an
 * accepted value the same output (defaults filled in, transforms applied, members in the
 * schema's order). Each contract's parity test holds the two together over genuine values and
 * systematic mutations of them (`test/support/schema-parity.ts`).
 */
export interface InputContract<T> {
  /** The parsed value, as `schema.safeParse` would give it, or {@link REFUSED}. */
  readonly accept: (value: unknown) => T | typeof REFUSED;
  /** The schema, imported on first use, to explain a refusal (the definition the predicate is held to). */
  readonly schema: () => Promise<z.ZodMiniType<T>>;
}

/** A contract from its predicate and the import of its schema (run once, on first use; forgotten if it fails). */
export function inputContract<T>(accept: InputContract<T>['accept'], load: () => Promise<z.ZodMiniType<T>>): InputContract<T> {
  return { accept, schema: memoizeAsync(load) };
}
