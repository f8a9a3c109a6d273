import { type CliIo, UsageError } from './context.ts';
import { readAllBounded } from '#shared/crypto/portable-bytes.ts';

/**
 * Every network read of `dcc` goes through {@link boundedFetch}: the servers it reads (a key set,
 * a status list, a log, the API) are chosen by whoever hands the auditor a URL or a certificate,
 * so none of them may hold the command for long, fill its memory, or send it somewhere else.
 *
 * - a total deadline per request (headers and body) and an idle timeout (no byte for N seconds,
 *   waiting for the headers included);
 * - a byte cap counted while the body streams in, on the bytes `fetch` hands over: Node's `fetch`
 *   decompresses gzip, deflate and br transparently, so what is counted is the decompressed body;
 *   reading chunk by chunk and aborting the request as soon as the cap is passed means a
 *   compressed bomb is never expanded much past the cap. A declared `content-length` above the
 *   cap is refused before reading. (Compressed bytes that decompress to nothing are bounded by
 *   the idle timeout and the deadline.)
 * - no redirect at all, the rule of the verification page (`redirect: 'error'` there): a key set
 *   answered from elsewhere is not the issuer's key set.
 *
 * A source that misbehaves ends the run with exit code 2 and a message naming the limit and how
 * to change it (`SourceError`).
 */

/** What one request may cost. */
export interface FetchLimits {
  /** The whole request, headers and body, in milliseconds. */
  deadlineMs: number;
  /** The longest wait for the next byte (or for the headers), in milliseconds. */
  idleMs: number;
  /** The most body bytes read (after decompression). */
  maxBytes: number;
}

/** The kinds of response `dcc` reads, each with its own byte cap. */
export type SourceKind = 'jwks' | 'statusList' | 'checkpoint' | 'tile' | 'bundle' | 'proof' | 'api' | 'oauth';

/**
 * Default byte caps, from the real sizes: a key set is a few KB (64 KiB holds hundreds of keys);
 * a status list credential tens of KB; a checkpoint a few hundred bytes; a hash tile exactly
 * 256 × 32 bytes; an entry bundle 256 entries of at most 1 KiB behind a 2-byte length; a proof
 * document a few KB; an API response (a certificate record) a few KB; the service's OpenID
 * configuration and a token response about 1 KB each.
 */
export const DEFAULT_BYTE_CAPS: Readonly<Record<SourceKind, number>> = {
  jwks: 64 * 1024,
  statusList: 1024 * 1024,
  checkpoint: 16 * 1024,
  tile: 256 * 32,
  bundle: 256 * (2 + 1024),
  proof: 64 * 1024,
  api: 1024 * 1024,
  oauth: 64 * 1024,
};

/** Default total deadline of one request, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 30;
/** Default idle timeout, in seconds. */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 10;
/** Default cap on the keys of a key set (checked before any key is imported). */
export const DEFAULT_MAX_KEYS = 100;
/**
 * Default cap on the tree size `dcc log monitor` accepts from a checkpoint. The monitor keeps
 * O(log n) hashes for the tree but one small record per certificate for the story check
 * (about 150 bytes): a million entries stay well under 200 MB.
 */
export const DEFAULT_MAX_TREE_SIZE = 1_000_000;
/**
 * Default cap on one input file or standard input (`dcc verify <file|->`, `dcc log verify-proof`
 * files): a JSON-lines archive of many certificates is held in memory as text, so it is bounded
 * well below what a JavaScript string can hold; a larger archive is verified as a folder or in parts.
 */
export const DEFAULT_MAX_INPUT_BYTES = 256 * 1024 * 1024;

/** The limits of one run: from the global options, else the environment, else the defaults. */
export interface RunLimits {
  timeoutMs: number;
  idleMs: number;
  /** Overrides every per-kind byte cap when set. */
  maxBytes?: number;
  maxKeys: number;
  maxTreeSize: number;
  /** The largest input file or standard input read. */
  maxInputBytes: number;
}

/** The global options that set the limits (`dcc --timeout 5 verify …`). */
export interface LimitOptions {
  timeout?: string;
  idleTimeout?: string;
  maxBytes?: string;
  maxKeys?: string;
  maxTreeSize?: string;
  maxInputBytes?: string;
}

/** A network source that misbehaved or passed a limit: exit 2, the message on standard error. */
export class SourceError extends UsageError {
  /** The short reason (`ECONNREFUSED`, `more than … bytes`), without the source. */
  readonly reason: string;
  /** Whether the request never got a response (no connection), rather than a bad one. */
  readonly unreachable: boolean;
  constructor(what: string, url: string, reason: string, unreachable = false) {
    super(`cannot fetch ${what} from ${url}: ${reason}`);
    this.reason = reason;
    this.unreachable = unreachable;
  }
}

function seconds(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,5}(\.\d{1,3})?$/.test(value) || Number(value) <= 0) throw new UsageError(`${name} must be a positive number of seconds, not ${value}`);
  return Number(value);
}

function count(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[1-9]\d{0,14}$/.test(value)) throw new UsageError(`${name} must be a positive whole number, not ${value}`);
  return Number(value);
}

