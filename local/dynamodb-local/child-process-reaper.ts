import type { ChildProcess } from 'node:child_process';

/*
 * Stops tracked child processes when this process ends, so no DynamoDB Local outlives the test
 * run or dev server that started it. Hooks are installed while at least one child is tracked.
 *
 * On SIGINT / SIGTERM / SIGHUP the children get SIGTERM. The parent's own handling of the
 * signal is left intact: if other listeners exist they decide what happens next (and the
 * `exit` hook covers the children if they exit later); if ours was the only listener, Node's
 * default (terminate) no longer applies, so we remove our listeners and re-raise the signal,
 * and the process ends by that signal exactly as it would have without us.
 */

const tracked = new Set<ChildProcess>();
const SIGNALS: NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
const signalListeners = new Map<NodeJS.Signals, () => void>();

function terminateAll(): void {
  for (const child of tracked) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGTERM');
      } catch {
        // Already gone; nothing to stop.
      }
    }
  }
}

function install(): void {
  if (signalListeners.size > 0) return;
  process.on('exit', terminateAll);
  for (const signal of SIGNALS) {
    const listener = (): void => {
      terminateAll();
      if (process.listenerCount(signal) === 1) {
        uninstall();
        process.kill(process.pid, signal);
      }
    };
    signalListeners.set(signal, listener);
    process.on(signal, listener);
  }
}

function uninstall(): void {
  process.removeListener('exit', terminateAll);
  for (const [signal, listener] of signalListeners) process.removeListener(signal, listener);
  signalListeners.clear();
}

/** Stops `child` with SIGTERM if this process exits or is signalled first. */
export function stopOnParentExit(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  tracked.add(child);
  install();
  const forget = (): void => {
    tracked.delete(child);
    if (tracked.size === 0) uninstall();
  };
  child.once('exit', forget);
  // A child that failed to spawn emits 'error' and never 'exit'.
  child.once('error', () => {
    if (child.pid === undefined) forget();
  });
}
