import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_DIR, PROGRAM, buildDcc } from '../scripts/build-dcc.ts';
import { benchCertificate, benchSigner } from './offline-certificates.ts';
import { median, round } from './support.ts';
import { PROJECT_ROOT } from './cold-start.ts';

/** One command's start-to-exit time, beside the floor measured in the same rounds. */
export interface StartupRow {
  command: string;
  medianMs: number;
  /** `medianMs` over the median of `node -e 0`. */
  ratio: number;
}

export interface CliStartupResults {
  /** Median wall time of `node -e 0`: starting the runtime and nothing else. */
  floorMs: number;
  /** Size of the installable program's bundle. */
  bundleBytes: number;
  rows: StartupRow[];
  runs: number;
}

/**
 * The installable `dcc` as a process, start to exit, against a bare `node -e 0`: `--version`
 * (what the program costs to load) and an offline verification of one certificate (what an
 * auditor waits for), plus the repository's `bin/dcc.mjs` (TypeScript through tsx) for
 * comparison. The commands take turns in every round, so load from elsewhere falls on all alike.
 */
export async function measureCliStartup(options: { runs: number; log: (line: string) => void }): Promise<CliStartupResults> {
  const built = await buildDcc();
  const dir = await mkdtemp(join(tmpdir(), 'dcc-bench-cli-'));
  try {
    const { signer, jwk } = benchSigner();
    await writeFile(join(dir, 'certificate.jwt'), await benchCertificate(signer, 0, new Date()));
    await writeFile(join(dir, 'jwks.json'), JSON.stringify({ keys: [jwk] }));
    const program = join(PROJECT_ROOT, PACKAGE_DIR, PROGRAM);
    const commands: { name: string; args: string[]; exit: number }[] = [
      { name: 'node -e 0', args: ['-e', '0'], exit: 0 },
      { name: 'dcc --version (installable bundle)', args: [program, '--version'], exit: 0 },
      { name: 'dcc verify, one certificate offline (installable bundle)', args: [program, 'verify', 'certificate.jwt', '--jwks', 'jwks.json'], exit: 0 },
      { name: 'dcc --version (repository, through tsx)', args: [join(PROJECT_ROOT, 'bin/dcc.mjs'), '--version'], exit: 0 },
    ];
    options.log(`dcc start-up: ${commands.length} commands × ${options.runs} runs, against node -e 0`);
    const times = commands.map(() => [] as number[]);
    for (let round = 0; round < options.runs; round++) {
      // A different order each round: no command always follows the same one.
      const order = commands.map((_, i) => (i + round) % commands.length);
      for (const i of order) {
        const command = commands[i]!;
        times[i]!.push(await timeProcess(command.args, dir, command.exit, command.name));
      }
    }
    const floorMs = median(times[0]!);
    return {
      floorMs: round(floorMs, 1),
      bundleBytes: built.programBytes,
      rows: commands.slice(1).map((command, i) => {
        const medianMs = median(times[i + 1]!);
        return { command: command.name, medianMs: round(medianMs, 1), ratio: round(medianMs / floorMs, 2) };
      }),
      runs: options.runs,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Milliseconds from spawning `node args` to its exit; rejects on another exit status. */
function timeProcess(args: readonly string[], cwd: string, expectedExit: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env['PATH'] ?? '', HOME: cwd } });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== expectedExit) reject(new Error(`${what} exited ${code}: ${err.slice(0, 1000)}`));
      else resolve(ms);
    });
  });
}