/** Resolves the run's limits. @throws {UsageError} when a value is malformed. */
export function resolveLimits(options: LimitOptions, env: Readonly<Record<string, string | undefined>>): RunLimits {
  const timeout = seconds(options.timeout, '--timeout') ?? seconds(env['DCC_TIMEOUT'], 'DCC_TIMEOUT') ?? DEFAULT_TIMEOUT_SECONDS;
  const idle = seconds(options.idleTimeout, '--idle-timeout') ?? seconds(env['DCC_IDLE_TIMEOUT'], 'DCC_IDLE_TIMEOUT') ?? DEFAULT_IDLE_TIMEOUT_SECONDS;
  const maxBytes = count(options.maxBytes, '--max-bytes') ?? count(env['DCC_MAX_BYTES'], 'DCC_MAX_BYTES');
  return {
    timeoutMs: timeout * 1000,
    idleMs: idle * 1000,
    ...(maxBytes !== undefined ? { maxBytes } : {}),
    maxKeys: count(options.maxKeys, '--max-keys') ?? count(env['DCC_MAX_KEYS'], 'DCC_MAX_KEYS') ?? DEFAULT_MAX_KEYS,
    maxTreeSize: count(options.maxTreeSize, '--max-tree-size') ?? count(env['DCC_MAX_TREE_SIZE'], 'DCC_MAX_TREE_SIZE') ?? DEFAULT_MAX_TREE_SIZE,
    maxInputBytes:
      count(options.maxInputBytes, '--max-input-bytes') ?? count(env['DCC_MAX_INPUT_BYTES'], 'DCC_MAX_INPUT_BYTES') ?? DEFAULT_MAX_INPUT_BYTES,
  };
}

/** Per-run network state, keyed by the run's `CliIo` so that every caller of `fetch` finds it. */
interface RunState {
  limits: RunLimits;
  /** Sources that misbehaved without stopping the run (a status list): reported at the end. */
  failures: string[];
}

const runs = new WeakMap<CliIo, RunState>();

/** Starts a run's network state (done by `runCli`): no failures yet, the limits of `io.env`. */
export function startRun(io: CliIo): void {
  runs.delete(io);
}

/** Sets the run's limits (from the global options, once they are parsed). */
export function setRunLimits(io: CliIo, limits: RunLimits): void {
  stateOf(io).limits = limits;
}

function stateOf(io: CliIo): RunState {
  let state = runs.get(io);
  if (!state) {
    state = { limits: resolveLimits({}, io.env), failures: [] };
    runs.set(io, state);
  }
  return state;
}

/** The run's limits (the environment's and the defaults when no run was started). */
export function runLimits(io: CliIo): RunLimits {
  return stateOf(io).limits;
}

/** The limits of one request of `kind` in this run. */
export function fetchLimits(io: CliIo, kind: SourceKind): FetchLimits {
  const limits = runLimits(io);
  return { deadlineMs: limits.timeoutMs, idleMs: limits.idleMs, maxBytes: limits.maxBytes ?? DEFAULT_BYTE_CAPS[kind] };
}

/** Records a source failure the run continued past; `runCli` prints it and exits 2. */
export function noteSourceFailure(io: CliIo, error: SourceError): void {
  const { failures } = stateOf(io);
  if (!failures.includes(error.message)) failures.push(error.message);
}

/** Takes the recorded source failures (and forgets them). */
export function takeSourceFailures(io: CliIo): string[] {
  const state = stateOf(io);
  const out = state.failures;
  state.failures = [];
  return out;
}

/** A readable reason for a failed `fetch` (undici hides it in `cause`). */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** A response read whole within its limits. */
export interface BoundedResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

const secondsText = (ms: number) => `${ms / 1000} s`;

/**
 * Fetches `url` within `limits`, following no redirect, and reads the body whole.
 * `what` names the source in messages ("the key set").
 * @throws {SourceError} when the source is unreachable, too slow, too big or redirects.
 */
export async function boundedFetch(io: CliIo, url: string, init: RequestInit, limits: FetchLimits, what: string): Promise<BoundedResponse> {
  const controller = new AbortController();
  let failure: SourceError | undefined;
  const fail = (reason: string): SourceError => {
    failure ??= new SourceError(what, url, reason);
    controller.abort(failure);
    return failure;
  };
  const deadline = setTimeout(() => fail(`not complete within ${secondsText(limits.deadlineMs)} (--timeout or DCC_TIMEOUT)`), limits.deadlineMs);
  let idle: ReturnType<typeof setTimeout> | undefined;
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => fail(`no byte for ${secondsText(limits.idleMs)} (--idle-timeout or DCC_IDLE_TIMEOUT)`), limits.idleMs);
  };
  const tooBig = () => fail(`more than ${limits.maxBytes} bytes (--max-bytes or DCC_MAX_BYTES)`);
  touch();
  try {
    let response: Response;
    try {
      response = await io.fetch(url, { ...init, redirect: 'manual', signal: controller.signal });
    } catch (error) {
      throw failure ?? new SourceError(what, url, describeFetchError(error), true);
    }
    touch();
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel().catch(() => undefined);
      // Only the origin is named: the rest of the address is the server's text.
      let target = 'another address';
      try {
        target = new URL(location, url).origin;
      } catch {
        // An unparsable location is still a redirect.
      }
      throw fail(`redirected (HTTP ${response.status}) to ${target}; dcc follows no redirect, as the verification page`);
    }
    // For a compressed body this is the compressed size: more than the cap is too big either way.
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw tooBig();
    }
    const body = response.body
      ? await readAllBounded(response.body, limits.maxBytes, { onChunk: touch, tooLarge: tooBig })
      : new Uint8Array(0);
    return { status: response.status, headers: response.headers, body };
  } catch (error) {
    if (failure) throw failure;
    if (error instanceof SourceError) throw error;
    throw new SourceError(what, url, `the connection broke: ${describeFetchError(error)}`);
  } finally {
    clearTimeout(deadline);
    clearTimeout(idle);
  }
}

/** The body as text (UTF-8, as `Response.text()` decodes it). */
export function bodyText(response: BoundedResponse): string {
  return new TextDecoder().decode(response.body);
}
