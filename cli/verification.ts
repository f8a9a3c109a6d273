import { type CertificateVerification, verifyCertificateNow, verifyCertificatesNow } from '#shared/domain/certificate.ts';
import { certificateIdOf } from '#shared/domain/schemas/credential-terms.ts';
import type { DisclosableClaim } from '#shared/domain/schemas/credential-terms.ts';
import type { DisclosedCredential } from '#shared/domain/schemas/disclosed-credential.ts';
import { type ExpectedKeyBinding, verifyCertificatePresentation } from '#shared/domain/sd-jwt/certificate-sd-jwt.ts';
import { issuerJwtVerifier } from '#shared/domain/sd-jwt/issuer-jwt-verifier.ts';
import { looksLikeSdJwt } from '#shared/domain/sd-jwt/sd-jwt.ts';
import type { PublicVerificationJwk } from '#shared/domain/signer.ts';
import { checkRevocationStatus, type StatusListFetcher } from '#shared/domain/status-list-check.ts';
import type { CliIo } from './context.ts';
import { bodyText, boundedFetch, fetchLimits, noteSourceFailure, SourceError } from './bounded-fetch.ts';
import { type ItemSource, itemsOf } from './inputs.ts';
import { type Item, isReadInput, isUnread, settledItem, type TokenInput } from './token-files.ts';
import type { ChunkOutcome, ChunkVerdict, VerificationPool, WorkerEntry } from './verify-workers.ts';

/**
 * One certificate judged the way the command line reports it: the service's own offline
 * verification (`verifyCertificate`), then, when online, the revocation bit from the signed
 * status list (shared with the verification page).
 */

export type CliStatus = 'active' | 'revoked' | 'expired' | 'not-yet-valid' | 'invalid' | 'status-unknown';

/** Every status, in the order summaries list them. */
export const CLI_STATUSES: readonly CliStatus[] = ['active', 'revoked', 'expired', 'not-yet-valid', 'status-unknown', 'invalid'];

export interface CliCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

/** The verdict on one input item. */
export interface ItemResult {
  source: string;
  status: CliStatus;
  verified: boolean;
  /** The first failed check's detail; absent when verified. */
  reason?: string;
  checks: CliCheck[];
  certificateNo?: string;
  id?: string;
  /** The certificate as proven: every claim of a full certificate, only the disclosed ones of a presentation. */
  certificate?: DisclosedCredential;
  /** Present for a presentation of a selectively disclosable form: what it disclosed and what stayed hidden. */
  presentation?: { disclosed: DisclosableClaim[]; hidden: DisclosableClaim[]; holderBound: boolean };
}

export interface VerifySettings {
  keys: PublicVerificationJwk[];
  at: Date;
  clockSkewSeconds: number;
  /** Present with `--online`. */
  fetchStatusList?: StatusListFetcher;
  /** `--aud` and `--nonce`: what a holder-bound presentation's Key Binding JWT must carry. */
  keyBinding?: ExpectedKeyBinding;
}

/**
 * An offline verdict: of a certificate, or of a presentation with what it disclosed. A slim
 * verdict of a worker carries the certificate's number and id instead of the certificate.
 */
interface OfflineVerdict {
  status: CertificateVerification['status'];
  checks: CliCheck[];
  certificate?: DisclosedCredential;
  certificateNo?: string;
  id?: string;
  presentation?: ItemResult['presentation'];
}

/**
 * A status list fetcher that asks each URL once per run (a batch shares its lists), within the
 * run's limits. A list that misbehaves (unreachable, too slow, too big, redirected) leaves its
 * certificates of unknown status, as the page does, and is recorded so that the run ends with
 * exit code 2 and the reason on standard error.
 */
