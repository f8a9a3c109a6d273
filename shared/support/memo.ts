/**
 * Promise memos that remember success only. Shared by the adapters (a signer's public key), the
 * composition root (services built once per container) and the local platform (one install or
 * probe per process): each caches a pending promise so concurrent callers share one request,
 * and each must forget a rejection so the next call tries again instead of replaying a passing
 * failure (a throttled KMS call, a network outage, Java installed later) for the life of the
 * process. This module imports nothing, so every layer may use it.
 */

/**
 * Calls `factory` on first use and hands the same promise to every caller until it rejects; a
 * rejected promise is forgotten (once it settles) and the next call starts over.
 */
export function memoizeAsync<T>(factory: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (pending === undefined) {
      const started = factory();
      pending = started;
      started.catch(() => {
        if (pending === started) pending = undefined;
      });
    }
    return pending;
  };
}

/**
 * {@link memoizeAsync} per key: one shared promise per key, each forgotten when it rejects.
 * Arguments after the key reach only the call that starts the work (a progress log, say).
 */
export function memoizeAsyncByKey<K, A extends unknown[], T>(
  factory: (key: K, ...rest: A) => Promise<T>,
): (key: K, ...rest: A) => Promise<T> {
  const pending = new Map<K, Promise<T>>();
  return (key, ...rest) => {
    let hit = pending.get(key);
    if (hit === undefined) {
      const started = factory(key, ...rest);
      hit = started;
      pending.set(key, started);
      started.catch(() => {
        if (pending.get(key) === started) pending.delete(key);
      });
    }
    return hit;
  };
}
