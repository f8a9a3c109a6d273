import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type CertificateVerification, verifyCertificatesNow } from '#shared/domain/certificate.ts';
import { certificateIdOf } from '#shared/domain/schemas/credential-terms.ts';
import { looksLikeSdJwt } from '#shared/domain/sd-jwt/sd-jwt.ts';
import type { PublicVerificationJwk } from '#shared/domain/signer.ts';
import { type ReadInput, readUnreadFile } from './token-files.ts';

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

/** What a chunk gives for one of its entries: a verdict, a file read that held no certificate, or `null` for a `null` entry. */
export type ChunkOutcome = ChunkVerdict | ReadInput | null;

/**
 * A slice of the batch sent to a worker: tokens, or the paths of a folder's files (`files`),
 * which the worker reads itself; `null` marks an input that holds no token.
 */
export interface OfflineChunk {
  id: number;
  entries: (string | null)[];
  files: boolean;
}

/** A worker's answer: the outcomes of one chunk, in its order. */
export interface OfflineChunkResult {
  id: number;
  verdicts: ChunkOutcome[];
}

/** Tokens per message: large enough that messaging costs little, small enough to share the tail. */
export const CHUNK = 256;

/**
 * The outcomes of `entries` in their order (`null` for `null`), verdicts whole or slim as `data`
 * says: what a worker does with a chunk, and this thread with its share. Entries that are
 * `files` are read first, here, and one that holds no certificate comes back as what was read
 * ({@link ReadInput}). The certificates are judged together (`verifyCertificatesNow`); a verdict
 * is waited for only where the verification must wait (a key's first proof, zod's issues on a
 * refused payload).
 */
