import { type KeyObject, createPrivateKey, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { ensureP256KeyFile } from '../shared/adapters/key-file/files.ts';
import { jwkFromKeyObject } from '../shared/crypto/jwks.ts';
import type { Role } from '../shared/domain/caller.ts';
import type { ClientJwk } from '../shared/domain/client-registration.ts';
import {
  CLIENT_ASSERTION_TYPE_JWT_BEARER,
  GRANT_TYPE_CLIENT_CREDENTIALS,
  OAUTH_PATHS,
  type OAuthErrorResponse,
  TOKEN_REQUEST_FIELDS,
  type TokenResponse,
} from '../shared/domain/oauth.ts';
import { EXCHANGE_ID_PATTERN } from '../shared/domain/records.ts';
import type { ClientRegistry } from '../shared/ports/client-registry.ts';

/**
 * Local mode's machine clients: the demo exchange, an auditor and an admin, each with a P-256
 * private key in `<dataDir>/clients/<clientId>.pem`, registered with its public key like any
 * client of a deployed stage. Tokens come from the service's own token endpoint, obtained with a
 * client assertion signed by that key: exactly the path `dcc` takes.
 */

/** The exchange every local data directory starts with. */
export const DEMO_EXCHANGE = { id: 'demo-exchange', name: 'Demo Data Exchange' } as const;

/** Client ids of the local auditor and admin (a dot: never an exchange id). */
export const ROLE_CLIENT_IDS = { auditor: 'auditor.local', admin: 'admin.local' } as const;

/**
 * The running service's URL in the data directory, written once it serves and removed when it
 * stops: how `npm run token` finds the token endpoint (and knows when no service runs).
 */
export const SERVICE_URL_FILE = 'service-url';

/** The folder of the dev clients' private keys in the data directory. */
export const CLIENT_KEYS_DIR = 'clients';

/** Whom a token is for: an exchange (its id is its client id), or the auditor or admin. */
export type TokenSubject = { role: 'exchange'; exchangeId?: string } | { role: 'auditor' | 'admin' };

/** The client id of `subject`. */
export function clientIdFor(subject: TokenSubject): string {
  if (subject.role === 'exchange') return subject.exchangeId ?? DEMO_EXCHANGE.id;
  return ROLE_CLIENT_IDS[subject.role];
}

/** Whether `id` is an acceptable exchange id. */
export function isValidExchangeId(id: string): boolean {
  return EXCHANGE_ID_PATTERN.test(id);
}

/** A dev client's key: the private key that signs its assertions and the public JWK it is registered with. */
export interface DevClientKey {
  privateKey: KeyObject;
  jwk: ClientJwk;
}

/** The key of `clientId` in `dataDir`, created (P-256, mode 0600) on first use. */
export async function openDevClientKey(dataDir: string, clientId: string): Promise<DevClientKey> {
  if (!/^[a-z0-9][a-z0-9._:-]*$/.test(clientId)) throw new TypeError(`Invalid client id ${JSON.stringify(clientId)}`);
  const privateKey = createPrivateKey(await ensureP256KeyFile(join(dataDir, CLIENT_KEYS_DIR, `${clientId}.pem`)));
  const { kty, crv, x, y, kid } = jwkFromKeyObject(privateKey);
  return { privateKey, jwk: { kty, crv, x, y, kid, alg: 'ES256', use: 'sig' } };
}

/** Registers the demo exchange, the auditor and the admin with their keys (idempotent: each write replaces). */
export async function registerDevClients(registry: ClientRegistry, dataDir: string, now: Date): Promise<void> {
  const at = now.toISOString();
  const exchangeKey = await openDevClientKey(dataDir, DEMO_EXCHANGE.id);
  await registry.registerExchange({ exchangeId: DEMO_EXCHANGE.id, name: DEMO_EXCHANGE.name, jwks: { keys: [exchangeKey.jwk] }, status: 'active', at });
  for (const role of ['auditor', 'admin'] as const) {
    const clientId = ROLE_CLIENT_IDS[role];
    const key = await openDevClientKey(dataDir, clientId);
    await registry.registerRoleClient({ clientId, role, name: `Local ${role}`, jwks: { keys: [key.jwk] }, status: 'active', at });
  }
}

/** A client assertion (RFC 7523) of `clientId` for the token endpoint of `issuer`, valid 60 s. */
export async function clientAssertion(key: DevClientKey, clientId: string, issuer: string, now: Date = new Date()): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: key.jwk.kid, typ: 'JWT' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(`${issuer}${OAUTH_PATHS.token}`)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 60)
    .setJti(randomUUID())
    .sign(key.privateKey);
}

