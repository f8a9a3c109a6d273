import { createPublicKey } from 'node:crypto';
import * as z from 'zod';
import type { Role } from './caller.ts';
import { EXCHANGE_ID_PATTERN, type Exchange } from './records.ts';

/**
 * The machine clients of the API and the public keys they authenticate with: the JWKS rules, the
 * registration records and the admin requests that write them. An exchange's client id is its
 * exchange id; auditor and admin clients have ids with a dot or a colon, which no exchange id
 * has, so the two can never collide.
 */

/** Keys per client: enough for a rotation with overlap (old and new) and a spare. */
export const MAX_CLIENT_KEYS = 5;

/** RSA moduli accepted: at least 2048 bits (RFC 7518), at most 4096 (bounds verification work). */
export const RSA_MIN_BITS = 2048;
export const RSA_MAX_BITS = 4096;

/** Auditor and admin client ids: like exchange ids, plus `.`, `:` and `_`, and at least one `.` or `:`. */
export const ROLE_CLIENT_ID_PATTERN = /^(?=[^.:]*[.:])[a-z0-9][a-z0-9._:-]{1,127}$/;

/** The longest `kid` accepted: an RFC 7638 thumbprint is 43 characters. */
const MAX_KID_LENGTH = 128;

/** Members only a private or symmetric key has: a registered key never carries one. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

const base64url = (what: string) => z.string().regex(/^[A-Za-z0-9_-]+$/, `${what} must be base64url without padding`);
const kid = z.string().min(1).max(MAX_KID_LENGTH).regex(/^[\x21-\x7e]+$/, 'kid must be visible ASCII');
const use = z.literal('sig').optional();

const EcJwk = z.strictObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: base64url('x'),
  y: base64url('y'),
  kid,
  alg: z.literal('ES256').optional(),
  use,
});

const RsaJwk = z.strictObject({
  kty: z.literal('RSA'),
  n: base64url('n'),
  // 65537: every current generator's default; a small exponent is refused rather than judged.
  e: z.literal('AQAB'),
  kid,
  alg: z.literal('RS256').optional(),
  use,
});

const OkpJwk = z.strictObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: base64url('x'),
  kid,
  alg: z.literal('EdDSA').optional(),
  use,
});

/** One registered public key: EC P-256 (ES256), RSA 2048–4096 (RS256) or Ed25519 (EdDSA). */
export const ClientJwkSchema = z
  .unknown()
  .superRefine((value, ctx) => {
    // Named first, so a private key is refused as such rather than as an unknown member.
    if (typeof value === 'object' && value !== null) {
      for (const member of PRIVATE_MEMBERS) {
        if (Object.hasOwn(value, member)) {
          ctx.addIssue({ code: 'custom', path: [member], message: `a registered key must be public: "${member}" is a private key member` });
        }
      }
    }
  })
  .pipe(z.discriminatedUnion('kty', [EcJwk, RsaJwk, OkpJwk]))
  .superRefine((jwk, ctx) => {
    const problem = publicKeyProblem(jwk);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
export type ClientJwk = z.output<typeof ClientJwkSchema>;

/** A client's JWKS: 1 to 5 public keys, each with its own `kid`. */
export const ClientJwksSchema = z
  .strictObject({ keys: z.array(ClientJwkSchema).min(1).max(MAX_CLIENT_KEYS) })
  .superRefine(({ keys }, ctx) => {
    const seen = new Set<string>();
    keys.forEach((key, i) => {
      if (seen.has(key.kid)) ctx.addIssue({ code: 'custom', path: ['keys', i, 'kid'], message: `kid ${key.kid} is used twice` });
      seen.add(key.kid);
    });
  });
export type ClientJwks = z.output<typeof ClientJwksSchema>;

/** Why `jwk` is not a usable public key of its type, or null. */
function publicKeyProblem(jwk: z.output<typeof EcJwk | typeof RsaJwk | typeof OkpJwk>): string | null {
  if (jwk.kty === 'RSA') {
    const modulus = Buffer.from(jwk.n, 'base64url');
    const bits = modulus.length === 0 ? 0 : (modulus.length - 1) * 8 + (32 - Math.clz32(modulus[0] as number));
    if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
      return `an RSA key must have ${RSA_MIN_BITS} to ${RSA_MAX_BITS} bits, not ${bits}`;
    }
  }
  try {
    // Checks what the schema cannot: the coordinates are a point of the curve, the lengths right.
    createPublicKey({ key: { kty: jwk.kty, ...('crv' in jwk ? { crv: jwk.crv } : {}), ...pick(jwk) }, format: 'jwk' });
    return null;
  } catch {
    return `the key is not a valid ${jwk.kty === 'EC' ? 'P-256' : jwk.kty === 'OKP' ? 'Ed25519' : 'RSA'} public key`;
  }
}

function pick(jwk: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['x', 'y', 'n', 'e']) if (typeof jwk[name] === 'string') out[name] = jwk[name];
  return out;
}

export type ClientStatus = 'active' | 'suspended';

/**
 * A registered client: who it is, which role its tokens carry, the keys its assertions are
 * checked with. An exchange's registration also carries its exchange (the copy the principal of a
 * request is resolved from).
 */
export interface ClientRegistration {
  clientId: string;
  role: Role;
  name: string;
  jwks: ClientJwks;
  status: ClientStatus;
  /** RFC 3339 time of the last registration write. */
  updatedAt: string;
  /** The exchange the client acts for; present exactly when `role` is `exchange`. */
  exchange: Exchange | null;
}

const name = z.string().trim().min(1).max(200);
const status = z.enum(['active', 'suspended']).default('active');

/** Body of `PUT /v1/exchanges/{exchangeId}`. */
export const ExchangeRegistrationRequestSchema = z.strictObject({ name, jwks: ClientJwksSchema, status });
export type ExchangeRegistrationRequest = z.output<typeof ExchangeRegistrationRequestSchema>;

/** Body of `PUT /v1/clients/{clientId}`: an auditor or admin client. */
export const ClientRegistrationRequestSchema = z.strictObject({
  role: z.enum(['auditor', 'admin']),
  name,
  jwks: ClientJwksSchema,
  status,
});
export type ClientRegistrationRequest = z.output<typeof ClientRegistrationRequestSchema>;

/** Path of `PUT|GET /v1/exchanges/{exchangeId}`. */
export const ExchangePathSchema = z.object({ exchangeId: z.string().regex(EXCHANGE_ID_PATTERN, `an exchange id matches ${EXCHANGE_ID_PATTERN.source}`) });

/** Path of `PUT /v1/clients/{clientId}`. */
export const RoleClientPathSchema = z.object({
  clientId: z.string().regex(ROLE_CLIENT_ID_PATTERN, 'an auditor or admin client id has a "." or ":" (so it is never an exchange id)'),
});

/** What the admin routes answer: the registration with its public keys only. */
export interface RegistrationView {
  clientId: string;
  role: Role;
  name: string;
  status: ClientStatus;
  jwks: ClientJwks;
  /** The scopes the client's tokens may carry. */
  scope: string;
  updatedAt: string;
  /** Present on an exchange's registration. */
  exchangeId?: string;
}
