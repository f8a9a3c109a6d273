/**
 * Clean-up that must happen even when a run is stopped: a signal that ends the process (Ctrl-C,
 * `kill`, a closed terminal) runs every registered clean-up, then ends the process with that
 * same signal, as if no handler had been there (a shell sees 130 after Ctrl-C). Handlers are
 * installed only while something is registered, so a run with nothing to clean up keeps the
 * signals' default behaviour. SIGKILL cannot be caught: what it stops stays behind.
 */

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

const cleanups = new Set<() => void>();

/**
 * Runs `cleanup` (synchronous) if the process is stopped by SIGINT, SIGTERM or SIGHUP before
 * the returned function is called; calling that function forgets it.
 */
export function onInterrupt(cleanup: () => void): () => void {
  if (cleanups.size === 0) for (const signal of SIGNALS) process.on(signal, interrupted);
  cleanups.add(cleanup);
  return () => {
    if (cleanups.delete(cleanup) && cleanups.size === 0) uninstall();
  };
}

function interrupted(signal: NodeJS.Signals): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // The signal still ends the run; what could not be removed stays behind.
    }
  }
  cleanups.clear();
  uninstall();
  // With no handler left, the signal's default action ends the process.
  process.kill(process.pid, signal);
}

function uninstall(): void {
  for (const signal of SIGNALS) process.off(signal, interrupted);
}
