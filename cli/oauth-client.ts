import * as z from 'zod/mini';
import {
  CLIENT_ASSERTION_TYPE_JWT_BEARER,
  GRANT_TYPE_CLIENT_CREDENTIALS,
  OAUTH_PATHS,
  TOKEN_ENDPOINT_AUTH_METHOD,
  TOKEN_REQUEST_FIELDS,
} from '#shared/domain/oauth.ts';
import { buildClientAssertion } from './client-assertion.ts';
import { type ClientKey, loadClientKey } from './client-key.ts';
import { type CliIo, UsageError } from './context.ts';
import { type BoundedResponse, bodyText, boundedFetch, fetchLimits, SourceError } from './bounded-fetch.ts';
import { TokenCache, type TokenCacheKey, tokenCacheDir } from './token-cache.ts';
import { shown } from './terminal-text.ts';

/**
 * `dcc` as an OAuth 2.0 client of the service's own token endpoint: the client credentials grant
 * with `private_key_jwt` client authentication (RFC 6749 §4.4, RFC 7523, RFC 7521). It finds the
 * endpoint by OpenID discovery at `<api>/.well-known/openid-configuration`, signs an assertion
 * with the client's key, trades it for an access token and keeps the token in the cache
 * (`token-cache.ts`) until a minute before it expires.
 */

// Only the verdict is used (the messages are the CLI's own), so zod/mini needs no locale here.
const DiscoveryDocument = z.object({
  issuer: z.string().check(z.minLength(1)),
  token_endpoint: z.url({ protocol: /^https?$/ }),
  token_endpoint_auth_methods_supported: z.optional(z.array(z.string())),
});

const TokenResponse = z.object({
  access_token: z.string().check(z.minLength(1)),
  token_type: z.string().check(z.regex(/^bearer$/i)),
  expires_in: z.int().check(z.positive()),
  scope: z.optional(z.string()),
});

/** How a client proves itself: its id, its private key, and what it asks for. */
export interface ClientCredentials {
  clientId: string;
  /** A PEM (PKCS#8) or private JWK file. */
  keyFile: string;
  /** The `kid` to send; by default the key's own (JWK `kid` or RFC 7638 thumbprint). */
  keyId?: string;
  /** Space-separated scopes; by default the service grants every scope of the client. */
  scope?: string;
}

