/** A running in-process integrator loop. */
export interface IntegratorLoop {
  /** Runs a pass soon (after a change) instead of waiting for the next tick. */
  nudge(): void;
  /** Waits for the current pass and stops. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Local mode's integrator: the same code as the AWS function, run every `intervalMs` in this
 * process, one pass at a time. A failed pass is reported and retried on the next tick (the
 * integrator is safe to rerun at any point).
 */
export function startIntegratorLoop(options: {
  run: () => Promise<unknown>;
  intervalMs?: number;
  onError: (error: unknown) => void;
}): IntegratorLoop {
  const interval = options.intervalMs ?? 200;
  let stopped = false;
  let current: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let lastError: string | undefined;

  const pass = (): void => {
    if (stopped) return;
    clearTimeout(timer);
    current = options
      .run()
      .then(() => {
        lastError = undefined;
      })
      .catch((error: unknown) => {
        // One report per distinct failure, not one every 200 ms.
        const message = error instanceof Error ? error.message : String(error);
        if (message !== lastError) options.onError(error);
        lastError = message;
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(pass, interval);
      });
  };
  timer = setTimeout(pass, 0);

  return {
    nudge() {
      if (stopped) return;
      clearTimeout(timer);
      void current.then(() => {
        if (!stopped) {
          clearTimeout(timer);
          timer = setTimeout(pass, 0);
        }
      });
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
