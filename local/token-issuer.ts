import { type KeyObject, createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type JWK, SignJWT, calculateJwkThumbprint, exportJWK } from 'jose';
import type { Role } from '../shared/domain/caller.ts';
import { CLIENT_ROLES, ROLES, scopesOf } from '../shared/http/routes.ts';
import { DEMO_EXCHANGE, isValidExchangeId } from './exchange-registry.ts';
import { ensureP256KeyFile } from '../shared/adapters/key-file/files.ts';

/**
 * The local mode's stand-in for the Cognito user pool: it signs bearer tokens shaped like Cognito
 * client-credentials access tokens, so that the handlers see the same claims in local mode as
 * behind API Gateway's JWT authorizer in AWS.
 *
 * Its key (`<dataDir>/token-issuer.pem`) is its own, never the certificate signing key: a token
 * key that could also sign certificates would let a leaked dev token key forge certificates.
 */

/** The roles a local token can be issued for: every role. */
export type LocalRole = Role;
/** Every role, in the order the token command lists them. */
export const LOCAL_ROLES: readonly LocalRole[] = ROLES;

/** The `iss` of every local token; the local authorizer admits this issuer only. */
export const LOCAL_TOKEN_ISSUER = 'urn:dcc:local-token-issuer';

/** The issuer's private key file in the data directory. */
export const TOKEN_ISSUER_KEY_FILE = 'token-issuer.pem';

/** Long enough for a walkthrough; `npm run token` takes `DCC_LOCAL_TOKEN_TTL_SECONDS`. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 12 * 60 * 60;

/**
 * OAuth client ids of the auditor and admin roles. The dot keeps them out of the exchange id
 * space (`[a-z0-9][a-z0-9-]*`), so registering an exchange can never take over one of them.
 */
export const ROLE_CLIENT_IDS = { auditor: 'auditor.local', admin: 'admin.local' } as const;

/** Whom a token is for: an exchange (its id is its client id), or the auditor or admin role. */
export type TokenSubject = { role: 'exchange'; exchangeId?: string } | { role: 'auditor' | 'admin' };

/** The OAuth client id a token for `subject` carries. */
export function clientIdFor(subject: TokenSubject): string {
  if (subject.role === 'exchange') return subject.exchangeId ?? DEMO_EXCHANGE.id;
  return ROLE_CLIENT_IDS[subject.role];
}

/** Options of {@link LocalTokenIssuer.open}. */
export interface LocalTokenIssuerOptions {
  /** The data directory holding `token-issuer.pem` (created on first use). */
  dataDir: string;
  /** @default DEFAULT_TOKEN_LIFETIME_SECONDS */
  lifetimeSeconds?: number;
  /** @default () => new Date() */
  now?: () => Date;
}

/** Signs local bearer tokens with the data directory's token issuer key. */
export class LocalTokenIssuer {
  readonly issuer = LOCAL_TOKEN_ISSUER;

  private constructor(
    private readonly privateKey: KeyObject,
    /** The key that verifies this issuer's tokens (what API Gateway would fetch from `jwks_uri`). */
    readonly publicKey: KeyObject,
    /** RFC 7638 thumbprint of the public key, sent as the token's `kid`. */
    readonly keyId: string,
    readonly keyFile: string,
    private readonly lifetimeSeconds: number,
    private readonly now: () => Date,
  ) {}

  /** Opens the issuer of `dataDir`, creating its key on first use. */
  static async open(options: LocalTokenIssuerOptions): Promise<LocalTokenIssuer> {
    const lifetimeSeconds = options.lifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
    if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds < 1) {
      throw new TypeError(`lifetimeSeconds must be a positive integer, got ${lifetimeSeconds}`);
    }
    const keyFile = join(options.dataDir, TOKEN_ISSUER_KEY_FILE);
    const privateKey = createPrivateKey(await ensureP256KeyFile(keyFile));
    const details = privateKey.asymmetricKeyDetails;
    if (privateKey.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'prime256v1') {
      throw new Error(`${keyFile} is not a P-256 private key; delete it to create a new one.`);
    }
    const publicKey = createPublicKey(privateKey);
    const keyId = await calculateJwkThumbprint(await exportJWK(publicKey), 'sha256');
    return new LocalTokenIssuer(privateKey, publicKey, keyId, keyFile, lifetimeSeconds, options.now ?? (() => new Date()));
  }

  /** The public key as a JWK with its `kid`, as a JWKS would publish it. */
  async publicJwk(): Promise<JWK> {
    return { ...(await exportJWK(this.publicKey)), kid: this.keyId, alg: 'ES256', use: 'sig' };
  }

  /**
   * A Cognito-style access token for `subject`: `iss`, `sub` = `client_id`, `token_use: access`,
   * space-separated `scope`, `auth_time`, `iat`, `exp`, `jti`, and no `aud` (Cognito access tokens
   * have none; API Gateway then checks `client_id` against the authorizer's audience).
   */
  async issue(subject: TokenSubject): Promise<string> {
    if (subject.role === 'exchange' && subject.exchangeId !== undefined && !isValidExchangeId(subject.exchangeId)) {
      throw new TypeError(`Invalid exchange id ${JSON.stringify(subject.exchangeId)}`);
    }
    const clientId = clientIdFor(subject);
    const iat = Math.floor(this.now().getTime() / 1000);
    return new SignJWT({
      client_id: clientId,
      token_use: 'access',
      scope: scopesOf(CLIENT_ROLES[subject.role]).join(' '),
      auth_time: iat,
      version: 2,
    })
      .setProtectedHeader({ alg: 'ES256', kid: this.keyId })
      .setIssuer(this.issuer)
      .setSubject(clientId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.lifetimeSeconds)
      .setJti(randomUUID())
      .sign(this.privateKey);
  }
}