export function cachingStatusListFetcher(io: CliIo): StatusListFetcher {
  const cache = new Map<string, Promise<string>>();
  return (url) => {
    let pending = cache.get(url);
    if (!pending) {
      pending = (async () => {
        if (!/^https?:\/\//i.test(url)) throw new Error('not an http(s) URL');
        let response;
        try {
          response = await boundedFetch(io, url, { headers: { accept: 'application/vc+jwt' } }, fetchLimits(io, 'statusList'), 'the status list');
        } catch (error) {
          if (!(error instanceof SourceError)) throw error;
          noteSourceFailure(io, error);
          throw new Error(error.reason);
        }
        if (response.status < 200 || response.status > 299) throw new Error(`HTTP ${response.status}`);
        return bodyText(response);
      })();
      cache.set(url, pending);
    }
    return pending;
  };
}

/** Judges one item; never throws for bad data. */
export async function verifyItem(item: TokenInput, settings: VerifySettings, io: CliIo): Promise<ItemResult> {
  const offline = item.token === null ? null : await verifyOffline(item.token, settings);
  return completeItem(item, offline, settings, io);
}

/** The offline verdict on `token`; a certificate's without a promise when it needs none (`verifyCertificateNow`). */
function verifyOffline(token: string, settings: VerifySettings): OfflineVerdict | Promise<OfflineVerdict> {
  if (!looksLikeSdJwt(token)) return verifyCertificateNow(token, settings.keys, settings.at, { clockSkewSeconds: settings.clockSkewSeconds });
  return verifyPresentation(token, settings);
}

/** A presentation: the same signature steps, then its disclosures and key binding. */
async function verifyPresentation(token: string, settings: VerifySettings): Promise<OfflineVerdict> {
  const result = await verifyCertificatePresentation(token, issuerJwtVerifier(settings.keys), settings.at, {
    clockSkewSeconds: settings.clockSkewSeconds,
    ...(settings.keyBinding ? { keyBinding: settings.keyBinding } : {}),
  });
  const shown = result.presentation;
  return {
    status: result.status,
    checks: result.checks,
    ...(shown
      ? { certificate: shown.claims, presentation: { disclosed: shown.disclosed, hidden: shown.hidden, holderBound: shown.holderKey !== null } }
      : {}),
  };
}

/**
 * The verdict on one item from its offline verification (null: the item holds no token), plus
 * revocation when online; without a promise when offline. `keep: false` leaves the certificate
 * out of the result (its number and id stay).
 */
function completeItem(item: Item, offline: OfflineVerdict | null, settings: VerifySettings, io: CliIo, keep = true): ItemResult | Promise<ItemResult> {
  if (item.token === null || offline === null) {
    const detail = `The input is ${item.problem ?? 'not a token'}.`;
    return { source: item.source, status: 'invalid', verified: false, reason: detail, checks: [{ name: 'input', ok: false, detail }] };
  }
  const certificate = offline.certificate;
  // The verdict is this item's alone: its checks become the result's, unless revocation adds one.
  if (!certificate || !settings.fetchStatusList) return itemResult(item, offline, offline.status, offline.checks, keep);
  // A revoked certificate is reported as revoked even when it has also expired.
  return checkRevocationStatus(
    certificate.credentialStatus,
    certificate.issuer,
    settings.keys,
    settings.fetchStatusList,
    io.now(),
    settings.clockSkewSeconds,
  ).then((outcome) => {
    let status: CliStatus = offline.status;
    if (!outcome.ok) status = status === 'active' ? 'status-unknown' : status;
    else if (outcome.revoked) status = 'revoked';
    return itemResult(item, offline, status, [...offline.checks, outcome.check], keep);
  });
}

/** The first check that failed (a loop: no closure per item of a batch). */
function firstFailed(checks: readonly CliCheck[]): CliCheck | undefined {
  for (const check of checks) if (!check.ok) return check;
  return undefined;
}

/**
 * The result of an item that held a token, from its verdict, final status and checks (the
 * result's own array). Built member by member, in the order the JSON report prints them.
 */
function itemResult(item: Item, offline: OfflineVerdict, status: CliStatus, checks: CliCheck[], keep: boolean): ItemResult {
  const reason = firstFailed(checks)?.detail;
  const verified = status === 'active';
  const result: ItemResult = reason ? { source: item.source, status, verified, reason, checks } : { source: item.source, status, verified, checks };
  const { certificate } = offline;
  if (certificate) {
    result.certificateNo = certificate.certificateNo;
    result.id = certificateIdOf(certificate.id);
    if (keep) result.certificate = certificate;
  } else if (offline.certificateNo !== undefined) {
    result.certificateNo = offline.certificateNo;
    result.id = offline.id as string;
  }
  if (offline.presentation) result.presentation = offline.presentation;
  return result;
}

/**
 * How many certificates a batch keeps in flight on one thread. The offline check is CPU work on
 * the calling thread; overlapping matters for `--online`, where items wait for their status list.
 */
export const BATCH_CONCURRENCY = 16;

/**
 * From this many items on, a batch verifies offline on worker threads, one per core (see
 * `verifyThreads`): below it, starting the workers (each loads the program) costs more than the
 * second core saves.
 */
export const WORKER_THRESHOLD = 2_000;

/**
 * The items this thread judges together (`verifyCertificatesNow`): enough that the signature
 * checks run back to back, few enough that a progress bar moves and revocation overlaps.
 */
const STRIDE = 64;

/** Options of {@link verifyBatch}. */
export interface BatchOptions {
  /** Items in flight on this thread; {@link BATCH_CONCURRENCY} by default. */
  concurrency?: number;
  /** Told once per item as its verdict lands (a progress bar). */
  onEach?: () => void;
  /** Threads for the offline checks, this one included; `verifyThreads` by default. */
  threads?: number;
  /**
   * False: the results leave the certificate out (its number and id stay), for a caller that
   * reports verdicts only (`dcc verify` on a batch). Worker threads then send slim verdicts, and
   * a large batch keeps no decoded credentials. True by default.
   */
  certificates?: boolean;
  /** The worker threads' program, when not this one's (the benchmark starts an installed dcc's). */
  workerEntry?: WorkerEntry;
  /** Items per window ({@link verifyInWindows}); {@link BATCH_WINDOW} by default. */
  window?: number;
}

/**
 * Items a batch reads, verifies and reports at a time: what a run holds of a large archive is
 * two windows of tokens (the one reported and the next, read and verified meanwhile), never
 * the archive.
 */
const BATCH_WINDOW = 8192;

/**
 * Judges every item, `concurrency` at a time, and returns the verdicts in input order;
 * `onEach` is told after each one (a progress bar). A batch of {@link WORKER_THRESHOLD} items or
 * more verifies offline on worker threads first (the same `verifyCertificate`, so the same
 * verdicts); revocation, which shares the run's status list cache, stays on this thread.
 * Never throws for bad data.
 */
export async function verifyBatch(items: readonly TokenInput[], settings: VerifySettings, io: CliIo, options: BatchOptions = {}): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  await verifyInWindows(itemsOf(items), settings, io, options, (window) => {
    for (const result of window) results.push(result);
  });
  return results;
}

