import * as z from 'zod/mini';
import './zod-locale.ts';
import {
  BASE64URL_PATTERN,
  CLIENT_KEY_TYPES,
  CLIENT_KEY_USE,
  CLIENT_STATUSES,
  type ClientJwk,
  type ClientJwks,
  KID_PATTERN,
  MAX_CLIENT_KEYS,
  MAX_CLIENT_NAME_LENGTH,
  MAX_KID_LENGTH,
  PRIVATE_KEY_MEMBERS,
  publicKeyProblem,
  ROLE_CLIENT_ID_PATTERN,
  ROLE_CLIENT_ROLES,
  RSA_PUBLIC_EXPONENT,
} from '../client-registration.ts';
import { EXCHANGE_ID_PATTERN } from '../records.ts';

/**
 * The admin routes' requests that register clients, and the JWKS rules they are checked with in
 * full, as zod schemas: the API description is rendered from them, and they explain a refusal.
 * The routes judge requests with the zod-free contracts of `./client-registration-check.ts`,
 * which answer for these schemas exactly (a parity test holds them together). The records and key
 * types they produce are in `../client-registration.ts`, which stays free of zod for the stores.
 */

const base64url = (what: string) => z.string().check(z.regex(BASE64URL_PATTERN, `${what} must be base64url without padding`));
const kid = z.string().check(z.minLength(1), z.maxLength(MAX_KID_LENGTH), z.regex(KID_PATTERN, 'kid must be visible ASCII'));
const use = z.optional(z.literal(CLIENT_KEY_USE));

const EcJwk = z.strictObject({
  kty: z.literal('EC'),
  crv: z.literal(CLIENT_KEY_TYPES.EC.crv),
  x: base64url('x'),
  y: base64url('y'),
  kid,
  alg: z.optional(z.literal(CLIENT_KEY_TYPES.EC.alg)),
  use,
});

const RsaJwk = z.strictObject({
  kty: z.literal('RSA'),
  n: base64url('n'),
  // 65537: every current generator's default; a small exponent is refused rather than judged.
  e: z.literal(RSA_PUBLIC_EXPONENT),
  kid,
  alg: z.optional(z.literal(CLIENT_KEY_TYPES.RSA.alg)),
  use,
});

const OkpJwk = z.strictObject({
  kty: z.literal('OKP'),
  crv: z.literal(CLIENT_KEY_TYPES.OKP.crv),
  x: base64url('x'),
  kid,
  alg: z.optional(z.literal(CLIENT_KEY_TYPES.OKP.alg)),
  use,
});

/** One registered public key: EC P-256 (ES256), RSA 2048–4096 (RS256) or Ed25519 (EdDSA). */
export const ClientJwkSchema = z
  .pipe(
    z.unknown().check(
      z.superRefine((value, ctx) => {
        // Named first, so a private key is refused as such rather than as an unknown member.
        if (typeof value === 'object' && value !== null) {
          for (const member of PRIVATE_KEY_MEMBERS) {
            if (Object.hasOwn(value, member)) {
              ctx.addIssue({ code: 'custom', path: [member], message: `a registered key must be public: "${member}" is a private key member` });
            }
          }
        }
      }),
    ),
    z.discriminatedUnion('kty', [EcJwk, RsaJwk, OkpJwk]),
  )
  .check(
    z.superRefine((jwk, ctx) => {
      const problem = publicKeyProblem(jwk);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  ) satisfies z.ZodMiniType<ClientJwk>;

/** A client's JWKS: 1 to 5 public keys, each with its own `kid`. */
export const ClientJwksSchema = z
  .strictObject({ keys: z.array(ClientJwkSchema).check(z.minLength(1), z.maxLength(MAX_CLIENT_KEYS)) })
  .check(
    z.superRefine(({ keys }, ctx) => {
      const seen = new Set<string>();
      keys.forEach((key, i) => {
        if (seen.has(key.kid)) ctx.addIssue({ code: 'custom', path: ['keys', i, 'kid'], message: `kid ${key.kid} is used twice` });
        seen.add(key.kid);
      });
    }),
  ) satisfies z.ZodMiniType<ClientJwks>;

const name = z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_CLIENT_NAME_LENGTH));
const status = z._default(z.enum(CLIENT_STATUSES), 'active');

/** Body of `PUT /v1/exchanges/{exchangeId}`. */
export const ExchangeRegistrationRequestSchema = z.strictObject({ name, jwks: ClientJwksSchema, status });
export type ExchangeRegistrationRequest = z.output<typeof ExchangeRegistrationRequestSchema>;

/** Body of `PUT /v1/clients/{clientId}`: an auditor or admin client. */
export const ClientRegistrationRequestSchema = z.strictObject({
  role: z.enum(ROLE_CLIENT_ROLES),
  name,
  jwks: ClientJwksSchema,
  status,
});
export type ClientRegistrationRequest = z.output<typeof ClientRegistrationRequestSchema>;

/** Path of `PUT|GET /v1/exchanges/{exchangeId}`. */
export const ExchangePathSchema = z.object({ exchangeId: z.string().check(z.regex(EXCHANGE_ID_PATTERN, `an exchange id matches ${EXCHANGE_ID_PATTERN.source}`)) });
export type ExchangePath = z.output<typeof ExchangePathSchema>;

/** Path of `PUT /v1/clients/{clientId}`. */
export const RoleClientPathSchema = z.object({
  clientId: z.string().check(z.regex(ROLE_CLIENT_ID_PATTERN, 'an auditor or admin client id has a "." or ":" (so it is never an exchange id)')),
});
export type RoleClientPath = z.output<typeof RoleClientPathSchema>;
