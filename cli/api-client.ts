import type { Command } from 'commander';
import { type CliIo, UsageError } from './context.ts';
import { type BoundedResponse, bodyText, boundedFetch, fetchLimits, SourceError } from './bounded-fetch.ts';
import { shown } from './terminal-text.ts';

/** The service's HTTP API as the command line calls it: base URL and bearer token from options or env. */

export interface ApiOptions {
  api?: string;
  token?: string;
  json?: boolean;
}

export interface ApiResponse {
  status: number;
  /** The parsed JSON body, or the text when it is not JSON. */
  body: unknown;
}

/** Adds `--api`, `--token` and `--json` to an API command. */
export function addApiOptions(command: Command): Command {
  return command
    .option('--api <url>', 'base URL of the service (default: $DCC_API_URL)')
    .option('--token <bearer>', 'bearer token (default: $DCC_TOKEN)')
    .option('--json', 'print the response body as JSON');
}

/**
 * Calls the API. A refusal (4xx/5xx) is returned, not thrown: the caller prints it.
 * @throws {UsageError} when the base URL or token is missing.
 * @throws {Error} when the service cannot be reached.
 */
export async function callApi(io: CliIo, options: ApiOptions, method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiResponse> {
  const base = options.api ?? io.env['DCC_API_URL'];
  if (!base) throw new UsageError('no service: pass --api <url> or set DCC_API_URL');
  if (!/^https?:\/\//i.test(base)) throw new UsageError(`--api must be an http(s) URL, not ${base}`);
  const token = options.token ?? io.env['DCC_TOKEN'];
  if (!token) throw new UsageError('no bearer token: pass --token or set DCC_TOKEN');
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: BoundedResponse;
  try {
    response = await boundedFetch(
      io,
      `${base.replace(/\/+$/, '')}${path}`,
      { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) },
      fetchLimits(io, 'api'),
      'the API response',
    );
  } catch (error) {
    // No connection at all is the API failing (exit 1); a slow, huge or redirecting answer exits 2.
    if (error instanceof SourceError && error.unreachable) throw new Error(`cannot reach ${base}: ${error.reason}`);
    throw error;
  }
  const text = bodyText(response);
  let parsed: unknown = text;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON (a proxy's error page, say): shown as text.
  }
  return { status: response.status, body: parsed };
}

interface ProblemLike {
  title?: unknown;
  status?: unknown;
  detail?: unknown;
  code?: unknown;
  errors?: { pointer?: unknown; message?: unknown; code?: unknown }[];
}

/**
 * An RFC 9457 problem document (or any error body) for people. Everything in it is the
 * server's and is escaped value by value (`shown`): no control character, no line of its own.
 */
export function renderProblem(response: ApiResponse): string {
  const p = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as ProblemLike;
  const head = `error ${response.status}${typeof p.title === 'string' ? ` ${shown(p.title)}` : ''}${typeof p.code === 'string' ? ` [${shown(p.code)}]` : ''}`;
  const lines = [head];
  if (typeof p.detail === 'string' && p.detail) lines.push(`  ${shown(p.detail)}`);
  if (Array.isArray(p.errors)) {
    for (const e of p.errors as unknown[]) {
      const item = (typeof e === 'object' && e !== null ? e : { message: e }) as { pointer?: unknown; message?: unknown; code?: unknown };
      const where = typeof item.pointer === 'string' && item.pointer ? `${shown(item.pointer)}: ` : '';
      lines.push(`  - ${where}${shown(item.message)}${typeof item.code === 'string' ? ` (${shown(item.code)})` : ''}`);
    }
  }
  if (typeof response.body === 'string' && response.body) lines.push(`  ${shown(response.body.slice(0, 500))}`);
  return `${lines.join('\n')}\n`;
}

interface RecordLike {
  id?: unknown;
  certificateNo?: unknown;
  status?: unknown;
  issuedAt?: unknown;
  statusListCredential?: unknown;
  statusListIndex?: unknown;
  revocation?: { reason?: unknown; revokedAt?: unknown; comment?: unknown } | null;
  supersedes?: unknown;
  supersededBy?: unknown;
  token?: unknown;
}

/** A certificate record (issue, get, revoke responses) for people; every value escaped (`shown`). */
export function renderRecord(body: unknown): string {
  const r = (typeof body === 'object' && body !== null ? body : {}) as RecordLike;
  const lines = [
    `Certificate   ${shown(r.certificateNo)}`,
    `Id            ${shown(r.id)}`,
    `Status        ${shown(r.status)}`,
    `Issued at     ${shown(r.issuedAt)}`,
    `Status entry  ${shown(r.statusListCredential)} #${shown(r.statusListIndex)}`,
  ];
  if (typeof r.revocation === 'object' && r.revocation !== null) {
    const comment = typeof r.revocation.comment === 'string' ? ` — ${shown(r.revocation.comment)}` : '';
    lines.push(`Revoked       ${shown(r.revocation.revokedAt)} (${shown(r.revocation.reason)})${comment}`);
  }
  if (r.supersedes) lines.push(`Corrects      ${shown(r.supersedes)}`);
  if (r.supersededBy) lines.push(`Corrected by  ${shown(r.supersededBy)}`);
  if (typeof r.token === 'string') lines.push('', shown(r.token));
  return `${lines.join('\n')}\n`;
}
