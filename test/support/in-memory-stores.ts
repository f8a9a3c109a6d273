import {
  type RecordIssueResult,
  assertRevocable,
  checkNewCertificate,
  replayOrConflict,
  supersedeInvalid,
  supersedeStep,
} from '#shared/domain/certificate-changes.ts';
import { inLifecycleOrder, issuedEvent, revocationOf, supersessionOf } from '#shared/domain/lifecycle.ts';
import type { AuditEvent, Exchange, Revocation, StatusListPosition, StoredCertificate } from '#shared/domain/records.ts';
import { STATUS_LIST_SIZE } from '#shared/domain/status-list.ts';
import {
  type CertificateStore,
  ClientIdTakenError,
  type ExchangeStore,
  type RevokeCommand,
  type SdJwtStore,
  type StatusListStore,
  UniqueValueTakenError,
} from '#shared/ports/certificate-store.ts';
import type { LogHead, LogStore, LoggedEvent, PendingEvent } from '#shared/ports/log-store.ts';
import { type TileContent, type TileId, tilePath, tileSizeRange } from '#shared/transparency/tiles.ts';

/**
 * In-memory implementations of the store ports, for unit tests of the services that need no
 * DynamoDB Local. They keep the contracts the ports document and the DynamoDB adapters implement:
 * every multi-item change is all-or-nothing and decided by the same conditions (a transaction key
 * taken means replay or conflict by request hash, a revocation is dated no earlier than the
 * issuance, the log head moves only from the size the writer found), and audit events are the
 * log's outbox, as on the one table. Whatever goes in or comes out is copied, so a caller that
 * mutates a returned object cannot change the stored state behind the store's back.
 *
 * Each call does its checks and its writes without awaiting in between, so concurrent callers
 * interleave only between calls, as transactions of a real store do.
 */

/** Options of {@link inMemoryStores}. */
export interface InMemoryStoresOptions {
  /** URL of the status list credential of a list: every stored `statusListCredential` must equal it. */
  statusListUrl: (listId: string) => string;
  /**
   * Entries per status list (small lists cross a list boundary quickly).
   * @default 131072
   */
  statusListSize?: number;
}

/** The stores of one in-memory table, each behind its own port, like the app's DynamoDB stores. */
export interface InMemoryStores {
  certificates: InMemoryCertificateStore;
  statusLists: InMemoryCertificateStore;
  exchanges: InMemoryCertificateStore;
  log: InMemoryLogStore;
  sdJwts: InMemorySdJwtStore;
}

/** Builds every store on one shared in-memory table: certificate changes feed the log's outbox. */
export function inMemoryStores(options: InMemoryStoresOptions): InMemoryStores {
  const events = new EventTable();
  const store = new InMemoryCertificateStore(options, events);
  return { certificates: store, statusLists: store, exchanges: store, log: new InMemoryLogStore(events), sdJwts: new InMemorySdJwtStore() };
}

/** The selectively disclosable forms: written once per certificate and holder, the first writer's kept. */
export class InMemorySdJwtStore implements SdJwtStore {
  private readonly forms = new Map<string, string>();
  /** How many forms were written (a test asserts that asking again, or being refused, writes nothing). */
  writes = 0;

  async getSdJwt(certificateId: string, holder: string): Promise<string | null> {
    return this.forms.get(`${part(certificateId, 'certificate id')}#${part(holder, 'holder')}`) ?? null;
  }

  async putSdJwtOnce(certificateId: string, holder: string, sdJwt: string): Promise<{ created: boolean; sdJwt: string }> {
    const key = `${part(certificateId, 'certificate id')}#${part(holder, 'holder')}`;
    const stored = this.forms.get(key);
    if (stored !== undefined) return { created: false, sdJwt: stored };
    this.forms.set(key, sdJwt);
    this.writes += 1;
    return { created: true, sdJwt };
  }
}

/** An event as the table holds it: pending in the outbox until integrated at a log index. */
interface EventRecord {
  ref: { pk: string; sk: string };
  event: AuditEvent;
  /** The outbox sort key while pending (oldest first); null once integrated. */
  outboxSk: string | null;
  logIndex: number | null;
}

/**
 * Key parts are joined with `#`, so a part containing one is refused, as the DynamoDB keys refuse
 * it (ids and transaction references never contain it).
 */
