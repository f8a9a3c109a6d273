/**
 * Random bytes for certificate ids and numbers, handed out from a pool that the Web Crypto API's
 * `getRandomValues` refills (the same call in Node and in browsers, so the verification page can
 * bundle what imports this). One call per id cost about as much as formatting the id: each
 * crosses into the engine's random generator for 16 bytes; one call per 4 KiB spreads that over
 * some 160 issues. Node's own `randomUUID` buffers its randomness the same way.
 *
 * The pool is filled on first use, not at import: a cold start that never draws pays nothing,
 * and no bytes are drawn before the process runs its first request.
 */

/** Bytes per refill (`getRandomValues` takes at most 65,536). */
const POOL_SIZE = 4096;

const pool = new Uint8Array(POOL_SIZE);
/** The next unused byte; `POOL_SIZE` when the pool is used up (or was never filled). */
let next = POOL_SIZE;

/**
 * Fills `target` with cryptographically strong random bytes, each byte handed out once.
 * @returns `target`.
 * @throws RangeError when `target` is longer than the pool.
 */
export function fillRandom<T extends Uint8Array>(target: T): T {
  const n = target.length;
  if (n > POOL_SIZE - next) {
    if (n > POOL_SIZE) throw new RangeError(`fillRandom: at most ${POOL_SIZE} bytes at a time`);
    globalThis.crypto.getRandomValues(pool);
    next = 0;
  }
  // A copy by hand: `set` of a subarray would allocate a view on every call.
  for (let i = 0; i < n; i++) target[i] = pool[next + i] as number;
  next += n;
  return target;
}
