import { describe, expect, it, vi } from 'vitest';
import { startIntegratorLoop } from '#local/integrator-loop.ts';

/**
 * The local integrator loop: one pass at start, then one per tick; a nudge runs a pass without
 * waiting for the tick, never two passes at once, and stop waits for the pass in flight. The
 * ticks here are ten minutes long, so every pass past the first is one a nudge asked for.
 */

const LONG_TICK_MS = 600_000;

function recordingRun(): { run: () => Promise<void>; passes: () => number; overlapped: () => boolean; release: () => void; hold: () => void } {
  let passes = 0;
  let active = 0;
  let overlapped = false;
  let gate: Promise<void> | null = null;
  let open: (() => void) | null = null;
  return {
    run: async () => {
      active++;
      if (active > 1) overlapped = true;
      passes++;
      if (gate) await gate;
      active--;
    },
    passes: () => passes,
    overlapped: () => overlapped,
    hold: () => {
      gate = new Promise((resolve) => (open = resolve));
    },
    release: () => {
      gate = null;
      open?.();
    },
  };
}

describe('startIntegratorLoop', () => {
  it('runs once at start, then a nudge runs a pass at once instead of at the next tick', async () => {
    const r = recordingRun();
    const loop = startIntegratorLoop({ run: r.run, intervalMs: LONG_TICK_MS, onError: () => undefined });
    try {
      await vi.waitFor(() => expect(r.passes()).toBe(1));
      loop.nudge();
      await vi.waitFor(() => expect(r.passes()).toBe(2));
      loop.nudge();
      await vi.waitFor(() => expect(r.passes()).toBe(3));
    } finally {
      await loop.stop();
    }
  });

  it('a nudge during a pass runs one more pass after it, never a second one beside it', async () => {
    const r = recordingRun();
    const loop = startIntegratorLoop({ run: r.run, intervalMs: LONG_TICK_MS, onError: () => undefined });
    try {
      await vi.waitFor(() => expect(r.passes()).toBe(1));
      r.hold();
      loop.nudge();
      await vi.waitFor(() => expect(r.passes()).toBe(2));
      // Three changes while the second pass is held: they fold into one pass after it.
      loop.nudge();
      loop.nudge();
      loop.nudge();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(r.passes()).toBe(2);
      r.release();
      await vi.waitFor(() => expect(r.passes()).toBe(3));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(r.passes()).toBe(3);
      expect(r.overlapped()).toBe(false);
    } finally {
      await loop.stop();
    }
  });

  it('reports a failing pass once, keeps going, and stop waits for the pass in flight', async () => {
    const errors: unknown[] = [];
    let passes = 0;
    let finished = false;
    const loop = startIntegratorLoop({
      run: async () => {
        passes++;
        if (passes <= 2) throw new Error('DynamoDB is away');
        await new Promise((resolve) => setTimeout(resolve, 30));
        finished = true;
      },
      intervalMs: LONG_TICK_MS,
      onError: (error) => errors.push(error),
    });
    await vi.waitFor(() => expect(passes).toBe(1));
    loop.nudge();
    await vi.waitFor(() => expect(passes).toBe(2));
    loop.nudge();
    await vi.waitFor(() => expect(passes).toBe(3));
    await loop.stop();
    expect(finished).toBe(true);
    // The same failure twice in a row is reported once.
    expect(errors).toHaveLength(1);
    loop.nudge();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(passes).toBe(3);
  });
});
