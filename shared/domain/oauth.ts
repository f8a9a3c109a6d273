import { CodedError } from './coded-error.ts';

/**
 * The service's own OAuth 2.0 authorization server, as far as its callers must know it: the
 * endpoint paths, the token request's form fields, the limits an assertion must keep, the one
 * audience of access tokens, the token response and the error codes. Pure constants and types,
 * so that `dcc` (the client side) and the server read the same values.
 *
 * Clients authenticate with `private_key_jwt` (RFC 7523 / RFC 7521): a short-lived JWT signed with
 * one of the keys the client registered, sent with the client credentials grant.
 */

/** Paths under the issuer (the service's public base URL). */
export const OAUTH_PATHS = {
  token: '/oauth2/token',
  jwks: '/oauth2/jwks.json',
  discovery: '/.well-known/openid-configuration',
} as const;

/**
 * The `aud` of every access token, and the one audience API Gateway's JWT authorizer accepts.
 * Not the issuer URL: stages differ by issuer already, and a constant audience keeps the
 * authorizer's configuration independent of how many clients exist.
 */
export const ACCESS_TOKEN_AUDIENCE = 'urn:dcc:api';

/** The JOSE `typ` of access tokens (RFC 9068). */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** How access tokens are signed: RS256, the one family API Gateway's JWT authorizer verifies everywhere. */
export const ACCESS_TOKEN_ALGORITHM = 'RS256';

/** Access token lifetime unless the configuration says otherwise. */
export const DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS = 3600;

/** The only grant. */
export const GRANT_TYPE_CLIENT_CREDENTIALS = 'client_credentials';

/** RFC 7523 `client_assertion_type` of a JWT client assertion. */
export const CLIENT_ASSERTION_TYPE_JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The only client authentication method the token endpoint accepts. */
export const TOKEN_ENDPOINT_AUTH_METHOD = 'private_key_jwt';

/** The form fields of a token request (`application/x-www-form-urlencoded`). */
export const TOKEN_REQUEST_FIELDS = {
  grantType: 'grant_type',
  clientAssertionType: 'client_assertion_type',
  clientAssertion: 'client_assertion',
  scope: 'scope',
  clientId: 'client_id',
} as const;

/** JWS algorithms a client assertion may be signed with (and so the key types a client may register). */
export const ASSERTION_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'] as const;
export type AssertionAlgorithm = (typeof ASSERTION_ALGORITHMS)[number];

/**
 * The largest client assertion accepted, in bytes of its compact form. A legitimate assertion
 * is a few hundred bytes (an RS256 one with a 4096-bit key about 1 KB); the cap keeps parsing and
 * signature work bounded before anything is looked up.
 */
export const MAX_ASSERTION_BYTES = 8 * 1024;

/** An assertion's `exp` may be at most this far ahead of the server's clock (plus the skew). */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;

/**
 * The tolerance for the clocks of client and server when judging `exp`, `nbf` and `iat`. Small on
 * purpose: assertions live minutes, and the `jti` of an accepted one is kept until its `exp` plus
 * this skew, so it can never be accepted twice.
 */
export const ASSERTION_CLOCK_SKEW_SECONDS = 30;

/** The longest `jti` accepted (it is hashed before it is stored, so this only bounds work). */
export const MAX_JTI_LENGTH = 256;

/** The successful token response (RFC 6749 section 5.1); sent with `Cache-Control: no-store`. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** Error codes of the token endpoint (RFC 6749 section 5.2) that this server answers. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_scope' | 'unsupported_grant_type';

/** The token endpoint's error body. */
export interface OAuthErrorResponse {
  error: OAuthErrorCode;
  error_description: string;
}

/**
 * A refused token request. `invalid_client` is 401 with a `WWW-Authenticate` challenge; the
 * others are 400. The description is a fixed sentence of this code base, never an echo of the
 * request.
 */
export class OAuthError extends CodedError<OAuthErrorCode> {
  override readonly name = 'OAuthError';

  /** The HTTP status of this error. */
  get status(): 400 | 401 {
    return this.code === 'invalid_client' ? 401 : 400;
  }

  /** The JSON body of this error. */
  toResponse(): OAuthErrorResponse {
    return { error: this.code, error_description: this.message };
  }
}

/** The token endpoint of `issuer` (the `aud` every client assertion must carry). */
export function tokenEndpointUrl(issuer: string): string {
  return `${issuer}${OAUTH_PATHS.token}`;
}

/** The access-token JWKS of `issuer`. */
export function jwksUri(issuer: string): string {
  return `${issuer}${OAUTH_PATHS.jwks}`;
}

/** The discovery document of `issuer`. */
export function discoveryUrl(issuer: string): string {
  return `${issuer}${OAUTH_PATHS.discovery}`;
}

/** The discovery document (OpenID Connect Discovery 1.0 / RFC 8414 metadata). */
export interface DiscoveryDocument {
  issuer: string;
  token_endpoint: string;
  jwks_uri: string;
  grant_types_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  token_endpoint_auth_signing_alg_values_supported: string[];
  scopes_supported: string[];
  response_types_supported: string[];
  subject_types_supported: string[];
  id_token_signing_alg_values_supported: string[];
}

/**
 * The discovery document of `issuer`. API Gateway's JWT authorizer reads `jwks_uri` from it; a
 * client reads the token endpoint and what it accepts. Only key-based client authentication is
 * advertised. The three members OpenID Connect Discovery requires of every provider are present
 * with the truthful values of a server that has no authorization endpoint and issues no ID
 * tokens: no response types, public subjects, and RS256 (the one algorithm that specification
 * requires listed, and the one access tokens use).
 */
export function discoveryDocument(issuer: string, scopes: readonly string[]): DiscoveryDocument {
  return {
    issuer,
    token_endpoint: tokenEndpointUrl(issuer),
    jwks_uri: jwksUri(issuer),
    grant_types_supported: [GRANT_TYPE_CLIENT_CREDENTIALS],
    token_endpoint_auth_methods_supported: [TOKEN_ENDPOINT_AUTH_METHOD],
    token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
    scopes_supported: [...scopes],
    response_types_supported: [],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [ACCESS_TOKEN_ALGORITHM],
  };
}