function part(value: string, what: string): string {
  if (value.length === 0 || value.includes('#')) {
    throw new TypeError(`${what} must be non-empty and must not contain '#': ${JSON.stringify(value)}`);
  }
  return value;
}

function sortableTime(at: string): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) throw new TypeError(`Not a time: ${JSON.stringify(at)}`);
  return new Date(ms).toISOString();
}

const refKey = (ref: { pk: string; sk: string }): string => `${ref.pk}\n${ref.sk}`;

/** The audit events of every certificate: the certificate store writes them, the log reads them as its outbox. */
class EventTable {
  private readonly records = new Map<string, EventRecord>();

  refOf(e: AuditEvent): { pk: string; sk: string } {
    return { pk: `CERT#${part(e.certificateId, 'certificate id')}`, sk: `EVENT#${sortableTime(e.at)}#${e.type}` };
  }

  has(e: AuditEvent): boolean {
    return this.records.has(refKey(this.refOf(e)));
  }

  /** Writes a new pending event; the caller has checked that its key is free. */
  put(e: AuditEvent): void {
    const ref = this.refOf(e);
    this.records.set(refKey(ref), {
      ref,
      event: structuredClone(e),
      outboxSk: `${sortableTime(e.at)}#${e.certificateId}#${e.type}`,
      logIndex: null,
    });
  }

  get(ref: { pk: string; sk: string }): EventRecord | undefined {
    return this.records.get(refKey(ref));
  }

  /** Every event of one certificate, in sort-key order (time, then type). */
  ofCertificate(certificateId: string): EventRecord[] {
    const pk = `CERT#${part(certificateId, 'certificate id')}`;
    return [...this.records.values()].filter((r) => r.ref.pk === pk).sort((a, b) => compare(a.ref.sk, b.ref.sk));
  }

  /** Pending events, oldest first by outbox key. */
  pending(): EventRecord[] {
    return [...this.records.values()]
      .filter((r): r is EventRecord & { outboxSk: string } => r.outboxSk !== null)
      .sort((a, b) => compare(a.outboxSk, b.outboxSk));
  }
}

/** Byte order of ASCII keys, as DynamoDB sorts string keys (not the locale's order). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The certificate, status list and exchange stores on the in-memory table. */
export class InMemoryCertificateStore implements CertificateStore, StatusListStore, ExchangeStore {
  private readonly certificates = new Map<string, StoredCertificate>();
  /** Transaction key → certificate id (the DynamoDB item is a copy kept equal to the certificate). */
  private readonly transactions = new Map<string, string>();
  private readonly certificateNos = new Map<string, string>();
  /** Opened lists: their version and revoked indexes. */
  private readonly lists = new Map<string, { version: number; revoked: Set<number> }>();
  private nextPosition = 0;
  private readonly exchangesById = new Map<string, Exchange>();
  private readonly clients = new Map<string, string>();
  private readonly statusListUrl: (listId: string) => string;
  private readonly statusListSize: number;

  constructor(
    options: InMemoryStoresOptions,
    private readonly eventTable: EventTable = new EventTable(),
  ) {
    this.statusListUrl = options.statusListUrl;
    this.statusListSize = options.statusListSize ?? STATUS_LIST_SIZE;
  }

  async findByTransaction(exchangeId: string, transactionRef: string): Promise<StoredCertificate | null> {
    const id = this.transactions.get(transactionKey(exchangeId, transactionRef));
    return id === undefined ? null : this.read(id);
  }

  async get(certificateId: string): Promise<StoredCertificate | null> {
    return this.read(part(certificateId, 'certificate id'));
  }

  async findByNumber(certificateNo: string): Promise<StoredCertificate | null> {
    const id = this.certificateNos.get(part(certificateNo, 'certificate number'));
    return id === undefined ? null : this.read(id);
  }

