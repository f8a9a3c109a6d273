import { describe, expect, it } from 'vitest';
import { memoizeAsync, memoizeAsyncByKey } from '#shared/support/memo.ts';

/** A promise settled from outside, to hold a call pending while others arrive. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('memoizeAsync', () => {
  it('calls the factory once and gives every caller, concurrent or later, the same promise', async () => {
    let calls = 0;
    const gate = deferred<string>();
    const get = memoizeAsync(() => {
      calls++;
      return gate.promise;
    });
    const first = get();
    const second = get();
    expect(second).toBe(first);
    gate.resolve('key');
    await expect(first).resolves.toBe('key');
    await expect(get()).resolves.toBe('key');
    expect(calls).toBe(1);
  });

  it('forgets a rejection: callers of the failed attempt see the error, the next call tries again', async () => {
    const attempts = [deferred<string>(), deferred<string>()];
    let calls = 0;
    const get = memoizeAsync(() => attempts[calls++]!.promise);
    const a = get();
    const b = get();
    attempts[0]!.reject(new Error('throttled'));
    await expect(a).rejects.toThrow('throttled');
    await expect(b).rejects.toThrow('throttled');
    const c = get();
    expect(c).not.toBe(a);
    attempts[1]!.resolve('key');
    await expect(c).resolves.toBe('key');
    await expect(get()).resolves.toBe('key');
    expect(calls).toBe(2);
  });
});

describe('memoizeAsyncByKey', () => {
  it('keeps one promise per key', async () => {
    const seen: string[] = [];
    const get = memoizeAsyncByKey(async (key: string) => {
      seen.push(key);
      return key.toUpperCase();
    });
    expect(get('a')).toBe(get('a'));
    await expect(get('a')).resolves.toBe('A');
    await expect(get('b')).resolves.toBe('B');
    expect(seen).toEqual(['a', 'b']);
  });

  it('forgets a rejected key only, so that key alone is tried again', async () => {
    const seen: string[] = [];
    let failNext = true;
    const get = memoizeAsyncByKey(async (key: string) => {
      seen.push(key);
      if (key === 'bad' && failNext) {
        failNext = false;
        throw new Error('offline');
      }
      return key;
    });
    await expect(get('good')).resolves.toBe('good');
    await expect(get('bad')).rejects.toThrow('offline');
    await expect(get('bad')).resolves.toBe('bad');
    await expect(get('good')).resolves.toBe('good');
    expect(seen).toEqual(['good', 'bad', 'bad']);
  });
});
