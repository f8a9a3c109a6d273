import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type CertificateVerification, verifyCertificatesNow } from '#shared/domain/certificate.ts';
import { certificateIdOf } from '#shared/domain/schemas/credential-terms.ts';
import type { PublicVerificationJwk } from '#shared/domain/signer.ts';

/**
 * The offline verification of a large batch spread over this thread and worker threads, one
 * thread per core: a signature check is CPU work on the calling thread (node:crypto), so one
 * thread verifies at one core's rate. Chunks go to whichever worker is free, and the verdicts come back keyed by
 * position, so the caller reports them in input order whatever finishes first.
 */

/** What every worker is started with. */
export interface OfflineWorkerData {
  keys: readonly PublicVerificationJwk[];
  atMs: number;
  clockSkewSeconds: number;
  /**
   * Verdicts without the certificate ({@link SlimVerdict}), for a caller that reports verdicts
   * only: the decoded credential is most of what a verdict weighs, to copy between threads and
   * to keep for a whole batch. Absent or false: whole verdicts.
   */
  slim?: boolean;
}

/** A verdict without its certificate: the certificate's number and id (as `dcc` reports them) instead. */
export interface SlimVerdict extends Omit<CertificateVerification, 'certificate'> {
  certificateNo?: string;
  id?: string;
}

/** A verdict as a chunk carries it: whole, or slim when the batch asked for it. */
export type ChunkVerdict = CertificateVerification | SlimVerdict;

/** A slice of the batch sent to a worker; `null` marks an input that holds no token. */
export interface OfflineChunk {
  id: number;
  tokens: (string | null)[];
}

/** A worker's answer: the verdicts of one chunk, in its order. */
export interface OfflineChunkResult {
  id: number;
  verdicts: (ChunkVerdict | null)[];
}

/** Tokens per message: large enough that messaging costs little, small enough to share the tail. */
const CHUNK = 256;

/**
 * The verdicts of `tokens` in their order (`null` for `null`), whole or slim as `data` says:
 * what a worker does with a chunk, and this thread with its share. The certificates are judged
 * together (`verifyCertificatesNow`); a verdict is waited for only where the verification must
 * wait (a key's first proof, zod's issues on a refused payload).
 */
export async function verifyChunk(tokens: readonly (string | null)[], data: OfflineWorkerData): Promise<(ChunkVerdict | null)[]> {
  const present = tokens.filter((token) => token !== null);
  const judged = verifyCertificatesNow(present, data.keys as PublicVerificationJwk[], new Date(data.atMs), { clockSkewSeconds: data.clockSkewSeconds });
  const verdicts: (ChunkVerdict | null)[] = [];
  let next = 0;
  for (const token of tokens) {
    if (token === null) {
      verdicts.push(null);
      continue;
    }
    const pending = judged[next++] as CertificateVerification | Promise<CertificateVerification>;
    const verdict = pending instanceof Promise ? await pending : pending;
    verdicts.push(data.slim === true ? slimVerdict(verdict) : verdict);
  }
  return verdicts;
}

/** `verdict` without its certificate, keeping the number and id that `dcc` reports. */
function slimVerdict({ certificate, ...rest }: CertificateVerification): SlimVerdict {
  return certificate === undefined ? rest : { ...rest, certificateNo: certificate.certificateNo, id: certificateIdOf(certificate.id) };
}

/**
 * The threads a batch may use, this one included: `DCC_VERIFY_THREADS` when set (1 keeps the
 * batch on this thread), else one per core.
 */
export function verifyThreads(env: Readonly<Record<string, string | undefined>>): number {
  const configured = env['DCC_VERIFY_THREADS'];
  if (configured !== undefined && /^\d+$/.test(configured.trim())) return Math.max(1, Number(configured.trim()));
  return availableParallelism();
}

/**
 * Set by the bundler of the installable `dcc` (scripts/build-dcc.ts): the worker's own bundle,
 * relative to the program's. Undeclared when the program runs from its TypeScript sources.
 */
declare const DCC_BUNDLED_WORKER: string | undefined;

/** A worker thread's program: a module file, or a script evaluated as CommonJS. */
export type WorkerEntry = { file: URL } | { source: string };