/** A token request refused by the endpoint (its OAuth error), or an endpoint that did not answer as one. */
export class TokenRequestError extends Error {
  override readonly name = 'TokenRequestError';
}

/** The form body of a token request with `assertion`. */
export function tokenRequestBody(assertion: string, scope?: string): string {
  const form = new URLSearchParams({
    [TOKEN_REQUEST_FIELDS.grantType]: GRANT_TYPE_CLIENT_CREDENTIALS,
    [TOKEN_REQUEST_FIELDS.clientAssertionType]: CLIENT_ASSERTION_TYPE_JWT_BEARER,
    [TOKEN_REQUEST_FIELDS.clientAssertion]: assertion,
  });
  if (scope !== undefined) form.set(TOKEN_REQUEST_FIELDS.scope, scope);
  return form.toString();
}

/**
 * The dev clients of one running service: tokens from its token endpoint, and exchanges
 * registered through its admin route (`PUT /v1/exchanges/{id}`) with a new dev key each.
 */
export class DevClients {
  constructor(
    /** The service's base URL, which is also its issuer. */
    readonly baseUrl: string,
    readonly dataDir: string,
  ) {}

  /** An access token for `subject`, from the token endpoint. */
  async token(subject: TokenSubject): Promise<string> {
    const clientId = clientIdFor(subject);
    const key = await openDevClientKey(this.dataDir, clientId);
    const response = await fetch(`${this.baseUrl}${OAUTH_PATHS.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: tokenRequestBody(await clientAssertion(key, clientId, this.baseUrl)),
    });
    const text = await response.text();
    if (response.status !== 200) {
      const error = safeJson(text) as Partial<OAuthErrorResponse> | undefined;
      throw new TokenRequestError(
        error?.error
          ? `the token endpoint refused client ${clientId}: ${error.error}: ${error.error_description ?? ''}`
          : `the token endpoint answered ${response.status}`,
      );
    }
    return (JSON.parse(text) as TokenResponse).access_token;
  }

  /**
   * Registers exchange `exchangeId` (as the admin) with a dev key of its own, unless it is
   * registered already; `created` says which. With `status`, the registration is written anyway.
   */
  async registerExchange(exchangeId: string, options: { name?: string; status?: 'active' | 'suspended' } = {}): Promise<{ created: boolean }> {
    if (!isValidExchangeId(exchangeId)) throw new TypeError(`Invalid exchange id ${JSON.stringify(exchangeId)}: expected ${EXCHANGE_ID_PATTERN.source}`);
    const admin = await this.token({ role: 'admin' });
    const url = `${this.baseUrl}/v1/exchanges/${exchangeId}`;
    if (options.status === undefined) {
      const found = await fetch(url, { headers: { authorization: `Bearer ${admin}` } });
      await found.arrayBuffer();
      if (found.status === 200) return { created: false };
    }
    const key = await openDevClientKey(this.dataDir, exchangeId);
    const put = await fetch(url, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: options.name ?? exchangeId, jwks: { keys: [key.jwk] }, status: options.status ?? 'active' }),
    });
    const text = await put.text();
    if (put.status !== 200 && put.status !== 201) throw new Error(`registering exchange ${exchangeId} failed (${put.status}): ${text}`);
    return { created: put.status === 201 };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The roles a dev token can be asked for, in the order the token command lists them. */
export const DEV_ROLES: readonly Role[] = ['exchange', 'auditor', 'admin'];