  async recordIssue(
    certificate: StoredCertificate,
    supersede: { certificateId: string; at: string } | null,
  ): Promise<RecordIssueResult> {
    checkNewCertificate(certificate, supersede, this.statusListUrl);
    part(certificate.id, 'certificate id');
    part(certificate.certificateNo, 'certificate number');
    const txn = transactionKey(certificate.exchangeId, certificate.transactionRef);

    let target: StoredCertificate | null = null;
    if (supersede) {
      const step = supersedeStep(this.read(supersede.certificateId), certificate);
      if (step.step === 'invalid') {
        // A replay of a correction finds its target already superseded: the transaction answers.
        const existing = this.readTransaction(txn);
        if (existing) return replayOrConflict(existing, certificate);
        throw supersedeInvalid(supersede.certificateId, step.problem);
      }
      if (step.step === 'same-transaction') return replayOrConflict(step.stored, certificate);
      target = step.target;
    }

    // The conditions of the one write, answered in the order the DynamoDB store reads them.
    const existing = this.readTransaction(txn);
    if (existing) return replayOrConflict(existing, certificate);
    if (this.certificateNos.has(certificate.certificateNo)) throw new UniqueValueTakenError('certificateNo', certificate.certificateNo);
    if (this.certificates.has(certificate.id)) throw new UniqueValueTakenError('id', certificate.id);
    const issued = issuedEvent(certificate);
    if (this.eventTable.has(issued)) throw new Error(`The event item of ${certificate.id} already exists.`);

    // Every condition holds: all the writes.
    this.certificates.set(certificate.id, structuredClone(certificate));
    this.transactions.set(txn, certificate.id);
    this.certificateNos.set(certificate.certificateNo, certificate.id);
    this.eventTable.put(issued);
    if (target && supersede) {
      const { revocation, event } = supersessionOf(target, certificate, supersede.at);
      this.revokeStored(target, revocation, certificate.id);
      this.eventTable.put(event);
    }
    return { outcome: 'created', certificate };
  }

  async events(certificateId: string): Promise<AuditEvent[]> {
    return inLifecycleOrder(this.eventTable.ofCertificate(certificateId).map((r) => structuredClone(r.event)));
  }

  async revoke(command: RevokeCommand): Promise<StoredCertificate> {
    const current = this.read(part(command.certificateId, 'certificate id'));
    assertRevocable(current, command.certificateId);
    const { revocation, event } = revocationOf(current, { ...command, now: command.revokedAt });
    this.revokeStored(current, revocation, null);
    this.eventTable.put(event);
    return { ...current, status: 'revoked', revocation };
  }

  async reserveStatusListPosition(): Promise<StatusListPosition> {
    const global = this.nextPosition++;
    const position = { listId: String(Math.floor(global / this.statusListSize)), index: global % this.statusListSize };
    // A list is known from the moment a position in it is handed out.
    if (!this.lists.has(position.listId)) this.lists.set(position.listId, { version: 0, revoked: new Set() });
    return position;
  }

  async revokedIndexes(listId: string): Promise<{ indexes: number[]; version: string } | null> {
    const list = this.lists.get(listId);
    if (!list) return null;
    return { indexes: [...list.revoked].sort((a, b) => a - b), version: String(list.version) };
  }

  async findExchangeByClientId(clientId: string): Promise<Exchange | null> {
    const exchangeId = this.clients.get(part(clientId, 'client id'));
    const exchange = exchangeId === undefined ? undefined : this.exchangesById.get(exchangeId);
    return exchange ? structuredClone(exchange) : null;
  }

  async putExchange(exchange: Exchange): Promise<void> {
    const wanted: Exchange = {
      id: part(exchange.id, 'exchange id'),
      name: exchange.name,
      clientIds: [...new Set(exchange.clientIds)],
      status: exchange.status,
    };
    if (wanted.clientIds.length > 48) {
      throw new RangeError(`An exchange may have at most 48 client ids, not ${wanted.clientIds.length}.`);
    }
    for (const clientId of wanted.clientIds) {
      const owner = this.clients.get(part(clientId, 'client id'));
      if (owner !== undefined && owner !== wanted.id) throw new ClientIdTakenError(clientId, owner);
    }
    const previous = this.exchangesById.get(wanted.id);
    for (const clientId of previous?.clientIds ?? []) {
      if (!wanted.clientIds.includes(clientId)) this.clients.delete(clientId);
    }
    for (const clientId of wanted.clientIds) this.clients.set(clientId, wanted.id);
    this.exchangesById.set(wanted.id, structuredClone(wanted));
  }

  private read(id: string): StoredCertificate | null {
    const stored = this.certificates.get(id);
    return stored ? structuredClone(stored) : null;
  }

  private readTransaction(key: string): StoredCertificate | null {
    const id = this.transactions.get(key);
    return id === undefined ? null : this.read(id);
  }