/**
 * {@link verifyBatch} a window at a time ({@link BATCH_WINDOW} items, or `options.window`):
 * `report` is given each window's results in input order, and nothing of a window is kept
 * once it is reported. The worker threads, when the batch uses them, are started once for the
 * whole batch; while this thread judges and reports one window, they verify the next. A
 * folder's files are read by the thread that verifies them: this one holds their names only.
 */
export async function verifyInWindows(
  source: ItemSource,
  settings: VerifySettings,
  io: CliIo,
  options: BatchOptions,
  report: (results: ItemResult[]) => void,
): Promise<void> {
  const keep = options.certificates ?? true;
  const size = Math.max(1, options.window ?? BATCH_WINDOW);
  // The worker threads' module is loaded only for a batch that may use them: a short run pays for no thread machinery.
  const threading = source.length >= WORKER_THRESHOLD ? await import('./verify-workers.ts') : undefined;
  const threads = options.threads ?? threading?.verifyThreads(io.env) ?? 1;
  // Revocation reads the certificate's status entry here, so an online batch gets whole verdicts.
  const slim = !keep && !settings.fetchStatusList;
  // One worker per further thread, and no more than the batch has chunks for beside this thread's first.
  const parties = threading ? Math.min(threads - 1, Math.ceil(source.length / threading.CHUNK) - 1) : 0;
  const workers =
    threading && parties > 0
      ? new threading.VerificationPool({ keys: settings.keys, atMs: settings.at.getTime(), clockSkewSeconds: settings.clockSkewSeconds, slim }, parties, options.workerEntry)
      : undefined;
  // The pool while it works; once it has failed, this thread verifies alone.
  let pool: VerificationPool | undefined = workers;
  const alone = (error: unknown): void => {
    // A worker that cannot start or crashed costs speed, not verdicts: the holes are filled on this thread.
    if (pool === undefined) return;
    pool = undefined;
    io.stderr(`dcc: verifying on one thread: ${error instanceof Error ? error.message : String(error)}\n`);
  };
  const open = (from: number): BatchWindow => {
    const items = source.read(from, Math.min(source.length, from + size));
    // Progress counts each item once: as its worker outcome arrives, or when this thread verifies it.
    const offline: (ChunkOutcome | undefined)[] = new Array(items.length);
    let verified = Promise.resolve();
    if (pool) {
      // A folder's files go as paths, read by whichever thread verifies them (a chunk carries paths
      // or tokens, so in a window of both the files are read here). A presentation goes to no
      // worker: this thread judges it.
      const files = items.every(isUnread);
      if (!files) items.forEach((item, i) => (items[i] = settledItem(item)));
      const entries = items.map((item) => (isUnread(item) ? item.source : item.token !== null && !looksLikeSdJwt(item.token) ? item.token : null));
      verified = pool.verify(entries, offline, options.onEach, 0, files).catch(alone);
    }
    return { items, offline, verified };
  };
  try {
    let window = open(0);
    for (let from = 0; from < source.length; from += size) {
      // The next window is queued behind this one while this one verifies.
      const next = from + size < source.length ? open(from + size) : undefined;
      await window.verified;
      report(await judgeWindow(window.items, window.offline, settings, io, options, keep));
      if (next === undefined) break;
      window = next;
    }
  } finally {
    // Stopping the workers rejects nothing that is still awaited: no warning for it.
    pool = undefined;
    await workers?.close();
  }
}

