import { type CertificateVerification, verifyCertificate } from '#shared/domain/certificate.ts';
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
import type { TokenInput } from './inputs.ts';

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

/** An offline verdict: of a certificate, or of a presentation with what it disclosed. */
interface OfflineVerdict {
  status: CertificateVerification['status'];
  checks: CliCheck[];
  certificate?: DisclosedCredential;
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

async function verifyOffline(token: string, settings: VerifySettings): Promise<OfflineVerdict> {
  if (!looksLikeSdJwt(token)) return verifyCertificate(token, settings.keys, settings.at, { clockSkewSeconds: settings.clockSkewSeconds });
  // A presentation: the same signature steps, then its disclosures and key binding.
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

/** The verdict on one item from its offline verification (null: the item holds no token), plus revocation when online. */
async function completeItem(item: TokenInput, offline: OfflineVerdict | null, settings: VerifySettings, io: CliIo): Promise<ItemResult> {
  if (item.token === null || offline === null) {
    const detail = `The input is ${item.problem ?? 'not a token'}.`;
    return { source: item.source, status: 'invalid', verified: false, reason: detail, checks: [{ name: 'input', ok: false, detail }] };
  }
  const checks: CliCheck[] = [...offline.checks];
  let status: CliStatus = offline.status;
  const certificate = offline.certificate;
  if (certificate && settings.fetchStatusList) {
    // A revoked certificate is reported as revoked even when it has also expired.
    const outcome = await checkRevocationStatus(
      certificate.credentialStatus,
      certificate.issuer,
      settings.keys,
      settings.fetchStatusList,
      io.now(),
      settings.clockSkewSeconds,
    );
    checks.push(outcome.check);
    if (!outcome.ok) status = status === 'active' ? 'status-unknown' : status;
    else if (outcome.revoked) status = 'revoked';
  }
  const failed = checks.find((c) => !c.ok);
  return {
    source: item.source,
    status,
    verified: status === 'active',
    ...(failed?.detail ? { reason: failed.detail } : {}),
    checks,
    ...(certificate ? { certificateNo: certificate.certificateNo, id: certificateIdOf(certificate.id), certificate } : {}),
    ...(offline.presentation ? { presentation: offline.presentation } : {}),
  };
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
 * Judges every item, `concurrency` at a time, and returns the verdicts in input order;
 * `onEach` is told after each one (a progress bar). A batch of {@link WORKER_THRESHOLD} items or
 * more verifies offline on worker threads first (the same `verifyCertificate`, so the same
 * verdicts); revocation, which shares the run's status list cache, stays on this thread.
 * Never throws for bad data.
 */
export async function verifyBatch(
  items: readonly TokenInput[],
  settings: VerifySettings,
  io: CliIo,
  options: { concurrency?: number; onEach?: () => void; threads?: number } = {},
): Promise<ItemResult[]> {
  // The worker threads' module is loaded only for a batch that may use them: a short run pays for no thread machinery.
  const threading = items.length >= WORKER_THRESHOLD ? await import('./verify-workers.ts') : undefined;
  const threads = options.threads ?? threading?.verifyThreads(io.env) ?? 1;
  const offline: (CertificateVerification | null | undefined)[] = new Array(items.length);
  if (threading && threads > 1) {
    // Progress counts each item once: as its worker verdict arrives, or below when this thread verifies it.
    const data = { keys: settings.keys, atMs: settings.at.getTime(), clockSkewSeconds: settings.clockSkewSeconds };
    await threading.verifyOfflineInWorkers(items.map((item) => item.token), data, threads - 1, offline, options.onEach).catch((error: unknown) => {
      // A worker that cannot start or crashed costs speed, not verdicts: the holes are filled below.
      io.stderr(`dcc: verifying on one thread: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  }
  const results: ItemResult[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const item = items[i] as TokenInput;
      // Workers verify certificates only; a presentation they judged is judged again here.
      const presented = item.token !== null && looksLikeSdJwt(item.token);
      const fromWorker = presented ? undefined : offline[i];
      const verdict = fromWorker !== undefined ? fromWorker : item.token === null ? null : await verifyOffline(item.token, settings);
      results[i] = await completeItem(item, verdict, settings, io);
      if (offline[i] === undefined) options.onEach?.();
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? BATCH_CONCURRENCY, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}
