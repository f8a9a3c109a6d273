import {
  BASE64URL_PATTERN,
  CLIENT_KEY_MEMBERS,
  CLIENT_KEY_TYPES,
  CLIENT_KEY_USE,
  CLIENT_STATUSES,
  type ClientJwk,
  type ClientJwks,
  type ClientStatus,
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
import type { ClientRegistrationRequest, ExchangePath, ExchangeRegistrationRequest, RoleClientPath } from './client-registration.ts';
import { fits, isOneOf, isStrictObject, keys, optionalMember, when } from './shape-check.ts';
import { type InputContract, inputContract, REFUSED } from './input-contract.ts';
import { isRecord } from '../../support/record.ts';

/**
 * The client registration routes' inputs as contracts (`input-contract.ts`): zod-free predicates
 * that give exactly what the schemas of `client-registration.ts` give (`safeParse(value).data`),
 * or {@link REFUSED}. The routes import these, so a registration function builds no zod schema
 * at start-up; a refused value imports the schema, whose issues make the 400.
 *
 * They follow zod 4's semantics as `credential-check.ts` does (strict objects refuse every key
 * `for...in` yields that they do not declare; declared members are read as `value[key]`; an
 * optional member may be absent or undefined, and an undefined one that is present, own or
 * inherited, stays in the output; a plain `z.object` drops what it does not declare), and build
 * their output as zod does: a fresh object per level, members in the schema's order, the name
 * trimmed and the status defaulted. The key rules are those of `client-registration.ts`, and
 * the one zod cannot state, that a key imports as a public key of its type, is
 * `publicKeyProblem`, which the schema refines its keys with. The parity test
 * (`test/shared/domain/schemas/client-registration-check.test.ts`) holds each to its schema.
 */

type KeyType = keyof typeof CLIENT_KEY_TYPES;

/** What `z.discriminatedUnion('kty', ...)` picks from: each key type with its declared members, in order. */
const KEY_TYPES: ReadonlyMap<unknown, { kty: KeyType; declared: ReadonlySet<string>; order: readonly string[] }> = new Map(
  (Object.keys(CLIENT_KEY_MEMBERS) as KeyType[]).map((kty) => [kty, { kty, declared: new Set(CLIENT_KEY_MEMBERS[kty]), order: CLIENT_KEY_MEMBERS[kty] }]),
);

/** The members a key may leave out. */
const OPTIONAL_KEY_MEMBERS: ReadonlySet<string> = keys('alg', 'use');

const JWKS_KEYS = keys('keys');
const EXCHANGE_REGISTRATION_KEYS = keys('name', 'jwks', 'status');
const CLIENT_REGISTRATION_KEYS = keys('role', 'name', 'jwks', 'status');

/** `ClientJwkSchema`: one registered public key, as the schema outputs it, or {@link REFUSED}. */
export function acceptClientJwk(value: unknown): ClientJwk | typeof REFUSED {
  if (!isRecord(value)) return REFUSED;
  // The schema's first step: an own private member, enumerable or not.
  for (const member of PRIVATE_KEY_MEMBERS) if (Object.hasOwn(value, member)) return REFUSED;
  const type = KEY_TYPES.get(value['kty']);
  if (type === undefined || !isStrictObject(value, type.declared)) return REFUSED;
  const out: Record<string, unknown> = {};
  for (const member of type.order) {
    const isMember = (given: unknown): boolean => isKeyMember(type.kty, member, given);
    if (OPTIONAL_KEY_MEMBERS.has(member)) {
      if (!optionalMember(value, member, out, when(isMember))) return REFUSED;
    } else {
      const given = value[member];
      if (!isMember(given)) return REFUSED;
      out[member] = given;
    }
  }
  const jwk = out as unknown as ClientJwk;
  return publicKeyProblem(jwk) === null ? jwk : REFUSED;
}

/** Whether `value` is what a key of type `kty` may hold as `member` (one of its declared members, not undefined if optional). */
function isKeyMember(kty: KeyType, member: string, value: unknown): boolean {
  switch (member) {
    case 'kty':
      return value === kty;
    case 'crv':
      return value === CLIENT_KEY_TYPES[kty].crv;
    case 'e':
      return value === RSA_PUBLIC_EXPONENT;
    case 'kid':
      // Visible ASCII is one code point a unit, so its length is zod's.
      return typeof value === 'string' && value.length <= MAX_KID_LENGTH && KID_PATTERN.test(value);
    case 'alg':
      return value === CLIENT_KEY_TYPES[kty].alg;
    case 'use':
      return value === CLIENT_KEY_USE;
    default:
      // x, y, n.
      return typeof value === 'string' && BASE64URL_PATTERN.test(value);
  }
}

/** `ClientJwksSchema`: 1 to {@link MAX_CLIENT_KEYS} public keys with distinct kids, or {@link REFUSED}. */
export function acceptClientJwks(value: unknown): ClientJwks | typeof REFUSED {
  if (!isStrictObject(value, JWKS_KEYS)) return REFUSED;
  const given = value['keys'];
  if (!Array.isArray(given) || given.length < 1 || given.length > MAX_CLIENT_KEYS) return REFUSED;
  const out: ClientJwk[] = [];
  for (let i = 0; i < given.length; i++) {
    const key = acceptClientJwk(given[i]);
    if (key === REFUSED || out.some((seen) => seen.kid === key.kid)) return REFUSED;
    out.push(key);
  }
  return { keys: out };
}

/** A client's name as the schema outputs it (trimmed), or {@link REFUSED}. */
function acceptName(value: unknown): string | typeof REFUSED {
  if (typeof value !== 'string') return REFUSED;
  const name = value.trim();
  return name.length >= 1 && fits(name, MAX_CLIENT_NAME_LENGTH) ? name : REFUSED;
}

/** A registration's status, `active` when it names none, or {@link REFUSED}. */
function acceptStatus(value: unknown): ClientStatus | typeof REFUSED {
  if (value === undefined) return 'active';
  return isOneOf(value, CLIENT_STATUSES) ? (value as ClientStatus) : REFUSED;
}

/** `ExchangeRegistrationRequestSchema`. */
export function acceptExchangeRegistration(value: unknown): ExchangeRegistrationRequest | typeof REFUSED {
  if (!isStrictObject(value, EXCHANGE_REGISTRATION_KEYS)) return REFUSED;
  const name = acceptName(value['name']);
  if (name === REFUSED) return REFUSED;
  const jwks = acceptClientJwks(value['jwks']);
  if (jwks === REFUSED) return REFUSED;
  const status = acceptStatus(value['status']);
  return status === REFUSED ? REFUSED : { name, jwks, status };
}

/** `ClientRegistrationRequestSchema`. */
export function acceptClientRegistration(value: unknown): ClientRegistrationRequest | typeof REFUSED {
  if (!isStrictObject(value, CLIENT_REGISTRATION_KEYS)) return REFUSED;
  const role = value['role'];
  if (!isOneOf(role, ROLE_CLIENT_ROLES)) return REFUSED;
  const name = acceptName(value['name']);
  if (name === REFUSED) return REFUSED;
  const jwks = acceptClientJwks(value['jwks']);
  if (jwks === REFUSED) return REFUSED;
  const status = acceptStatus(value['status']);
  return status === REFUSED ? REFUSED : { role: role as ClientRegistrationRequest['role'], name, jwks, status };
}

/** `ExchangePathSchema`: a plain object, so members it does not declare are dropped. */
export function acceptExchangePath(value: unknown): ExchangePath | typeof REFUSED {
  if (!isRecord(value)) return REFUSED;
  const exchangeId = value['exchangeId'];
  return typeof exchangeId === 'string' && EXCHANGE_ID_PATTERN.test(exchangeId) ? { exchangeId } : REFUSED;
}

/** `RoleClientPathSchema`: a plain object, so members it does not declare are dropped. */
export function acceptRoleClientPath(value: unknown): RoleClientPath | typeof REFUSED {
  if (!isRecord(value)) return REFUSED;
  const clientId = value['clientId'];
  return typeof clientId === 'string' && ROLE_CLIENT_ID_PATTERN.test(clientId) ? { clientId } : REFUSED;
}

/** Body of `PUT /v1/exchanges/{exchangeId}`. */
export const ExchangeRegistrationRequestContract: InputContract<ExchangeRegistrationRequest> = inputContract(acceptExchangeRegistration, () =>
  import('./client-registration.ts').then((m) => m.ExchangeRegistrationRequestSchema),
);

/** Body of `PUT /v1/clients/{clientId}`. */
export const ClientRegistrationRequestContract: InputContract<ClientRegistrationRequest> = inputContract(acceptClientRegistration, () =>
  import('./client-registration.ts').then((m) => m.ClientRegistrationRequestSchema),
);

/** Path of `PUT|GET /v1/exchanges/{exchangeId}`. */
export const ExchangePathContract: InputContract<ExchangePath> = inputContract(acceptExchangePath, () =>
  import('./client-registration.ts').then((m) => m.ExchangePathSchema),
);

/** Path of `PUT /v1/clients/{clientId}`. */
export const RoleClientPathContract: InputContract<RoleClientPath> = inputContract(acceptRoleClientPath, () =>
  import('./client-registration.ts').then((m) => m.RoleClientPathSchema),
);