/**
 * What a worker thread runs. In the installable package, the worker's bundle beside the
 * program's. From the sources, a script that loads `verify-worker.ts`: a worker does not get the
 * TypeScript loader `bin/dcc.mjs` registered (on Node 20 the ESM loader hooks do not reach worker
 * threads, even with `--import tsx` in its `execArgv`), so it loads the module through tsx's
 * CommonJS API, which works inside the thread itself. Both paths are resolved from here, so any
 * working directory works.
 */
function workerEntry(): WorkerEntry {
  if (typeof DCC_BUNDLED_WORKER === 'string') return { file: new URL(DCC_BUNDLED_WORKER, import.meta.url) };
  const require = createRequire(import.meta.url);
  const tsx = require.resolve('tsx/cjs/api');
  const module = fileURLToPath(new URL('./verify-worker.ts', import.meta.url));
  return { source: `require(${JSON.stringify(tsx)}).require(${JSON.stringify(module)}, ${JSON.stringify(import.meta.url)});` };
}

/**
 * Verifies `tokens` offline into `verdicts` (the verdict of position i at i, `null` where the
 * token is `null`) on `workers` worker threads and on this thread too: this thread starts at
 * once while the workers load the program, and each party takes the next chunk when it is free
 * (a worker once it has loaded), so a batch never waits for a worker's start-up. `onEach` is
 * told once per token as verdicts land. Rejects if a worker fails (it could not start, or
 * crashed), with the verdicts already in place: the caller verifies the holes. `shareHere:
 * false` leaves every chunk to the workers (the tests use it to prove the workers' verdicts);
 * `entry` starts the workers from another program than this one's (the benchmark starts an
 * installed dcc's worker bundle).
 */
export async function verifyOfflineInWorkers(
  tokens: readonly (string | null)[],
  data: OfflineWorkerData,
  workers: number,
  verdicts: (ChunkVerdict | null | undefined)[],
  onEach?: () => void,
  shareHere = true,
  entry: WorkerEntry = workerEntry(),
): Promise<void> {
  const chunks = Math.ceil(tokens.length / CHUNK);
  if (chunks === 0) return;
  const started: Worker[] = [];
  let sent = 0;
  let received = 0;
  let stopped = false;
  const take = (): OfflineChunk | undefined => {
    if (stopped || sent >= chunks) return undefined;
    const id = sent++;
    return { id, tokens: tokens.slice(id * CHUNK, (id + 1) * CHUNK) };
  };
  const land = (result: OfflineChunkResult): void => {
    result.verdicts.forEach((verdict, j) => {
      verdicts[result.id * CHUNK + j] = verdict;
      onEach?.();
    });
    received += 1;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (error: unknown): void => {
        stopped = true;
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      const landed = (result: OfflineChunkResult): boolean => {
        land(result);
        if (received === chunks) resolve();
        return received < chunks;
      };
      for (let i = 0; i < Math.min(workers, shareHere ? chunks - 1 : chunks); i++) {
        const worker =
          'file' in entry ? new Worker(entry.file, { workerData: data }) : new Worker(entry.source, { eval: true, workerData: data });
        started.push(worker);
        const give = (): void => {
          const chunk = take();
          if (chunk) worker.postMessage(chunk);
        };
        worker.on('message', (result: OfflineChunkResult | null) => {
          if (result === null) {
            // Loaded: two chunks queued, so it never waits for the next one.
            give();
            give();
          } else if (landed(result)) give();
        });
        worker.on('error', fail);
        worker.on('exit', (code) => {
          if (received < chunks) fail(new Error(`a verification worker stopped (exit code ${code})`));
        });
      }
      // This thread's share: one chunk at a time, yielding between chunks so that the workers'
      // answers are taken in and they are handed the next chunk without delay.
      const here = async (): Promise<void> => {
        for (let chunk = take(); chunk; chunk = take()) {
          if (!landed({ id: chunk.id, verdicts: await verifyChunk(chunk.tokens, data) })) return;
          await new Promise((next) => setImmediate(next));
        }
      };
      if (shareHere) here().catch(fail);
    });
  } finally {
    stopped = true;
    await Promise.all(started.map((w) => w.terminate()));
  }
}