  /** The writes that revoke a stored certificate: its record, its status bit and its list's version. */
  private revokeStored(old: StoredCertificate, revocation: Revocation, supersededBy: string | null): void {
    const stored = this.certificates.get(old.id) as StoredCertificate;
    stored.status = 'revoked';
    stored.revocation = { ...revocation };
    if (supersededBy) stored.supersededBy = supersededBy;
    const list = this.lists.get(old.statusList.listId) ?? { version: 0, revoked: new Set<number>() };
    list.revoked.add(old.statusList.index);
    list.version += 1;
    this.lists.set(old.statusList.listId, list);
  }
}

function transactionKey(exchangeId: string, transactionRef: string): string {
  return `${part(exchangeId, 'exchange id')}#${part(transactionRef, 'transactionRef')}`;
}

/** Most items one commit may touch, as in one DynamoDB transaction: the head, the checkpoint, tiles and events. */
export const MAX_ADVANCE_ITEMS = 100;

/** The transparency log's state on the in-memory table. */
export class InMemoryLogStore implements LogStore {
  private current: LogHead | null = null;
  /** Sizes of every committed checkpoint. */
  private readonly checkpoints = new Set<number>();
  private readonly tiles = new Map<string, Uint8Array>();
  /** Successful commits so far (tests count them to see that a losing writer wrote nothing). */
  commits = 0;

  constructor(private readonly events: EventTable = new EventTable()) {}

  /**
   * Test seam: writes an audit event into the outbox as the certificate store does, for log tests
   * that need events without certificates.
   * @throws Error when an event of that certificate, type and time already exists.
   */
  addEvent(event: AuditEvent): void {
    if (this.events.has(event)) throw new Error(`An event ${event.type} of ${event.certificateId} at ${event.at} already exists.`);
    this.events.put(event);
  }

  async head(): Promise<LogHead | null> {
    return this.current ? copyHead(this.current) : null;
  }

  async pendingEvents(limit: number): Promise<PendingEvent[]> {
    return this.events
      .pending()
      .slice(0, Math.max(0, Math.min(limit, 100)))
      .map((r) => ({ event: structuredClone(r.event), ref: { ...r.ref } }));
  }

  async readTile(id: TileId): Promise<Uint8Array | null> {
    const body = this.tiles.get(tilePath(id));
    return body ? body.slice() : null;
  }

  async readServableTile(id: TileId): Promise<Uint8Array | null> {
    const range = tileSizeRange(id);
    const covered = [...this.checkpoints].some((size) => size >= range.min && size <= range.max);
    return covered ? this.readTile(id) : null;
  }

  async advance(
    previousSize: number | null,
    next: LogHead,
    integrated: readonly { ref: PendingEvent['ref']; index: number }[],
    tiles: readonly TileContent[],
  ): Promise<boolean> {
    const items = 2 + integrated.length + tiles.length;
    if (items > MAX_ADVANCE_ITEMS) {
      throw new RangeError(`${integrated.length} events and ${tiles.length} tiles do not fit one transaction (${MAX_ADVANCE_ITEMS} items with the head and the checkpoint).`);
    }
    if (new Set(integrated.map((e) => refKey(e.ref))).size !== integrated.length) {
      throw new TypeError('One commit cannot integrate the same event twice.');
    }
    // The conditions: the head where the writer found it, no checkpoint of that size yet, and
    // every event still pending. Any one failing means nothing is written.
    const headHolds = previousSize === null ? this.current === null : this.current?.size === previousSize;
    if (!headHolds || this.checkpoints.has(next.size)) return false;
    const records = integrated.map((e) => this.events.get(e.ref));
    if (records.some((r) => r === undefined || r.outboxSk === null)) return false;

    this.current = copyHead(next);
    this.checkpoints.add(next.size);
    for (const tile of tiles) this.tiles.set(tilePath(tile.id), tile.body.slice());
    integrated.forEach((e, i) => {
      const record = records[i] as EventRecord;
      record.outboxSk = null;
      record.logIndex = e.index;
    });
    this.commits += 1;
    return true;
  }

  async loggedEvents(certificateId: string): Promise<LoggedEvent[]> {
    return this.events
      .ofCertificate(certificateId)
      .filter((r) => r.logIndex !== null)
      .map((r) => ({ type: r.event.type, at: r.event.at, index: r.logIndex as number }));
  }
}

function copyHead(h: LogHead): LogHead {
  return { size: h.size, rootHash: h.rootHash.slice(), checkpoint: h.checkpoint, verifierKey: h.verifierKey };
}
