import { createPublicKey } from 'node:crypto';
import type { Role } from './caller.ts';
import type { Exchange } from './records.ts';
import { isRecord } from '../support/record.ts';

/**
 * The machine clients of the API and the public keys they authenticate with: the key rules, the
 * registration records and the admin views of them. An exchange's client id is its exchange id;
 * auditor and admin clients have ids with a dot or a colon, which no exchange id has, so the two
 * can never collide. The admin requests that write registrations, and the full JWKS rules they
 * are checked with, are zod schemas beside the other route schemas
 * (`schemas/client-registration.ts`), answered for without zod by the routes' contracts
 * (`schemas/client-registration-check.ts`); both are built from the constants and the key rule
 * here. This module stays free of zod, so that the stores, which every function builds, can read
 * a registration back without loading it.
 */

/** Keys per client: enough for a rotation with overlap (old and new) and a spare. */
export const MAX_CLIENT_KEYS = 5;

/** RSA moduli accepted: at least 2048 bits (RFC 7518), at most 4096 (bounds verification work). */
export const RSA_MIN_BITS = 2048;
export const RSA_MAX_BITS = 4096;

/** The one RSA public exponent accepted, 65537: every current generator's default. */
export const RSA_PUBLIC_EXPONENT = 'AQAB';

/** The `use` a registered key may name: keys sign client assertions, nothing else. */
export const CLIENT_KEY_USE = 'sig';

/**
 * The key types a client may register: per `kty`, its curve (RSA has none), the one JWS
 * algorithm it signs with, and the public members it carries besides `kty`, `crv`, `kid`,
 * `alg` and `use`.
 */
export const CLIENT_KEY_TYPES = {
  EC: { crv: 'P-256', alg: 'ES256', members: ['x', 'y'] },
  RSA: { crv: null, alg: 'RS256', members: ['n', 'e'] },
  OKP: { crv: 'Ed25519', alg: 'EdDSA', members: ['x'] },
} as const satisfies Record<string, { crv: string | null; alg: string; members: readonly string[] }>;

type KeyTypes = typeof CLIENT_KEY_TYPES;

/**
 * The members of a registered key of each type, in the order a registration lists them: `kty`,
 * its curve, its public members, then `kid` and the optional `alg` and `use`. No other member
 * is declared; in particular no private one.
 */
export const CLIENT_KEY_MEMBERS: { readonly [K in keyof KeyTypes]: readonly string[] } = {
  EC: keyMembers('EC'),
  RSA: keyMembers('RSA'),
  OKP: keyMembers('OKP'),
};

function keyMembers(kty: keyof KeyTypes): readonly string[] {
  const type = CLIENT_KEY_TYPES[kty];
  return ['kty', ...(type.crv === null ? [] : ['crv']), ...type.members, 'kid', 'alg', 'use'];
}

/** The longest `kid` accepted: an RFC 7638 thumbprint is 43 characters. */
export const MAX_KID_LENGTH = 128;

/** A `kid`: visible ASCII (its length is bounded by {@link MAX_KID_LENGTH}). */
export const KID_PATTERN = /^[\x21-\x7e]+$/;

/** A key's coordinates and modulus: base64url without padding. */
export const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Members only a private or symmetric key has: a registered key never carries one. */
export const PRIVATE_KEY_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** The longest client name accepted, in code points after trimming. */
export const MAX_CLIENT_NAME_LENGTH = 200;

/** The roles `PUT /v1/clients/{clientId}` registers; exchanges have their own route. */
export const ROLE_CLIENT_ROLES = ['auditor', 'admin'] as const satisfies readonly Role[];

/** Auditor and admin client ids: like exchange ids, plus `.`, `:` and `_`, and at least one `.` or `:`. */
export const ROLE_CLIENT_ID_PATTERN = /^(?=[^.:]*[.:])[a-z0-9][a-z0-9._:-]{1,127}$/;

interface ClientJwkBase<K extends keyof KeyTypes> {
  kty: K;
  kid: string;
  alg?: KeyTypes[K]['alg'];
  use?: typeof CLIENT_KEY_USE;
}

/** A registered EC P-256 key (ES256). */
export interface EcClientJwk extends ClientJwkBase<'EC'> {
  crv: KeyTypes['EC']['crv'];
  x: string;
  y: string;
}

/** A registered RSA key of 2048 to 4096 bits (RS256). */
export interface RsaClientJwk extends ClientJwkBase<'RSA'> {
  n: string;
  e: typeof RSA_PUBLIC_EXPONENT;
}

