import { tokenSha256 } from '../../crypto/token-digest.ts';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { ClientJwksSchema, type ClientRegistration } from '../../domain/client-registration.ts';
import type { AuditEvent, Exchange, StoredCertificate } from '../../domain/records.ts';
import { RevocationReasons } from '../../domain/records.ts';
import { OUTBOX_PENDING } from './table.ts';

/** Primary key of an item. */
export interface ItemKey {
  pk: string;
  sk: string;
}

/** An item as the document client reads and writes it. */
export type Item = Record<string, unknown>;

/**
 * Key parts are joined with `#`; a part containing `#` could make two different keys collide
 * (`a#b` + `c` vs `a` + `b#c`), so it is refused as a programming error: ids and
 * transaction references never contain it.
 */
function part(value: string, what: string): string {
  if (value.length === 0 || value.includes('#')) {
    throw new TypeError(`${what} must be non-empty and must not contain '#': ${JSON.stringify(value)}`);
  }
  return value;
}

/** RFC 3339 time as a fixed-width UTC string, so that sort keys order by time. */
export function sortableTime(at: string): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) throw new TypeError(`Not a time: ${JSON.stringify(at)}`);
  return new Date(ms).toISOString();
}

/** Item keys of every kind of item in the table (see table.ts). */
export const keys = {
  certificate: (id: string): ItemKey => ({ pk: `CERT#${part(id, 'certificate id')}`, sk: 'CERT' }),
  transaction: (exchangeId: string, transactionRef: string): ItemKey => ({
    pk: `TXN#${part(exchangeId, 'exchange id')}#${part(transactionRef, 'transactionRef')}`,
    sk: 'TXN',
  }),
  certificateNo: (certificateNo: string): ItemKey => ({
    pk: `CERTNO#${part(certificateNo, 'certificate number')}`,
    sk: 'CERTNO',
  }),
  event: (certificateId: string, at: string, type: AuditEvent['type']): ItemKey => ({
    pk: `CERT#${part(certificateId, 'certificate id')}`,
    sk: `EVENT#${sortableTime(at)}#${type}`,
  }),
  counter: (): ItemKey => ({ pk: 'STATUSLIST', sk: 'COUNTER' }),
  statusListHead: (listId: string): ItemKey => ({ pk: `STATUSLIST#${part(listId, 'list id')}`, sk: 'HEAD' }),
  statusListShard: (listId: string, shard: number): ItemKey => ({
    pk: `STATUSLIST#${part(listId, 'list id')}`,
    sk: `SHARD#${shard}`,
  }),
  exchange: (id: string): ItemKey => ({ pk: `EXCHANGE#${part(id, 'exchange id')}`, sk: 'EXCHANGE' }),
  client: (clientId: string): ItemKey => ({ pk: `CLIENT#${part(clientId, 'client id')}`, sk: 'CLIENT' }),
  /** An accepted client assertion's `jti`, by client and SHA-256 of the `jti` (any characters, any length). */
  assertionJti: (clientId: string, jtiSha256: string): ItemKey => ({
    pk: `JTI#${part(clientId, 'client id')}#${part(jtiSha256, 'jti digest')}`,
    sk: 'JTI',
  }),
};

/** Indexes per revoked-set shard: a Number Set of 8192 indexes stays far below 400 KB. */
export const SHARD_SIZE = 8192;

/** The shard of the revoked set that holds `index`. */
export function shardOf(index: number): number {
  return Math.floor(index / SHARD_SIZE);
}


/** The certificate item. */
export function certificateItem(c: StoredCertificate): Item {
  return { ...keys.certificate(c.id), kind: 'certificate', ...c };
}

/** The transaction-key item: a full copy of the certificate, so a replay needs no second read. */
export function transactionItem(c: StoredCertificate): Item {
  return { ...keys.transaction(c.exchangeId, c.transactionRef), kind: 'transaction', ...c };
}

/** The certificate-number item that keeps numbers unique. */
export function certificateNoItem(c: StoredCertificate): Item {
  return { ...keys.certificateNo(c.certificateNo), kind: 'certificate-number', certificateId: c.id };
}

/** The certificate id a certificate-number item names. */
export function parseCertificateNoItem(item: Item): string {
  return z.object({ kind: z.literal('certificate-number'), certificateId: z.string() }).parse(item).certificateId;
}

/** The event item; pending in the transparency log's outbox until the integrator takes it. */
export function eventItem(e: AuditEvent): Item {
  return {
    ...keys.event(e.certificateId, e.at, e.type),
    kind: 'event',
    ...e,
    outboxPk: OUTBOX_PENDING,
    outboxSk: `${sortableTime(e.at)}#${e.certificateId}#${e.type}`,
  };
}

/** The exchange item, with the revision that guards concurrent updates. */
export function exchangeItem(e: Exchange, revision: number): Item {
  return { ...keys.exchange(e.id), kind: 'exchange', ...e, revision };
}

/**
 * The attributes of one OAuth client id's item that bind it to an exchange: a copy of the
 * exchange, so the lookup is one GetItem. Written with an UpdateItem (`SET` of these only), so
 * that rewriting the copy keeps the client's registration (its keys) in place.
 */
