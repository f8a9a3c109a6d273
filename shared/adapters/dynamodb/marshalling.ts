import { tokenSha256 } from '../../crypto/token-digest.ts';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type ClientRegistration, isClientJwks } from '../../domain/client-registration.ts';
import type { AuditEvent, Exchange, StoredCertificate } from '../../domain/records.ts';
import { RevocationReasons } from '../../domain/records.ts';
import { type Decoder, count, listOf, mapOf, nullable, object, oneOf, optional, satisfying, str } from './item-decoders.ts';
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
  event: (certificateId: string, at: string, type: AuditEvent['type']): ItemKey => eventKey(certificateId, sortableTime(at), type),
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


/**
 * `{ ...key, kind, ...attributes }`, the same members in the same order, built with
 * `Object.assign` (the attributes are the port's plain records, so assigning is defining them).
 * The spread form took 12 µs per certificate item on Node 20 (a spread after other members is
 * copied member by member), this one 0.3 µs; an issue writes three such items.
 */
function keyedItem(key: ItemKey, kind: string, attributes: object): Item {
  return Object.assign({ pk: key.pk, sk: key.sk, kind }, attributes);
}

/** The certificate item. */
export function certificateItem(c: StoredCertificate): Item {
  return keyedItem(keys.certificate(c.id), 'certificate', c);
}

/** The transaction-key item: a full copy of the certificate, so a replay needs no second read. */
export function transactionItem(c: StoredCertificate): Item {
  return keyedItem(keys.transaction(c.exchangeId, c.transactionRef), 'transaction', c);
}

/** The certificate-number item that keeps numbers unique. */
export function certificateNoItem(c: StoredCertificate): Item {
  const key = keys.certificateNo(c.certificateNo);
  return { pk: key.pk, sk: key.sk, kind: 'certificate-number', certificateId: c.id };
}

const CertificateNoItemShape = object({ kind: oneOf(['certificate-number']), certificateId: str });

/** The certificate id a certificate-number item names. */
export function parseCertificateNoItem(item: Item): string {
  return CertificateNoItemShape(item, 'certificate-number').certificateId;
}

/** The key of an event item, its time already made sortable. */
function eventKey(certificateId: string, sortableAt: string, type: AuditEvent['type']): ItemKey {
  return { pk: `CERT#${part(certificateId, 'certificate id')}`, sk: `EVENT#${sortableAt}#${type}` };
}

/** The event item; pending in the transparency log's outbox until the integrator takes it. */
export function eventItem(e: AuditEvent): Item {
  // The time is made sortable once, for both sort keys.
  const at = sortableTime(e.at);
  // A literal head, as in keyedItem: assigning the event onto a spread copy of the key took
  // 16 µs on Node 20 (the copy's shape makes the assign take its slow path), this 2 µs.
  return Object.assign(keyedItem(eventKey(e.certificateId, at, e.type), 'event', e), {
    outboxPk: OUTBOX_PENDING,
    outboxSk: `${at}#${e.certificateId}#${e.type}`,
  });
}

/** The exchange item, with the revision that guards concurrent updates. */
export function exchangeItem(e: Exchange, revision: number): Item {
  return Object.assign(keyedItem(keys.exchange(e.id), 'exchange', e), { revision });
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
  const key = keys.client(clientId);
  return Object.assign({ pk: key.pk, sk: key.sk }, clientExchangeAttributes(clientId, e));
}

/** The registration part of a client item: role, name, keys, status (see `client-registry`). */
export type StoredRegistration = Pick<ClientRegistration, 'role' | 'name' | 'jwks' | 'status' | 'updatedAt'>;

// Decoding (rather than casting) what comes back keeps a damaged or foreign item from travelling
// on as a certificate; unknown attributes (pk, sk, kind) are dropped. The decoders are hand-written
// (`item-decoders.ts`), so that no function loads zod for its stores.
const RevocationShape = object({
  reason: oneOf(RevocationReasons),
  revokedAt: str,
  comment: nullable(str),
});

const CertificateShape = object({
  id: str,
  certificateNo: str,
  exchangeId: str,
  transactionRef: str,
  requestHash: str,
  token: str,
  issuedAt: str,
  validUntil: str,
  status: oneOf(['active', 'revoked']),
  statusList: object({ listId: str, index: count }),
  statusListCredential: str,
  revocation: nullable(RevocationShape),
  supersedes: nullable(str),
  supersededBy: nullable(str),
}) satisfies Decoder<StoredCertificate>;

const EventShape = object({
  certificateId: str,
  type: oneOf(['issued', 'revoked', 'superseded']),
  at: str,
  actor: str,
  detail: mapOf(nullable(str)),
  certificateNo: str,
  statusListId: str,
  statusListIndex: count,
  tokenSha256: str,
}) satisfies Decoder<AuditEvent>;

const exchangeShape = {
  id: str,
  name: str,
  clientIds: listOf(str),
  status: oneOf(['active', 'suspended']),
};

const ExchangeShape = object(exchangeShape) satisfies Decoder<Exchange>;

const ExchangeItemShape = object({ ...exchangeShape, revision: count });

const ClientItemShape = object({ exchange: optional(ExchangeShape) });

const RegistrationShape = object({
  role: oneOf(['exchange', 'auditor', 'admin']),
  name: str,
  // In shape only: the keys were checked in full when they were registered (see `isClientJwks`).
  jwks: satisfying(isClientJwks, 'a registered key set'),
  status: oneOf(['active', 'suspended']),
  updatedAt: str,
}) satisfies Decoder<StoredRegistration>;

const RegisteredClientItemShape = object({
  clientId: str,
  exchange: optional(ExchangeShape),
  registration: optional(RegistrationShape),
});

/** Reads a certificate (or transaction-key copy) item back into the port's type. */
export function parseCertificate(item: Item): StoredCertificate {
  return CertificateShape(item, 'certificate');
}

/** Reads an event item back into the port's type. */
export function parseEvent(item: Item): AuditEvent {
  return EventShape(item, 'event');
}

/** Reads an exchange item: the exchange and the revision it was written with. */
export function parseExchangeItem(item: Item): { exchange: Exchange; revision: number } {
  const { revision, ...exchange } = ExchangeItemShape(item, 'exchange');
  return { exchange, revision };
}

/** Reads a client item: the exchange that client acts for; null for a client that acts for none (an auditor, an admin). */
export function parseClientItem(item: Item): Exchange | null {
  return ClientItemShape(item, 'client').exchange ?? null;
}

/** Reads a client item's registration; null when the client holds no keys (bound by `putExchange` alone). */
export function parseRegisteredClientItem(item: Item): ClientRegistration | null {
  const parsed = RegisteredClientItemShape(item, 'client');
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
