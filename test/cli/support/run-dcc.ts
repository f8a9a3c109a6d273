import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../../../cli/context.ts';
import { validIssueRequest } from '../../fixtures/issue-request.ts';

/** The `dcc` executable as users run it (`bin/dcc.mjs`, no build step). */
export const DCC_BIN = fileURLToPath(new URL('../../../bin/dcc.mjs', import.meta.url));

export interface DccRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `dcc` in a child process, as a user would; `env` is added to a clean environment. */
export function runDcc(args: readonly string[], options: { env?: Record<string, string>; stdin?: string; cwd?: string } = {}): Promise<DccRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DCC_BIN, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    // A run that exits without reading its input closes the pipe under the write: that EPIPE is
    // no failure of the run, whose exit code and output the caller judges.
    child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') reject(error);
    });
    child.stdin.end(options.stdin ?? '');
  });
}

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/**
 * The fixture request around the real clock (the service judges by it): traded an hour ago,
 * usable from an hour ago for `days` days, so that it verifies as valid right now.
 */
export function issueRequestNow(transactionRef: string, days = 30) {
  const now = Date.now();
  const request = validIssueRequest();
  request.transactionRef = transactionRef;
  request.tradedAt = iso(now - 3_600_000);
  request.compliance.assessedAt = iso(now - 2 * 86_400_000);
  request.usage.validFrom = iso(now - 3_600_000);
  request.usage.validUntil = iso(now + days * 86_400_000);
  return request;
}

/**
 * Runs the same program in this process (`cli/main.ts` with captured output), for the many
 * cases where spawning the executable would only add seconds: the executable itself is
 * exercised by the spawned runs.
 */
export async function runDccHere(
  args: readonly string[],
  options: { env?: Record<string, string>; stdin?: string; now?: () => Date } = {},
): Promise<DccRun> {
  const { runCli } = await import('../../../cli/main.ts');
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    stderrIsTTY: false,
    readStdin: async () => options.stdin ?? '',
    env: options.env ?? {},
    fetch: globalThis.fetch,
    now: options.now ?? (() => new Date()),
  });
  return { code, stdout, stderr };
}

/** An io for `runCli` in this process that keeps what the program prints. */
export function memoryIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    stderrIsTTY: false,
    readStdin: async () => '',
    env: {},
    fetch: globalThis.fetch,
    now: () => new Date(),
  };
}