export async function verifyChunk(entries: readonly (string | null)[], files: boolean, data: OfflineWorkerData): Promise<ChunkOutcome[]> {
  const outcomes: ChunkOutcome[] = new Array(entries.length);
  const tokens: string[] = [];
  const positions: number[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as string | null;
    if (entry === null) {
      outcomes[i] = null;
      continue;
    }
    let token = entry;
    if (files) {
      const input = readUnreadFile(entry);
      if (input.token === null || looksLikeSdJwt(input.token)) {
        outcomes[i] = { input };
        continue;
      }
      token = input.token;
    }
    tokens.push(token);
    positions.push(i);
  }
  const judged = verifyCertificatesNow(tokens, data.keys as PublicVerificationJwk[], new Date(data.atMs), { clockSkewSeconds: data.clockSkewSeconds });
  for (let k = 0; k < positions.length; k++) {
    const pending = judged[k] as CertificateVerification | Promise<CertificateVerification>;
    const verdict = pending instanceof Promise ? await pending : pending;
    outcomes[positions[k] as number] = data.slim === true ? slimVerdict(verdict) : verdict;
  }
  return outcomes;
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

/** One batch (a window of a long one) handed to a {@link VerificationPool}, until all its chunks land. */
interface Job {
  verdicts: (ChunkOutcome | undefined)[];
  onEach: (() => void) | undefined;
  /** Chunks not yet landed. */
  left: number;
  done: () => void;
  failed: (error: Error) => void;
}

/** A chunk waiting for a party, and what it is of. */
interface QueuedChunk {
  job: Job;
  /** The position of its first entry's outcome in the job's verdicts. */
  offset: number;
  entries: (string | null)[];
  files: boolean;
}

/** Chunks a worker holds at most: the one it verifies and the next, so that it never waits for a message. */
const IN_FLIGHT = 2;

/**
 * Worker threads kept for a whole run, and this thread beside them: each batch given to
 * {@link VerificationPool.verify} is cut into chunks, and each party takes the next chunk when it
 * is free (a worker once it has loaded the program, this thread between its other work), so no
 * batch waits for a worker's start-up and a long run loads the program once per thread. The
 * batches given one after another are queued in that order: while this thread reports on one,
 * the workers go on with the next. If a worker fails (it could not start, or crashed), every
 * batch not yet verified rejects with the verdicts already in place, and so does any later one:
 * the caller verifies the holes itself.
 */
export class VerificationPool {
  private readonly workers: { worker: Worker; inFlight: number; loaded: boolean }[] = [];
  private readonly queue: QueuedChunk[] = [];
  /** Chunks sent to workers and not yet back, by message id. */
  private readonly sent = new Map<number, QueuedChunk>();
  private readonly jobs = new Set<Job>();
  private nextId = 0;
  private failure: Error | undefined;
  private closing = false;
  private sharing = false;

  /**
   * Starts `workers` threads from `entry` (by default this program's worker). `shareHere:
   * false` leaves every chunk to the workers (the tests use it to prove the workers' verdicts);
   * `entry` starts them from another program than this one's (the benchmark starts an
   * installed dcc's worker bundle).
   */
  constructor(
    private readonly data: OfflineWorkerData,
    workers: number,
    entry: WorkerEntry = workerEntry(),
    private readonly shareHere = true,
  ) {
    for (let i = 0; i < workers; i++) {
      const worker = 'file' in entry ? new Worker(entry.file, { workerData: data }) : new Worker(entry.source, { eval: true, workerData: data });
      const party = { worker, inFlight: 0, loaded: false };
      this.workers.push(party);
      worker.on('message', (result: OfflineChunkResult | null) => {
        if (result === null) {
          party.loaded = true;
        } else {
          party.inFlight -= 1;
          this.land(this.sent.get(result.id), result.verdicts);
          this.sent.delete(result.id);
        }
        this.feed(party);
      });
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (!this.closing) this.fail(new Error(`a verification worker stopped (exit code ${code})`));
      });
    }
  }

  /**
   * Verifies `entries` offline into `verdicts` (the outcome of position i at `at` + i, `null`
   * where the entry is `null`), telling `onEach` once per entry as its outcome lands. The entries
   * are tokens, or with `files` the paths of a folder's files, read by the thread that verifies
   * them. Resolves when every outcome is in place; rejects if the pool failed, with the outcomes
   * already in place.
   */
  verify(entries: readonly (string | null)[], verdicts: (ChunkOutcome | undefined)[], onEach?: () => void, at = 0, files = false): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (entries.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const job: Job = { verdicts, onEach, left: Math.ceil(entries.length / CHUNK), done: resolve, failed: reject };
      this.jobs.add(job);
      for (let offset = 0; offset < entries.length; offset += CHUNK) {
        this.queue.push({ job, offset: at + offset, entries: entries.slice(offset, offset + CHUNK), files });
      }
      for (const party of this.workers) this.feed(party);
      if (this.shareHere && !this.sharing) {
        this.sharing = true;
        // This thread's share starts once the caller has let go of the thread (it may read the next batch first).
        setImmediate(() => void this.verifyHere());
      }
    });
  }

  /** Stops the workers; a batch still running rejects. */
  async close(): Promise<void> {
    this.closing = true;
    this.fail(new Error('the verification workers were stopped'));
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }

  /** Gives `party` chunks until it holds {@link IN_FLIGHT}, once it has loaded. */
  private feed(party: { worker: Worker; inFlight: number; loaded: boolean }): void {
    while (party.loaded && party.inFlight < IN_FLIGHT && !this.failure) {
      const chunk = this.queue.shift();
      if (chunk === undefined) return;
      const id = this.nextId++;
      this.sent.set(id, chunk);
      party.inFlight += 1;
      const message: OfflineChunk = { id, entries: chunk.entries, files: chunk.files };
      party.worker.postMessage(message);
    }
  }

  /**
   * This thread's share: one chunk at a time while any is queued, yielding between chunks so
   * that the workers' answers are taken in and they are handed the next chunk without delay.
   */
  private async verifyHere(): Promise<void> {
    try {
      for (let chunk = this.queue.shift(); chunk && !this.failure; chunk = this.queue.shift()) {
        this.land(chunk, await verifyChunk(chunk.entries, chunk.files, this.data));
        await new Promise((next) => setImmediate(next));
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.sharing = false;
    }
  }

  /** Puts a chunk's verdicts in their places; its job is done when its last chunk lands. */
  private land(chunk: QueuedChunk | undefined, verdicts: readonly ChunkOutcome[]): void {
    if (chunk === undefined || this.failure) return;
    const { job, offset } = chunk;
    verdicts.forEach((verdict, j) => {
      job.verdicts[offset + j] = verdict;
      job.onEach?.();
    });
    job.left -= 1;
    if (job.left === 0) {
      this.jobs.delete(job);
      job.done();
    }
  }

  /** Rejects every batch not yet verified, and any later one. */
  private fail(error: unknown): void {
    if (this.failure) return;
    this.failure = error instanceof Error ? error : new Error(String(error));
    this.queue.length = 0;
    this.sent.clear();
    for (const job of this.jobs) job.failed(this.failure);
    this.jobs.clear();
  }
}

/**
 * Verifies `tokens` offline into `verdicts` on `workers` worker threads started for this batch
 * alone, and on this thread too (see {@link VerificationPool}). Rejects if a worker fails, with
 * the verdicts already in place: the caller verifies the holes.
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
  if (tokens.length === 0) return;
  // No more workers than chunks that this thread would not take itself.
  const chunks = Math.ceil(tokens.length / CHUNK);
  const pool = new VerificationPool(data, Math.min(workers, shareHere ? chunks - 1 : chunks), entry, shareHere);
  try {
    await pool.verify(tokens, verdicts, onEach);
  } finally {
    await pool.close();
  }
}