export function clientExchangeAttributes(clientId: string, e: Exchange): Item {
  return { kind: 'client', clientId, exchangeId: e.id, exchange: e };
}

/** A whole client item bound to exchange `e` (no registration). */
export function clientItem(clientId: string, e: Exchange): Item {
  return { ...keys.client(clientId), ...clientExchangeAttributes(clientId, e) };
}

/** The registration part of a client item: role, name, keys, status (see `client-registry`). */
export type StoredRegistration = Pick<ClientRegistration, 'role' | 'name' | 'jwks' | 'status' | 'updatedAt'>;

const RevocationSchema = z.object({
  reason: z.enum(RevocationReasons),
  revokedAt: z.string(),
  comment: z.string().nullable(),
});

// Parsing (rather than casting) what comes back keeps a damaged or foreign item from travelling
// on as a certificate; unknown attributes (pk, sk, kind) are dropped.
const CertificateSchema = z.object({
  id: z.string(),
  certificateNo: z.string(),
  exchangeId: z.string(),
  transactionRef: z.string(),
  requestHash: z.string(),
  token: z.string(),
  issuedAt: z.string(),
  validUntil: z.string(),
  status: z.enum(['active', 'revoked']),
  statusList: z.object({ listId: z.string(), index: z.number().int().nonnegative() }),
  statusListCredential: z.string(),
  revocation: RevocationSchema.nullable(),
  supersedes: z.string().nullable(),
  supersededBy: z.string().nullable(),
}) satisfies z.ZodType<StoredCertificate>;

const EventSchema = z.object({
  certificateId: z.string(),
  type: z.enum(['issued', 'revoked', 'superseded']),
  at: z.string(),
  actor: z.string(),
  detail: z.record(z.string(), z.string().nullable()),
  certificateNo: z.string(),
  statusListId: z.string(),
  statusListIndex: z.number().int().nonnegative(),
  tokenSha256: z.string(),
}) satisfies z.ZodType<AuditEvent>;

const ExchangeSchema = z.object({
  id: z.string(),
  name: z.string(),
  clientIds: z.array(z.string()),
  status: z.enum(['active', 'suspended']),
}) satisfies z.ZodType<Exchange>;

const ExchangeItemSchema = ExchangeSchema.extend({ revision: z.number().int().nonnegative() });

const ClientItemSchema = z.object({ exchange: ExchangeSchema.optional() });

const RegistrationSchema = z.object({
  role: z.enum(['exchange', 'auditor', 'admin']),
  name: z.string(),
  jwks: ClientJwksSchema,
  status: z.enum(['active', 'suspended']),
  updatedAt: z.string(),
}) satisfies z.ZodType<StoredRegistration>;

const RegisteredClientItemSchema = z.object({
  clientId: z.string(),
  exchange: ExchangeSchema.optional(),
  registration: RegistrationSchema.optional(),
});

/** Reads a certificate (or transaction-key copy) item back into the port's type. */
export function parseCertificate(item: Item): StoredCertificate {
  return CertificateSchema.parse(item);
}

/** Reads an event item back into the port's type. */
export function parseEvent(item: Item): AuditEvent {
  return EventSchema.parse(item);
}

/** Reads an exchange item: the exchange and the revision it was written with. */
export function parseExchangeItem(item: Item): { exchange: Exchange; revision: number } {
  const { revision, ...exchange } = ExchangeItemSchema.parse(item);
  return { exchange, revision };
}

/** Reads a client item: the exchange that client acts for; null for a client that acts for none (an auditor, an admin). */
export function parseClientItem(item: Item): Exchange | null {
  return ClientItemSchema.parse(item).exchange ?? null;
}

/** Reads a client item's registration; null when the client holds no keys (bound by `putExchange` alone). */
export function parseRegisteredClientItem(item: Item): ClientRegistration | null {
  const parsed = RegisteredClientItemSchema.parse(item);
  if (!parsed.registration) return null;
  const exchange = parsed.registration.role === 'exchange' ? (parsed.exchange ?? null) : null;
  // An exchange's client without its exchange copy is not usable: treated as unregistered.
  if (parsed.registration.role === 'exchange' && exchange === null) return null;
  return { clientId: parsed.clientId, ...parsed.registration, exchange };
}

/**
 * Converts a raw DynamoDB attribute map into plain values. Needed for the items that come back
 * inside a `TransactionCanceledException`: the document client converts responses, not errors.
 */
export function fromAttributeMap(map: Record<string, AttributeValue>): Item {
  const out: Item = {};
  for (const [name, value] of Object.entries(map)) out[name] = fromAttributeValue(value);
  return out;
}

function fromAttributeValue(v: AttributeValue): unknown {
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return Number(v.N);
  if (v.BOOL !== undefined) return v.BOOL;
  if (v.NULL !== undefined) return null;
  if (v.M !== undefined) return fromAttributeMap(v.M);
  if (v.L !== undefined) return v.L.map(fromAttributeValue);
  if (v.SS !== undefined) return new Set(v.SS);
  if (v.NS !== undefined) return new Set(v.NS.map(Number));
  if (v.B !== undefined) return v.B;
  if (v.BS !== undefined) return new Set(v.BS);
  throw new TypeError(`Unsupported attribute value: ${Object.keys(v).join(',')}`);
}
