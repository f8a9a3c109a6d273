import type { Command } from 'commander';
import { type CliIo, UsageError } from './context.ts';
import { type BoundedResponse, bodyText, boundedFetch, fetchLimits, SourceError } from './bounded-fetch.ts';
import { checkClientId, type ClientCredentials, ClientTokenSource } from './oauth-client.ts';
import { shown } from './terminal-text.ts';

/**
 * The service's HTTP API as the command line calls it: the base URL, and either a bearer token
 * or the client's own credentials (client id and private key), from options or the environment.
 */

export interface ApiOptions {
  api?: string;
  token?: string;
  clientId?: string;
  clientKey?: string;
  clientKeyId?: string;
  scope?: string;
  json?: boolean;
}

export interface ApiResponse {
  status: number;
  /** The parsed JSON body, or the text when it is not JSON. */
  body: unknown;
}

/** Adds `--api`, the credentials options and `--json` to an API command. */
export function addApiOptions(command: Command): Command {
  return command
    .option('--api <url>', 'base URL of the service (default: $DCC_API_URL)')
    .option('--client-id <id>', 'OAuth client id: an exchange id, or the id of an auditor or admin client (default: $DCC_CLIENT_ID)')
    .option('--client-key <file>', "the client's private key, PKCS#8 PEM or private JWK (default: $DCC_CLIENT_KEY)")
    .option('--client-key-id <kid>', 'the kid to sign with (default: the key\'s JWK kid, else its RFC 7638 thumbprint)')
    .option('--scope <scopes>', 'scopes to ask for, space-separated (default: every scope of the client)')
    .option('--token <bearer>', 'a bearer token obtained elsewhere, instead of client credentials (default: $DCC_TOKEN)')
    .option('--json', 'print the response body as JSON');
}

/** How this run authenticates: a bearer token as given, or tokens obtained with the client's key. */
type Authentication = { kind: 'bearer'; token: string } | { kind: 'client'; source: ClientTokenSource };

function clientCredentials(clientId: string | undefined, keyFile: string | undefined, from: 'options' | 'env', options: ApiOptions): ClientCredentials {
  const [idName, keyName] = from === 'options' ? ['--client-id', '--client-key'] : ['DCC_CLIENT_ID', 'DCC_CLIENT_KEY'];
  if (!clientId) throw new UsageError(`${keyName} needs ${idName}: the client id the key is registered for`);
  if (!keyFile) throw new UsageError(`${idName} needs ${keyName}: the client's private key file`);
  return {
    clientId: checkClientId(clientId, idName),
    keyFile,
    ...(options.clientKeyId !== undefined ? { keyId: options.clientKeyId } : {}),
    ...(options.scope !== undefined ? { scope: options.scope.trim().split(/\s+/).join(' ') } : {}),
  };
}

/**
 * Chooses the credentials: options before the environment; at each level a bearer token and
 * client credentials together are ambiguous and refused.
 * @throws {UsageError}
 */
function authenticationOf(io: CliIo, options: ApiOptions, base: string): Authentication {
  const env = io.env;
  const levels = [
    { from: 'options' as const, token: options.token, clientId: options.clientId, keyFile: options.clientKey },
    { from: 'env' as const, token: env['DCC_TOKEN'], clientId: env['DCC_CLIENT_ID'], keyFile: env['DCC_CLIENT_KEY'] },
  ];
  for (const level of levels) {
    const client = Boolean(level.clientId || level.keyFile);
    if (level.token && client) {
      throw new UsageError(
        level.from === 'options' ? 'pass either --token or --client-id/--client-key, not both' : 'DCC_TOKEN and DCC_CLIENT_ID/DCC_CLIENT_KEY are both set: unset one',
      );
    }
    if (level.token) return { kind: 'bearer', token: level.token };
    if (client) return { kind: 'client', source: new ClientTokenSource(io, base, clientCredentials(level.clientId, level.keyFile, level.from, options)) };
  }
  throw new UsageError('no credentials: pass --client-id and --client-key (or set DCC_CLIENT_ID and DCC_CLIENT_KEY), or a bearer token with --token or DCC_TOKEN');
}

/**
 * Calls the API. A refusal (4xx/5xx) is returned, not thrown: the caller prints it. With client
 * credentials, a 401 means the token is no longer good (expired early, its signing key rotated,
 * the client suspended and reinstated...): the cached token is forgotten and the request is
 * sent once more with a new one; a second 401 is the answer. Resending is safe for every method:
 * a 401 comes from the authorizer or the handler chain, before any use case ran.
 * @throws {UsageError} when the base URL or the credentials are missing or unusable.
 * @throws {Error} when the service cannot be reached or refuses to issue a token.
 */
export async function callApi(io: CliIo, options: ApiOptions, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<ApiResponse> {
  const given = options.api ?? io.env['DCC_API_URL'];
  if (!given) throw new UsageError('no service: pass --api <url> or set DCC_API_URL');
  if (!/^https?:\/\//i.test(given)) throw new UsageError(`--api must be an http(s) URL, not ${given}`);
  const base = given.replace(/\/+$/, '');
  const authentication = authenticationOf(io, options, base);
  if (authentication.kind === 'bearer') return send(io, base, authentication.token, method, path, body);
  const first = await send(io, base, await authentication.source.token(), method, path, body);
  if (first.status !== 401) return first;
  await authentication.source.forget();
  return send(io, base, await authentication.source.token(), method, path, body);
}

async function send(io: CliIo, base: string, token: string, method: string, path: string, body: unknown): Promise<ApiResponse> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: BoundedResponse;
  try {
    response = await boundedFetch(
      io,
      `${base}${path}`,
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
