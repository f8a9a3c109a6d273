import { type AccessTokenSigner, accessTokenClaims, signAccessToken } from '../domain/access-token.ts';
import type { Role } from '../domain/caller.ts';
import { previewAssertion, verifyAssertion } from '../domain/client-assertion.ts';
import {
  CLIENT_ASSERTION_TYPE_JWT_BEARER,
  GRANT_TYPE_CLIENT_CREDENTIALS,
  OAuthError,
  type TokenResponse,
  tokenEndpointUrl,
} from '../domain/oauth.ts';
import type { AssertionReplayStore, ClientRegistry } from '../ports/client-registry.ts';

/** The form fields of a token request, each present at most once (the HTTP layer checks that). */
export interface TokenRequest {
  grant_type?: string;
  client_assertion_type?: string;
  client_assertion?: string;
  scope?: string;
  client_id?: string;
}

/** What {@link issueAccessToken} needs. */
export interface TokenServiceDeps {
  clients: Pick<ClientRegistry, 'findClient'>;
  replays: AssertionReplayStore;
  signer: () => Promise<AccessTokenSigner>;
  /** The issuer (the service's public base URL): `iss` of tokens, and the base of the token endpoint. */
  issuer: string;
  lifetimeSeconds: number;
  /** The scopes a client of each role may hold, in the order they are listed (the routes table's). */
  scopesOf: (role: Role) => readonly string[];
  /** Every scope the service knows. */
  knownScopes: readonly string[];
}

/** A scope token of RFC 6749 section 3.3; a request's scope is a few of them. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const MAX_SCOPE_LENGTH = 1024;

/**
 * The client credentials grant with `private_key_jwt` client authentication (RFC 6749 section
 * 4.4, RFC 7523 section 2.2). The request is checked in an order that writes nothing for a
 * refused one: the grant, the assertion's form, the client and its keys, the scope; only then is
 * the assertion's `jti` recorded (once, atomically) and the token signed. A replayed `jti` is
 * refused, and a request refused for any reason leaves no trace but a log line.
 */
export async function issueAccessToken(deps: TokenServiceDeps, request: TokenRequest, now: Date): Promise<TokenResponse> {
  if (request.grant_type === undefined) throw new OAuthError('invalid_request', 'The request has no grant_type.');
  if (request.grant_type !== GRANT_TYPE_CLIENT_CREDENTIALS) {
    throw new OAuthError('unsupported_grant_type', `The only grant type is ${GRANT_TYPE_CLIENT_CREDENTIALS}.`);
  }
  if (request.client_assertion === undefined || request.client_assertion_type === undefined) {
    throw new OAuthError('invalid_client', 'Client authentication is required: send client_assertion_type and client_assertion (private_key_jwt).');
  }
  if (request.client_assertion_type !== CLIENT_ASSERTION_TYPE_JWT_BEARER) {
    throw new OAuthError('invalid_client', `The client_assertion_type must be ${CLIENT_ASSERTION_TYPE_JWT_BEARER}.`);
  }
  const requested = parseScope(request.scope, deps.knownScopes);

  const { clientId } = previewAssertion(request.client_assertion, request.client_id);
  const client = await deps.clients.findClient(clientId);
  if (!client) throw new OAuthError('invalid_client', 'The client is not registered.');
  const accepted = await verifyAssertion(request.client_assertion, client, { tokenEndpoint: tokenEndpointUrl(deps.issuer), now });
  if (client.status !== 'active' || (client.exchange !== null && client.exchange.status !== 'active')) {
    throw new OAuthError('invalid_client', 'The client is suspended.');
  }

  const granted = deps.scopesOf(client.role);
  const denied = requested?.filter((scope) => !granted.includes(scope)) ?? [];
  if (denied.length > 0) throw new OAuthError('invalid_scope', `This client may not hold the scope ${denied.join(' ')}.`);
  const scope = granted.filter((s) => requested === null || requested.includes(s)).join(' ');

  if (!(await deps.replays.recordOnce(clientId, accepted.jti, accepted.rememberUntil, now))) {
    throw new OAuthError('invalid_client', 'The client assertion was used before ("jti" replayed).');
  }
  const claims = accessTokenClaims({ issuer: deps.issuer, clientId, scope, now, lifetimeSeconds: deps.lifetimeSeconds });
  return {
    access_token: await signAccessToken(await deps.signer(), claims),
    token_type: 'Bearer',
    expires_in: deps.lifetimeSeconds,
    scope,
  };
}

/** The requested scopes, or null for "every scope of the client"; `invalid_scope` for an unknown one. */
function parseScope(scope: string | undefined, known: readonly string[]): string[] | null {
  if (scope === undefined) return null;
  if (scope.length > MAX_SCOPE_LENGTH) throw new OAuthError('invalid_scope', `The scope is longer than ${MAX_SCOPE_LENGTH} characters.`);
  const tokens = scope.split(' ').filter(Boolean);
  if (tokens.length === 0) return null;
  if (!tokens.every((t) => SCOPE_TOKEN.test(t))) throw new OAuthError('invalid_scope', 'The scope is not a space-separated list of scope tokens.');
  const unknown = tokens.filter((t) => !known.includes(t));
  if (unknown.length > 0) throw new OAuthError('invalid_scope', `Unknown scope; the scopes are: ${known.join(' ')}.`);
  return [...new Set(tokens)];
}
