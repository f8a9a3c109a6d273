import type { Role } from './caller.ts';
import type { Exchange } from './records.ts';
import { isRecord } from '../support/record.ts';

/**
 * The machine clients of the API and the public keys they authenticate with: the key rules, the
 * registration records and the admin views of them. An exchange's client id is its exchange id;
 * auditor and admin clients have ids with a dot or a colon, which no exchange id has, so the two
 * can never collide. The admin requests that write registrations, and the full JWKS rules they
 * are checked with, are zod schemas beside the other route schemas
 * (`schemas/client-registration.ts`); this module stays free of zod, so that the stores, which
 * every function builds, can read a registration back without loading it.
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

/** The members every registered key may have; the rest are its type's `members`. */
const COMMON_KEY_MEMBERS: ReadonlySet<string> = new Set(['kty', 'crv', 'kid', 'alg', 'use']);

/**
 * Whether `value` has the shape of a registered key set, as a store reads one back: an object
 * with a `keys` array and nothing else; each key of a known type, with its type's curve and
 * public members, its algorithm and `use` if it names them, and no other member; every member a
 * string. Shape only, not every rule: the keys were checked in full when they were registered
 * (`ClientJwksSchema` in `schemas/client-registration.ts`: base64url members, the `kid` rules,
 * no private member, 1 to {@link MAX_CLIENT_KEYS} keys with unique kids, a point on the curve,
 * the RSA size), and nothing else writes them. A key that still fails to import is refused
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
  for (const [member, value] of Object.entries(key)) {
    if (typeof value !== 'string' || !(COMMON_KEY_MEMBERS.has(member) || members.includes(member))) return false;
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
