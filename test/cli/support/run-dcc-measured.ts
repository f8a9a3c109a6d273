import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DCC_BIN, type DccRun } from './run-dcc.ts';

const PRELOAD = pathToFileURL(fileURLToPath(new URL('./max-rss.mjs', import.meta.url))).href;

/** A child run of `dcc` with its wall time and peak resident set size. */
export interface MeasuredRun extends DccRun {
  elapsedMs: number;
  /** Peak resident set size of the child, in megabytes (the kernel's count, read at exit). */
  maxRssMb: number;
}

/**
 * Runs `bin/dcc.mjs` in a child process, as `runDcc` does, with a preload that records the
 * child's peak RSS at exit. The child is killed after `killAfterMs` (a hung run fails the test
 * rather than hanging it).
 */
export async function runDccMeasured(args: readonly string[], options: { env?: Record<string, string>; killAfterMs?: number } = {}): Promise<MeasuredRun> {
  const dir = await mkdtemp(join(tmpdir(), 'dcc-rss-'));
  const rssFile = join(dir, 'maxrss');
  try {
    const started = performance.now();
    const run = await new Promise<DccRun>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', PRELOAD, DCC_BIN, ...args], {
        env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...options.env, DCC_TEST_MAXRSS_FILE: rssFile },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 30_000);
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });
    const elapsedMs = performance.now() - started;
    const kb = Number(await readFile(rssFile, 'utf8').catch(() => 'NaN'));
    return { ...run, elapsedMs, maxRssMb: kb / 1024 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