/** A window of a batch: its items, the outcomes the workers put in place, and when they are all in. */
interface BatchWindow {
  items: Item[];
  offline: (ChunkOutcome | undefined)[];
  verified: Promise<void>;
}

/**
 * The results of one window's `items`, in order: the workers' verdicts in `offline`, the rest
 * (every item, when no worker ran) judged here, then each completed (revocation when online).
 */
async function judgeWindow(
  items: Item[],
  offline: readonly (ChunkOutcome | undefined)[],
  settings: VerifySettings,
  io: CliIo,
  options: BatchOptions,
  keep: boolean,
): Promise<ItemResult[]> {
  const results: ItemResult[] = new Array(items.length);
  // This thread's offline verdicts (null: no token), judged a stride ahead of the items reached,
  // the certificates of a stride together (verifyCertificatesNow); a hole was judged by a worker.
  const here: (OfflineVerdict | Promise<OfflineVerdict> | null | undefined)[] = new Array(items.length);
  let judged = 0;
  const judgeAhead = (): void => {
    const from = judged;
    judged = Math.min(items.length, from + STRIDE);
    const certificates: number[] = [];
    for (let i = from; i < judged; i++) {
      const landed = offline[i];
      const item = items[i] as Item;
      // A file that a worker read and verified: its verdict is in place, and its text was never here.
      if (isUnread(item) && landed !== undefined && !isReadInput(landed)) continue;
      // What a worker read and did not verify, or the item itself (a file read now, if no worker had it).
      const input = isReadInput(landed) ? landed.input : settledItem(item);
      items[i] = input;
      if (input.token === null) here[i] = null;
      // Workers verify certificates only.
      else if (looksLikeSdJwt(input.token)) here[i] = verifyPresentation(input.token, settings);
      else if (landed === undefined) certificates.push(i);
    }
    const tokens = certificates.map((i) => (items[i] as TokenInput).token as string);
    const verdicts = verifyCertificatesNow(tokens, settings.keys, settings.at, { clockSkewSeconds: settings.clockSkewSeconds });
    certificates.forEach((i, k) => (here[i] = verdicts[k]));
  };
  let next = 0;
  // Offline, an item needs no promise unless its verification does.
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      if (i >= judged) judgeAhead();
      const item = items[i] as Item;
      const pending = here[i] !== undefined ? here[i] : (offline[i] as ChunkVerdict);
      // Let go of the verdict once taken: its decoded credential, kept to the end of the batch,
      // would survive every young-generation collection on the way and be copied at each one.
      here[i] = undefined;
      const verdict = pending instanceof Promise ? await pending : pending;
      const result = completeItem(item, verdict, settings, io, keep);
      results[i] = result instanceof Promise ? await result : result;
      if (offline[i] === undefined) options.onEach?.();
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? BATCH_CONCURRENCY, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}