/** A registered Ed25519 key (EdDSA). */
export interface OkpClientJwk extends ClientJwkBase<'OKP'> {
  crv: KeyTypes['OKP']['crv'];
  x: string;
}

/** One registered public key: EC P-256 (ES256), RSA 2048–4096 (RS256) or Ed25519 (EdDSA). */
export type ClientJwk = EcClientJwk | RsaClientJwk | OkpClientJwk;

/** A client's JWKS: 1 to {@link MAX_CLIENT_KEYS} public keys, each with its own `kid`. */
export interface ClientJwks {
  keys: ClientJwk[];
}

/**
 * Whether `value` has the shape of a registered key set, as a store reads one back: an object
 * with a `keys` array and nothing else; each key of a known type, with its type's curve and
 * public members, its algorithm and `use` if it names them, and no other member; every member a
 * string. Shape only, not every rule: the keys were checked in full when they were registered
 * (`ClientJwksSchema` in `schemas/client-registration.ts`, answered for without zod by
 * `acceptClientJwks` in `schemas/client-registration-check.ts`: base64url members, the `kid`
 * rules, no private member, 1 to {@link MAX_CLIENT_KEYS} keys with unique kids, a point on the
 * curve, the RSA size), and nothing else writes them. A key that still fails to import is refused
 * where it is used, as any other unusable assertion key.
 */
export function isClientJwks(value: unknown): value is ClientJwks {
  if (!isRecord(value) || !Array.isArray(value['keys'])) return false;
  for (const member of Object.keys(value)) if (member !== 'keys') return false;
  return value['keys'].every(isClientJwkShape);
}

function isClientJwkShape(key: unknown): boolean {
  if (!isRecord(key)) return false;
  const kty = key['kty'];
  if (typeof kty !== 'string' || !Object.hasOwn(CLIENT_KEY_TYPES, kty)) return false;
  const type: KeyTypes[keyof KeyTypes] = CLIENT_KEY_TYPES[kty as keyof KeyTypes];
  const members: readonly string[] = type.members;
  const declared = CLIENT_KEY_MEMBERS[kty as keyof KeyTypes];
  for (const [member, value] of Object.entries(key)) {
    if (typeof value !== 'string' || !declared.includes(member)) return false;
  }
  return (
    Object.hasOwn(key, 'kid') &&
    members.every((member) => Object.hasOwn(key, member)) &&
    (type.crv === null ? !Object.hasOwn(key, 'crv') : key['crv'] === type.crv) &&
    (!Object.hasOwn(key, 'alg') || key['alg'] === type.alg) &&
    (!Object.hasOwn(key, 'use') || key['use'] === CLIENT_KEY_USE) &&
    (kty !== 'RSA' || key['e'] === RSA_PUBLIC_EXPONENT)
  );
}

/**
 * Why `jwk` is not a usable public key of its type, or null: an RSA modulus outside
 * {@link RSA_MIN_BITS}–{@link RSA_MAX_BITS} bits, or members that do not import as a public key
 * (coordinates off the curve, lengths wrong): the rule that `ClientJwkSchema` (and its zod-free
 * twin, `acceptClientJwk`) adds to the members' own.
 */
export function publicKeyProblem(jwk: ClientJwk): string | null {
  if (jwk.kty === 'RSA') {
    const modulus = Buffer.from(jwk.n, 'base64url');
    const bits = modulus.length === 0 ? 0 : (modulus.length - 1) * 8 + (32 - Math.clz32(modulus[0] as number));
    if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
      return `an RSA key must have ${RSA_MIN_BITS} to ${RSA_MAX_BITS} bits, not ${bits}`;
    }
  }
  try {
    // Checks what the schema cannot: the coordinates are a point of the curve, the lengths right.
    createPublicKey({ key: { kty: jwk.kty, ...('crv' in jwk ? { crv: jwk.crv } : {}), ...publicMembers(jwk) }, format: 'jwk' });
    return null;
  } catch {
    return `the key is not a valid ${jwk.kty === 'EC' ? 'P-256' : jwk.kty === 'OKP' ? 'Ed25519' : 'RSA'} public key`;
  }
}

function publicMembers(jwk: ClientJwk): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['x', 'y', 'n', 'e']) {
    const member: unknown = (jwk as unknown as Record<string, unknown>)[name];
    if (typeof member === 'string') out[name] = member;
  }
  return out;
}

/** What a registration's `status` may be; a registration that names none is `active`. */
export const CLIENT_STATUSES = ['active', 'suspended'] as const;

export type ClientStatus = (typeof CLIENT_STATUSES)[number];

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
