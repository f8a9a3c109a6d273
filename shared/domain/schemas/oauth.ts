import * as z from 'zod/mini';
import './zod-locale.ts';
import { ROLE_CLIENT_ID_PATTERN } from '../client-registration.ts';
import { ClientJwksSchema } from './client-registration.ts';
import {
  ACCESS_TOKEN_ALGORITHM,
  ASSERTION_ALGORITHMS,
  CLIENT_ASSERTION_TYPE_JWT_BEARER,
  GRANT_TYPE_CLIENT_CREDENTIALS,
  type OAuthErrorCode,
  TOKEN_ENDPOINT_AUTH_METHOD,
} from '../oauth.ts';
import { EXCHANGE_ID_PATTERN } from '../records.ts';
import { DateTimeSchema, HttpUrlSchema } from './common.ts';

/**
 * The shapes the authorization server and the admin routes answer with, as zod schemas: the API
 * description is rendered from them, and the endpoints type what they return against them, so
 * the contract and the code hold one shape. The token request itself is a form, read field by
 * field by the token endpoint; {@link TokenRequestFormSchema} describes it.
 */

/** Any base64url string without padding (key members, JWT segments). */
const base64url = z.string().check(z.regex(/^[A-Za-z0-9_-]+$/));

/**
 * `POST /oauth2/token` form fields (`application/x-www-form-urlencoded`). Described, not parsed:
 * the token endpoint reads the fields itself so that every refusal is an RFC 6749 error object.
 */
export const TokenRequestFormSchema = z.strictObject({
  grant_type: z.literal(GRANT_TYPE_CLIENT_CREDENTIALS),
  client_assertion_type: z.literal(CLIENT_ASSERTION_TYPE_JWT_BEARER),
  client_assertion: z.string().check(
    z.minLength(1),
    z.meta({
      description: `A JWT signed (${ASSERTION_ALGORITHMS.join(', ')}) with a key the client registered: iss = sub = client_id, aud = this token endpoint's URL, exp at most 300 s ahead, iat, jti (accepted once), optional nbf.`,
    }),
  ),
  scope: z.optional(z.string().check(z.minLength(1))).check(z.meta({ description: 'Space-separated scopes, a subset of the client\'s; all of them when absent.' })),
  client_id: z.optional(z.string().check(z.minLength(1))).check(z.meta({ description: 'When sent, it must equal the assertion\'s iss and sub.' })),
});

/** `POST /oauth2/token` success (RFC 6749 section 5.1), sent with `Cache-Control: no-store`. */
export const TokenResponseSchema = z.strictObject({
  access_token: z.string().check(z.minLength(1)),
  token_type: z.literal('Bearer'),
  expires_in: z.int().check(z.positive()),
  scope: z.string(),
});

const OAUTH_ERROR_CODES = ['invalid_request', 'invalid_client', 'invalid_scope', 'unsupported_grant_type'] as const satisfies readonly OAuthErrorCode[];
/** Compiles only while {@link OAUTH_ERROR_CODES} lists every code the server raises. */
type EveryOAuthErrorCodeListed = OAuthErrorCode extends (typeof OAUTH_ERROR_CODES)[number] ? true : never;
true satisfies EveryOAuthErrorCodeListed;

/** `POST /oauth2/token` refusal (RFC 6749 section 5.2): `invalid_client` is a 401, the others 400. */
export const OAuthErrorResponseSchema = z.strictObject({
  error: z.enum(OAUTH_ERROR_CODES),
  error_description: z.string().check(z.minLength(1)),
});

/** `GET /.well-known/openid-configuration`: the authorization server's discovery document. */
export const DiscoveryDocumentSchema = z.strictObject({
  issuer: HttpUrlSchema,
  token_endpoint: HttpUrlSchema,
  jwks_uri: HttpUrlSchema,
  // Typed as strings, as the discovery document's builder types them; the JSON Schema (and so
  // the contract check) allows only the values the server supports.
  grant_types_supported: z.array(z.string().check(z.meta({ enum: [GRANT_TYPE_CLIENT_CREDENTIALS] }))),
  token_endpoint_auth_methods_supported: z.array(z.string().check(z.meta({ enum: [TOKEN_ENDPOINT_AUTH_METHOD] }))),
  token_endpoint_auth_signing_alg_values_supported: z.array(z.string().check(z.meta({ enum: [...ASSERTION_ALGORITHMS] }))),
  scopes_supported: z.array(z.string()),
  response_types_supported: z.array(z.string()),
  subject_types_supported: z.array(z.string()),
  id_token_signing_alg_values_supported: z.array(z.string()),
});

/** `GET /oauth2/jwks.json`: the keys access tokens are signed with (RSA, RS256). */
export const AccessTokenJwksSchema = z.strictObject({
  keys: z
    .array(
      z.strictObject({
        kty: z.literal('RSA'),
        n: base64url,
        e: base64url,
        kid: z.string().check(z.minLength(1)),
        alg: z.literal(ACCESS_TOKEN_ALGORITHM),
        use: z.literal('sig'),
      }),
    )
    .check(z.minLength(1)),
});

/** What the admin registration routes answer: the registration with its public keys only. */
export const RegistrationViewSchema = z.strictObject({
  clientId: z.union([z.string().check(z.regex(EXCHANGE_ID_PATTERN)), z.string().check(z.regex(ROLE_CLIENT_ID_PATTERN))]),
  /** Present on an exchange's registration: its exchange id (equal to its client id). */
  exchangeId: z.optional(z.string().check(z.regex(EXCHANGE_ID_PATTERN))),
  role: z.enum(['exchange', 'auditor', 'admin']),
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  status: z.enum(['active', 'suspended']),
  jwks: ClientJwksSchema,
  /** The scopes the client's tokens may carry, space-separated. */
  scope: z.string(),
  updatedAt: DateTimeSchema,
});