/** The token endpoint refused the client (RFC 6749 §5.2 error): exit 1 with the reason. */
export class TokenRefusedError extends Error {
  override readonly name = 'TokenRefusedError';
  constructor(
    readonly status: number,
    /** The OAuth `error` code (`invalid_client`, …), when the body had one. */
    readonly error: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** The RFC 6749 client id syntax (VSCHAR, printable ASCII), bounded. @throws {UsageError} */
export function checkClientId(clientId: string, option: string): string {
  if (!/^[\x20-\x7e]{1,256}$/.test(clientId) || clientId.trim() !== clientId) {
    throw new UsageError(`${option} must be a client id (printable ASCII, no surrounding spaces), not ${JSON.stringify(clientId)}`);
  }
  return clientId;
}

async function fetchOrExplain(io: CliIo, url: string, init: RequestInit, what: string): Promise<BoundedResponse> {
  try {
    return await boundedFetch(io, url, init, fetchLimits(io, 'oauth'), what);
  } catch (error) {
    // No connection at all is the service failing (exit 1), as for the API itself.
    if (error instanceof SourceError && error.unreachable) throw new Error(`cannot reach ${url}: ${error.reason}`);
    throw error;
  }
}

function jsonOf(response: BoundedResponse): unknown {
  try {
    return JSON.parse(bodyText(response)) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The token endpoint of the service at `api`, from its OpenID configuration. It must offer
 * `private_key_jwt` (when it lists methods at all) and, for an https API, be https itself: an
 * assertion and a token never travel in clear because a document said so.
 * @throws {Error} when discovery fails or the document is unusable (exit 1).
 */
export async function discoverTokenEndpoint(io: CliIo, api: string): Promise<string> {
  const url = `${api}${OAUTH_PATHS.discovery}`;
  const response = await fetchOrExplain(io, url, { headers: { accept: 'application/json' } }, 'the OpenID configuration');
  if (response.status !== 200) {
    throw new Error(`${url} answered HTTP ${response.status}: the service does not issue tokens itself (pass a bearer token with --token or DCC_TOKEN)`);
  }
  const parsed = DiscoveryDocument.safeParse(jsonOf(response));
  if (!parsed.success) throw new Error(`${url} is not an OpenID configuration with a token endpoint`);
  const document = parsed.data;
  const methods = document.token_endpoint_auth_methods_supported;
  if (methods && !methods.includes(TOKEN_ENDPOINT_AUTH_METHOD)) {
    throw new Error(`the token endpoint of ${api} does not accept ${TOKEN_ENDPOINT_AUTH_METHOD} (it offers ${shown(methods.join(', '))})`);
  }
  if (new URL(api).protocol === 'https:' && new URL(document.token_endpoint).protocol !== 'https:') {
    throw new Error(`${url} names a token endpoint that is not https: ${shown(document.token_endpoint)}`);
  }
  return document.token_endpoint;
}

/** A token obtained from the endpoint. */
export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  scope?: string;
}

/**
 * Trades a fresh assertion for an access token (one POST, form-encoded).
 * @throws {TokenRefusedError} when the endpoint refuses (4xx/5xx), {@link Error} when its answer
 *   is not a token response.
 */
export async function requestAccessToken(io: CliIo, tokenEndpoint: string, credentials: ClientCredentials, key: ClientKey): Promise<IssuedToken> {
  const assertion = await buildClientAssertion({ key, clientId: credentials.clientId, tokenEndpoint, now: io.now() });
  const form = new URLSearchParams({
    [TOKEN_REQUEST_FIELDS.grantType]: GRANT_TYPE_CLIENT_CREDENTIALS,
    [TOKEN_REQUEST_FIELDS.clientId]: credentials.clientId,
    [TOKEN_REQUEST_FIELDS.clientAssertionType]: CLIENT_ASSERTION_TYPE_JWT_BEARER,
    [TOKEN_REQUEST_FIELDS.clientAssertion]: assertion,
  });
  if (credentials.scope) form.set(TOKEN_REQUEST_FIELDS.scope, credentials.scope);
  const response = await fetchOrExplain(
    io,
    tokenEndpoint,
    { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString() },
    'a token',
  );
  const body = jsonOf(response);
  if (response.status !== 200) {
    const { error, error_description: description } = (typeof body === 'object' && body !== null ? body : {}) as { error?: unknown; error_description?: unknown };
    const code = typeof error === 'string' ? error : undefined;
    const detail = typeof description === 'string' && description ? ` — ${shown(description)}` : '';
    throw new TokenRefusedError(
      response.status,
      code,
      `the token endpoint refused client ${shown(credentials.clientId)}: HTTP ${response.status}${code ? ` ${shown(code)}` : ''}${detail}`,
    );
  }
  const parsed = TokenResponse.safeParse(body);
  if (!parsed.success) throw new Error(`${tokenEndpoint} answered 200 without a bearer token response`);
  return { accessToken: parsed.data.access_token, expiresIn: parsed.data.expires_in, ...(parsed.data.scope !== undefined ? { scope: parsed.data.scope } : {}) };
}

/**
 * The access tokens of one client for one API during a run: from the cache when one is still
 * good, else from the token endpoint (and then cached). The key is read only when a token is
 * needed, so a cached token works even while the key file is out of reach.
 */
export class ClientTokenSource {
  private readonly cacheKey: TokenCacheKey;
  private readonly cache: TokenCache;

  constructor(
    private readonly io: CliIo,
    /** The API's base URL, without a trailing slash. */
    private readonly api: string,
    private readonly credentials: ClientCredentials,
    cache?: TokenCache,
  ) {
    this.cacheKey = { api, clientId: credentials.clientId, scope: credentials.scope ?? '' };
    this.cache = cache ?? new TokenCache(tokenCacheDir(io.env));
  }

  /** A token to send: the cached one while it has more than a minute left, else a new one. */
  async token(): Promise<string> {
    const cached = await this.cache.get(this.cacheKey, this.io.now());
    if (cached) return cached.accessToken;
    const key = await loadClientKey(this.credentials.keyFile, this.credentials.keyId);
    const endpoint = await discoverTokenEndpoint(this.io, this.api);
    const obtainedAt = this.io.now().getTime();
    const issued = await requestAccessToken(this.io, endpoint, this.credentials, key);
    try {
      await this.cache.put(this.cacheKey, { accessToken: issued.accessToken, expiresAt: obtainedAt + issued.expiresIn * 1000 });
    } catch (error) {
      // A cache that cannot be written (a read-only home) costs a token request per run, nothing more.
      this.io.stderr(`dcc: the token is not cached (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})\n`);
    }
    return issued.accessToken;
  }

  /** Forgets the cached token (the API refused it). */
  async forget(): Promise<void> {
    await this.cache.delete(this.cacheKey);
  }
}
