import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { availableParallelism, tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { compactVerify } from 'jose';
import { BATCH_CONCURRENCY, type BatchOptions, verifyBatch, WORKER_THRESHOLD, type VerifySettings } from '../cli/verification.ts';
import { processIo } from '../cli/main.ts';
import { verifyCertificate } from '#shared/domain/certificate.ts';
import { isRecord } from '#shared/support/record.ts';
import { PACKAGE_DIR, PROGRAM, WORKER, buildDcc } from '../scripts/build-dcc.ts';
import { benchCertificate, benchSigner } from './offline-certificates.ts';
import { type RawInput, essentialSteps, rawInputOf, rawVerify, rawVerifyP1363 } from './raw-verify.ts';
import { median, round, runJsonChild } from './support.ts';

export interface BatchVerifyResults {
  /**
   * Certificates per second through the command line's batch path (`verifyBatch` as
   * `dcc verify <folder>` calls it, results without the certificates: `verifyCertificate`,
   * node:crypto on the calling thread).
   */
  perSecond: number;
  /**
   * `crypto.verify` calls per second over the same tokens' signing inputs and signatures, in the
   * floor's form (bench/raw-verify.ts: the key as itself, the signature as DER).
   */
  rawPerSecond: number;
  /** The same calls in the form `{ key, dsaEncoding: 'ieee-p1363' }` on the tokens' R||S: what Node charges for it. */
  rawIeeeP1363PerSecond: number;
  ratio: number;
  /**
   * The same tokens through the steps no verification can skip and nothing else
   * (`essentialSteps` of bench/raw-verify.ts: split, base64url, the signature, UTF-8,
   * `JSON.parse`), one after another. `essentialRatio` against the floor is the most the batch
   * could reach with every check of its own at no cost; between it and `ratio` lies all the
   * checking the verifier does.
   */
  essentialPerSecond: number;
  essentialRatio: number;
  /** `verifyCertificate` one token after another: what the batch path gains by overlapping. */
  serialPerSecond: number;
  serialRatio: number;
  /**
   * jose `compactVerify` alone, one after another, on the same tokens and key: jose 6 verifies
   * through WebCrypto, one libuv thread-pool job per signature, and the main thread waits.
   */
  joseCompactVerifyPerSecond: number;
  joseRatio: number;
  concurrency: number;
  /** Whether the figures above ran pinned to one CPU (`taskset`); when false they had the machine. */
  pinnedToOneCore: boolean;
  /**
   * The batch path again with the whole machine (`cpus` cores), on a batch of `batchSize` (far
   * above the worker threshold, so that `dcc verify` spreads it over worker threads; each run
   * starts its workers, so their start-up is counted). `ratio` compares it with the pinned
   * raw rate × `cpus`.
   */
  allCores: {
    perSecond: number;
    serialPerSecond: number;
    cpus: number;
    batchSize: number;
    ratio: number;
    /**
     * `crypto.verify` on every core at once (one loop per thread, `cpus` threads), in the same
     * child as `perSecond`: what the machine gave this run. Below raw × cpus when other work
     * shares the cores; `rawRatio` is the batch against it, the part of the gap that is ours.
     */
    rawPerSecond: number;
    rawRatio: number;
    /** How the figure was measured, and what it counts that an installed `dcc` would not. */
    method: string;
  };
  /** The auditor's whole command on an archive, as {@link ArchiveVerifyResults} says. */
  archive: ArchiveVerifyResults;
  tokens: number;
}

/**
 * `dcc verify <folder>` as an auditor runs it: the installed dcc (scripts/build-dcc.ts) spawned
 * on a folder of `files` certificate files and the JWKS, from spawn to exit, so that listing
 * the folder, reading every file, the worker threads and the report are all counted.
 */
export interface ArchiveVerifyResults {
  files: number;
  /** Certificates per second of the median run. */
  perSecond: number;
  /** `perSecond` against the pinned raw rate × cores, as `allCores.ratio`. */
  ratio: number;
  /** The median run's wall time (ms), spawn to exit. */
  medianMs: number;
  /** The median of the runs' peak resident memory (MiB), every thread of the process, as the system counted it at exit. */
  peakRssMiB: number;
  runs: number;
  method: string;
}

export interface BatchVerifyOptions {
  tokens: number;
  /** Runs of `dcc verify <folder>` on the archive. */
  archiveRuns: number;
  /** How long each loop runs (ms). */
  timeMs: number;
  log: (line: string) => void;
}

const run = promisify(execFile);

/**
 * Offline batch verification, the auditor's case: a folder of certificates and the JWKS. The
 * measurement runs in a child process pinned to one CPU with `taskset` (where the machine has
 * it), so neither WebCrypto's thread pool (jose) nor worker threads (the pinned process sees one
 * core, so `dcc` starts none) can lend the batch path a second core that the raw loop does not
 * use: every figure is work done by one core. A second child then has the whole machine.
 */
export async function measureBatchVerify(options: BatchVerifyOptions): Promise<BatchVerifyResults> {
  const script = fileURLToPath(import.meta.url);
  // The installable dcc, built as `npm pack` builds it (scripts/build-dcc.ts), once for both of its uses below.
  await buildDcc();
  // A batch large enough for worker threads starts them as an installed dcc does: from its bundle.
  const workerBundle = allCoresBatchSize(options.tokens) >= WORKER_THRESHOLD ? fileURLToPath(new URL(`../${PACKAGE_DIR}/${WORKER}`, import.meta.url)) : undefined;
  const argsOf = (allCores: boolean): string[] => [
    '--import',
    'tsx',
    script,
    JSON.stringify({ tokens: options.tokens, timeMs: options.timeMs, allCores, ...(allCores && workerBundle ? { workerBundle } : {}) }),
  ];
  const taskset = await run('taskset', ['--version']).then(
    () => true,
    () => false,
  );
  // The last CPU: on a loaded machine the first is the usual home of interrupts.
  const cpu = String(Math.max(0, availableParallelism() - 1));
  options.log(`batch verify: ${options.tokens} certificates, ${options.timeMs} ms per loop, ${taskset ? `pinned to CPU ${cpu}` : 'not pinned (no taskset)'}`);
  const measure = (command: string, commandArgs: string[]): Promise<Measured> =>
    runJsonChild<Measured>(command, commandArgs, { what: 'the batch verification', cwd: fileURLToPath(new URL('..', import.meta.url)) });
  const measured = taskset ? await measure('taskset', ['-c', cpu, process.execPath, ...argsOf(false)]) : await measure(process.execPath, argsOf(false));
  const whole = await measure(process.execPath, argsOf(true));
  const cpus = availableParallelism();
  const archive = await measureArchive(allCoresBatchSize(options.tokens), options.archiveRuns, measured.rawPerSecond * cpus, options.log);
  const { batchSize: _pinnedBatch, rawAllCoresPerSecond: _pinnedRaw, ...pinned } = measured;
  return {
    ...pinned,
    pinnedToOneCore: taskset,
    allCores: {
      perSecond: whole.perSecond,
      serialPerSecond: whole.serialPerSecond,
      cpus,
      batchSize: whole.batchSize,
      ratio: round(whole.perSecond / (measured.rawPerSecond * cpus), 3),
      rawPerSecond: whole.rawAllCoresPerSecond,
      rawRatio: round(whole.perSecond / whole.rawAllCoresPerSecond, 3),
      method: ALL_CORES_METHOD,
    },
    archive,
  };
}

/**
 * {@link ArchiveVerifyResults}: a folder of `files` certificates (the same distinct tokens as
 * the other figures, again and again) written to a temporary folder, then `runs` runs of the
 * installed dcc on it; `rawTimesCores` is the pinned raw rate × cores.
 */
async function measureArchive(files: number, runs: number, rawTimesCores: number, log: (line: string) => void): Promise<ArchiveVerifyResults> {
  // Built by the caller.
  const program = fileURLToPath(new URL(`../${PACKAGE_DIR}/${PROGRAM}`, import.meta.url));
  const dir = await mkdtemp(join(tmpdir(), 'dcc-bench-archive-'));
  try {
    const { signer, jwk } = benchSigner();
    const now = new Date();
    const tokens: string[] = [];
    for (let i = 0; i < Math.min(files, DISTINCT_ARCHIVE_TOKENS); i++) tokens.push(await benchCertificate(signer, i, now));
    const folder = join(dir, 'archive');
    await mkdir(folder);
    for (let i = 0; i < files; i++) writeFileSync(join(folder, `certificate-${String(i).padStart(8, '0')}.jwt`), tokens[i % tokens.length] as string);
    await writeFile(join(dir, 'jwks.json'), JSON.stringify({ keys: [jwk] }));
    log(`archive: dcc verify <folder> of ${files} files, ${runs} runs`);
    const times: number[] = [];
    const peaks: number[] = [];
    for (let k = 0; k < runs; k++) {
      const started = performance.now();
      const { stdout, stderr } = await run(process.execPath, ['--import', PEAK_AT_EXIT, program, 'verify', folder, '--jwks', join(dir, 'jwks.json')], {
        cwd: dir,
        env: { PATH: process.env['PATH'] ?? '', HOME: dir },
        maxBuffer: 1024 * 1024,
      });
      times.push(performance.now() - started);
      if (!stdout.includes(`Verified ${files} certificates: ${files} valid.`)) throw new Error(`dcc verify <folder> reported: ${stdout.slice(0, 1000)}`);
      const peak = /^peak-rss-kib (\d+)$/m.exec(stderr);
      if (peak === null) throw new Error(`dcc verify <folder> did not report its peak memory: ${stderr.slice(0, 1000)}`);
      peaks.push(Number(peak[1]) / 1024);
    }
    const medianMs = median(times);
    const perSecond = (files / medianMs) * 1000;
    return {
      files,
      perSecond: round(perSecond, 0),
      ratio: round(perSecond / rawTimesCores, 3),
      medianMs: round(medianMs, 0),
      peakRssMiB: round(median(peaks), 1),
      runs,
      method: ARCHIVE_METHOD,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A module loaded before the program that prints, as the process exits, its peak resident memory
 * (getrusage's maximum, which counts every thread) to standard error.
 */
const PEAK_AT_EXIT = `data:text/javascript,${encodeURIComponent(
  "import { writeSync } from 'node:fs'; process.on('exit', () => writeSync(2, `\\npeak-rss-kib ${process.resourceUsage().maxRSS}\\n`));",
)}`;

/** Distinct certificates in the archive: signing each costs the bench time, and their number does not change the work per file. */
const DISTINCT_ARCHIVE_TOKENS = 1000;

const ARCHIVE_METHOD =
  'the installed dcc (scripts/build-dcc.ts) spawned as an auditor runs it, dcc verify <folder> --jwks <file>, on a folder of one certificate per file ' +
  '(written just before, so in the page cache: an archive read cold from disk adds the disk\'s time), spawn to exit, the median of the runs; ' +
  'ratio: against the pinned raw crypto.verify rate × cores. peakRssMiB: the process\'s peak resident memory, every thread, from getrusage at its exit ' +
  '(a module given to node with --import prints it), the median of the runs.';

/**
 * The whole-machine batch: far above the worker threshold, the auditor's archive case, so that
 * the workers' start-up (each loads the program) weighs what it weighs there.
 */
const ALL_CORES_BATCH = 25 * WORKER_THRESHOLD;

/**
 * The whole-machine batch for `tokens` distinct tokens: the tokens again and again up to
 * {@link ALL_CORES_BATCH}. The smoke run's handful of tokens stays a handful (below the
 * threshold: no workers).
 */
function allCoresBatchSize(tokens: number): number {
  return Math.max(tokens, Math.min(ALL_CORES_BATCH, 50 * tokens));
}

const ALL_CORES_METHOD =
  'verifyBatch as dcc verify <folder> calls it (results without the certificates), in a child with ' +
  'every core: the calling thread runs the TypeScript sources (node --import tsx, loaded before ' +
  'the timing), the worker threads start from the installed dcc\'s worker bundle (scripts/build-dcc.ts), ' +
  'as an installed dcc starts them; each batch starts its workers, so their start-up is counted. ' +
  'A dcc run from the repository (bin/dcc.mjs) starts them through tsx instead, about 0.6 s more CPU per worker. ' +
  'rawPerSecond: crypto.verify on every core at once in the same child, just before the batch.';

/** What a child reports; `rawAllCoresPerSecond` is 0 in the pinned child, which does not measure it. */
type Measured = Omit<BatchVerifyResults, 'pinnedToOneCore' | 'allCores' | 'archive'> & { batchSize: number; rawAllCoresPerSecond: number };

/**
 * The measurement itself, in whatever process runs it. Every result is checked. `workerBundle`:
 * the worker threads' program when it is not this one's (an installed dcc's).
 */
async function measureHere(tokenCount: number, timeMs: number, allCores: boolean, workerBundle?: string): Promise<Measured> {
  const { signer, publicKey, jwk } = benchSigner();
  const now = new Date();
  const tokens: string[] = [];
  for (let i = 0; i < tokenCount; i++) tokens.push(await benchCertificate(signer, i, now));
  const settings: VerifySettings = { keys: [jwk], at: now, clockSkewSeconds: 300 };
  const io = processIo();
  // On the whole machine the batch is large enough for worker threads.
  const batchSize = allCores ? allCoresBatchSize(tokens.length) : tokens.length;
  const items = Array.from({ length: batchSize }, (_, i) => ({ source: `certificate-${i}.jwt`, token: tokens[i % tokens.length] as string }));
  const raw = tokens.map(rawInputOf);

  // As `dcc verify` calls it on a batch: verdicts only.
  const batchOptions: BatchOptions = { certificates: false, ...(workerBundle ? { workerEntry: { file: pathToFileURL(workerBundle) } } : {}) };
  const batchOf = async (): Promise<number> => {
    const results = await verifyBatch(items, settings, io, batchOptions);
    const bad = results.findIndex((r) => !r.verified);
    if (bad >= 0) throw new Error(`certificate ${bad} did not verify: ${JSON.stringify(results[bad]?.checks)}`);
    return items.length;
  };
  // Warm every path up before timing (JIT, key caches).
  await batchOf();
  // On the whole machine: what raw verification gets from every core at once, right now.
  const rawAllCores = allCores ? await rawOnEveryCore(raw, publicKey, timeMs) : 0;
  for (const r of raw.slice(0, 50)) if (!rawVerify(publicKey, r) || !rawVerifyP1363(publicKey, r)) throw new Error('raw verification failed');
  for (const t of tokens.slice(0, 50)) await compactVerify(t, jwk, { algorithms: ['ES256'] });
  for (const t of tokens.slice(0, 50)) if (!isRecord(essentialSteps(publicKey, t))) throw new Error('the essential steps failed');

  // The loops take turns in short slices, so load from elsewhere on the machine falls on all alike.
  // A whole-machine batch takes seconds, so there each loop runs once, for at least `timeMs`.
  const slices = allCores ? 1 : Math.max(1, Math.round(timeMs / 250));
  const sliceMs = timeMs / slices;
  const ours = { count: 0, ms: 0 };
  const serial = { count: 0, ms: 0 };
  const rawLoop = { count: 0, ms: 0 };
  const rawP1363Loop = { count: 0, ms: 0 };
  const essentialLoop = { count: 0, ms: 0 };
  const joseLoop = { count: 0, ms: 0 };
  let next = 0;
  for (let s = 0; s < slices; s++) {
    await timed(ours, sliceMs, batchOf);
    await timed(serial, sliceMs, async () => {
      const i = next++ % tokens.length;
      const result = await verifyCertificate(tokens[i] as string, settings.keys, now, { clockSkewSeconds: 300 });
      if (!result.verified) throw new Error(`certificate ${i} did not verify: ${JSON.stringify(result.checks)}`);
      return 1;
    });
    await timed(rawLoop, sliceMs, () => {
      if (!rawVerify(publicKey, raw[next++ % raw.length] as RawInput)) throw new Error('raw verification failed');
      return 1;
    });
    await timed(rawP1363Loop, sliceMs, () => {
      if (!rawVerifyP1363(publicKey, raw[next++ % raw.length] as RawInput)) throw new Error('raw verification failed');
      return 1;
    });
    await timed(essentialLoop, sliceMs, () => {
      if (essentialSteps(publicKey, tokens[next++ % tokens.length] as string) === undefined) throw new Error('the essential steps failed');
      return 1;
    });
    await timed(joseLoop, sliceMs, async () => {
      await compactVerify(tokens[next++ % tokens.length] as string, jwk, { algorithms: ['ES256'] });
      return 1;
    });
  }
  const rate = (loop: { count: number; ms: number }): number => (loop.count / loop.ms) * 1000;
  const rawPerSecond = rate(rawLoop);
  return {
    perSecond: round(rate(ours), 0),
    rawPerSecond: round(rawPerSecond, 0),
    rawIeeeP1363PerSecond: round(rate(rawP1363Loop), 0),
    ratio: round(rate(ours) / rawPerSecond, 3),
    essentialPerSecond: round(rate(essentialLoop), 0),
    essentialRatio: round(rate(essentialLoop) / rawPerSecond, 3),
    serialPerSecond: round(rate(serial), 0),
    serialRatio: round(rate(serial) / rawPerSecond, 3),
    joseCompactVerifyPerSecond: round(rate(joseLoop), 0),
    joseRatio: round(rate(joseLoop) / rawPerSecond, 3),
    concurrency: BATCH_CONCURRENCY,
    tokens: tokens.length,
    batchSize,
    rawAllCoresPerSecond: round(rawAllCores, 0),
  };
}

/**
 * `crypto.verify` calls per second on every core at once: one loop here and one in each of
 * `availableParallelism() - 1` plain-JavaScript worker threads (no program to load), all timed
 * over the same `ms`.
 */
async function rawOnEveryCore(raw: readonly RawInput[], publicKey: KeyObject, ms: number): Promise<number> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { createPublicKey, verify } = require('node:crypto');
    const key = createPublicKey(workerData.pem);
    const raw = workerData.raw.map((r) => ({ data: Buffer.from(r.data), der: Buffer.from(r.der) }));
    parentPort.once('message', (ms) => {
      const started = performance.now();
      let count = 0;
      while (performance.now() - started < ms) {
        for (let i = 0; i < 16; i++, count++) {
          const r = raw[count % raw.length];
          if (!verify('sha256', r.data, key, r.der)) throw new Error('raw verification failed');
        }
      }
      parentPort.postMessage((count / (performance.now() - started)) * 1000);
    });
    parentPort.postMessage('ready');`;
  const pem = publicKey.export({ type: 'spki', format: 'pem' });
  const workers = Array.from({ length: availableParallelism() - 1 }, () => new Worker(source, { eval: true, workerData: { pem, raw } }));
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise((ready, failed) => {
            w.once('message', ready);
            w.once('error', failed);
          }),
      ),
    );
    const answers = workers.map((w) => new Promise<number>((done, failed) => {
      w.once('message', done);
      w.once('error', failed);
    }));
    for (const w of workers) w.postMessage(ms);
    const here = { count: 0, ms: 0 };
    let next = 0;
    await timed(here, ms, () => {
      if (!rawVerify(publicKey, raw[next++ % raw.length] as RawInput)) throw new Error('raw verification failed');
      return 1;
    });
    return (here.count / here.ms) * 1000 + (await Promise.all(answers)).reduce((sum, rate) => sum + rate, 0);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * Runs `op` one call after another for at least `ms`, adding the certificates it reports and
 * the time to `into`. Only asynchronous work is awaited: a tick per raw verification would
 * flatter the ratio.
 */
async function timed(into: { count: number; ms: number }, ms: number, op: () => number | Promise<number>): Promise<void> {
  const started = performance.now();
  let elapsed = 0;
  let count = 0;
  let calls = 0;
  while (elapsed < ms) {
    const pending = op();
    const done = typeof pending === 'number' ? pending : await pending;
    count += done;
    if (done > 1 || (++calls & 7) === 0) elapsed = performance.now() - started;
  }
  into.count += count;
  into.ms += performance.now() - started;
}

// Run as a script (the child process above): measure, print the JSON on the last line.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { tokens, timeMs, allCores, workerBundle } = JSON.parse(process.argv[2] ?? '{}') as { tokens: number; timeMs: number; allCores: boolean; workerBundle?: string };
  measureHere(tokens, timeMs, allCores, workerBundle).then(
    (results) => {
      process.stdout.write(`${JSON.stringify(results)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`batch verify failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
