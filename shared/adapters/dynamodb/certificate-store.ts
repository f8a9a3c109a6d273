import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { DomainError } from '../../domain/errors.ts';
import { changeTime, inLifecycleOrder } from '../../domain/lifecycle.ts';
import type { AuditEvent, Exchange, Revocation, StatusListPosition, StoredCertificate } from '../../domain/records.ts';
import { type CertificateStore, type ExchangeStore, type StatusListStore, type RecordIssueResult, type RevokeCommand, UniqueValueTakenError } from '../../ports/certificate-store.ts';
import {
  auditEvent,
  certificateItem,
  certificateNoItem,
  clientItem,
  eventItem,
  exchangeItem,
  fromAttributeMap,
  type Item,
  keys,
  parseCertificate,
  parseClientItem,
  parseEvent,
  parseExchangeItem,
  shardOf,
  transactionItem,
} from './marshalling.ts';
import { STATUS_LIST_SIZE } from '../../domain/status-list.ts';
import { StatusListPositions } from './status-list-positions.ts';

/** Construction options of {@link DynamoDbCertificateStore}. */
export interface DynamoDbCertificateStoreOptions {
  /** Document client over the table's region or DynamoDB Local; shared, created once per container. */
  client: DynamoDBDocumentClient;
  tableName: string;
  /** URL of the status list credential of a list: every stored `statusListCredential` must equal it. */
  statusListUrl: (listId: string) => string;
  /**
   * Status list positions reserved per counter write; must divide `statusListSize`.
   * @default 256
   */
  blockSize?: number;
  /**
   * Entries per status list (tests use small lists to cross a list boundary quickly).
   * @default 131072
   */
  statusListSize?: number;
}

/** An OAuth client id that already acts for another exchange; nothing was written. */
export class ClientIdTakenError extends Error {
  override readonly name = 'ClientIdTakenError';
  constructor(
    readonly clientId: string,
    readonly exchangeId: string,
  ) {
    super(`Client id ${clientId} already acts for exchange ${exchangeId}.`);
  }
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

interface CancellationReason {
  Code?: string | undefined;
  Item?: Record<string, AttributeValue> | undefined;
}

/** Positions of the items in the issue transaction (the cancellation reasons come in this order). */
const ISSUE = { certificate: 0, transaction: 1, certificateNo: 2, event: 3, supersededCertificate: 4 } as const;

/** Attempts of a transaction cancelled only because another transaction held one of its items. */
const MAX_ATTEMPTS = 5;

/**
 * The certificate store on one DynamoDB table (design in `table.ts`).
 *
 * Every multi-item change is one `TransactWriteItems` whose conditions decide; reads happen only
 * where a transaction needs keys it cannot know otherwise (the superseded or revoked
 * certificate's transaction key and status position), never to decide what the conditions decide.
 */
export class DynamoDbCertificateStore implements CertificateStore, StatusListStore, ExchangeStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly statusListUrl: (listId: string) => string;
  private readonly positions: StatusListPositions;

  constructor(options: DynamoDbCertificateStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.statusListUrl = options.statusListUrl;
    this.positions = new StatusListPositions(
      {
        advance: (by) => this.advanceCounter(by),
        listOpened: (listId) => this.openList(listId),
      },
      options.statusListSize ?? STATUS_LIST_SIZE,
      options.blockSize ?? 256,
    );
  }

  async findByTransaction(exchangeId: string, transactionRef: string): Promise<StoredCertificate | null> {
    const item = await this.getItem(keys.transaction(exchangeId, transactionRef));
    return item ? parseCertificate(item) : null;
  }

  async get(certificateId: string): Promise<StoredCertificate | null> {
    const item = await this.getItem(keys.certificate(certificateId));
    return item ? parseCertificate(item) : null;
  }

  async recordIssue(
    certificate: StoredCertificate,
    supersede: { certificateId: string; at: string } | null,
  ): Promise<RecordIssueResult> {
    this.checkNewCertificate(certificate, supersede);

    const issued = auditEvent(certificate, 'issued', certificate.issuedAt, certificate.exchangeId, {
      transactionRef: certificate.transactionRef,
      supersedes: certificate.supersedes,
    });
    const items: TransactItem[] = [
      this.putNew(certificateItem(certificate)),
      { Put: { ...this.putNew(transactionItem(certificate)).Put, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
      this.putNew(certificateNoItem(certificate)),
      this.putNew(eventItem(issued)),
    ];

    if (supersede) {
      // The old certificate's transaction key and status position are needed to write them; the
      // read only supplies those immutable facts, the transaction's condition decides.
      const old = await this.get(supersede.certificateId);
      const problem = supersedeProblem(old, certificate.exchangeId);
      if (problem || !old) {
        // A replay of a correction finds its target already superseded: the transaction answers.
        const existing = await this.findByTransaction(certificate.exchangeId, certificate.transactionRef);
        if (existing) return replayOrConflict(existing, certificate);
        throw supersedeInvalid(supersede.certificateId, problem ?? 'not-found');
      }
      if (old.transactionRef === certificate.transactionRef) {
        // The same transaction key: its stored copy is `old` (one transaction may not touch an
        // item twice, and the pair already has its certificate).
        return replayOrConflict(old, certificate);
      }
      const at = changeTime(old.issuedAt, supersede.at);
      const revocation: Revocation = { reason: 'superseded', revokedAt: at, comment: null };
      const event = auditEvent(old, 'superseded', at, certificate.exchangeId, {
        reason: 'superseded',
        supersededBy: certificate.id,
      });
      items.push(...this.revocationWrites(old, revocation, certificate.id, event));
    }

    try {
      await this.transact(items);
      return { outcome: 'created', certificate };
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const txn = reasons[ISSUE.transaction];
      if (failedCondition(txn)) {
        // ALL_OLD puts the stored copy in the reason itself. Only an engine that leaves it out
        // costs a read here.
        const existing = txn?.Item
          ? parseCertificate(fromAttributeMap(txn.Item))
          : await this.findByTransaction(certificate.exchangeId, certificate.transactionRef);
        if (existing) return replayOrConflict(existing, certificate);
        throw error;
      }
      if (supersede && failedCondition(reasons[ISSUE.supersededCertificate])) {
        // Revoked or superseded since it was read.
        const current = reasons[ISSUE.supersededCertificate]?.Item;
        const now = current ? parseCertificate(fromAttributeMap(current)) : null;
        throw supersedeInvalid(supersede.certificateId, supersedeProblem(now, certificate.exchangeId) ?? 'not-active');
      }
      if (failedCondition(reasons[ISSUE.certificateNo])) throw new UniqueValueTakenError('certificateNo', certificate.certificateNo);
      if (failedCondition(reasons[ISSUE.certificate])) throw new UniqueValueTakenError('id', certificate.id);
      throw error;
    }
  }

  async events(certificateId: string): Promise<AuditEvent[]> {
    const items = await this.queryAll({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :event)',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
      ExpressionAttributeValues: { ':pk': keys.certificate(certificateId).pk, ':event': 'EVENT#' },
    });
    return inLifecycleOrder(items.map(parseEvent));
  }

  async revoke(command: RevokeCommand): Promise<StoredCertificate> {
    // The read supplies the transaction key and the status position (immutable); whether the
    // certificate is still active is decided by the transaction's condition.
    const current = await this.get(command.certificateId);
    if (!current) throw notFound(command.certificateId);
    if (current.status === 'revoked') throw alreadyRevoked(current);

    const revokedAt = changeTime(current.issuedAt, command.revokedAt);
    const revocation: Revocation = { reason: command.reason, revokedAt, comment: command.comment };
    const event = auditEvent(current, 'revoked', revokedAt, command.actor, {
      reason: command.reason,
      comment: command.comment,
    });
    try {
      await this.transact(this.revocationWrites(current, revocation, null, event));
    } catch (error) {
      const reasons = cancellationReasons(error);
      const certificate = reasons?.[0];
      if (!failedCondition(certificate)) throw error;
      // Revoked by someone else between the read and the write: ALL_OLD says how.
      const now = certificate?.Item ? parseCertificate(fromAttributeMap(certificate.Item)) : null;
      if (!now) throw notFound(command.certificateId);
      throw alreadyRevoked(now);
    }
    return { ...current, status: 'revoked', revocation };
  }

  reserveStatusListPosition(): Promise<StatusListPosition> {
    return this.positions.next();
  }

  async revokedIndexes(listId: string): Promise<{ indexes: number[]; version: string } | null> {
    // Only canonical ids name a list ("01" would be a different partition of the same list).
    if (!/^(0|[1-9][0-9]{0,15})$/.test(listId)) return null;
    const items = await this.queryAll({
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'pk' },
      ExpressionAttributeValues: { ':pk': keys.statusListHead(listId).pk },
    });
    let version: number | null = null;
    const indexes: number[] = [];
    for (const item of items) {
      if (item['sk'] === 'HEAD') {
        version = typeof item['version'] === 'number' ? item['version'] : 0;
      } else if (item['revoked'] instanceof Set) {
        for (const index of item['revoked'] as Set<unknown>) {
          if (typeof index === 'number') indexes.push(index);
        }
      }
    }
    if (version === null) return null;
    indexes.sort((a, b) => a - b);
    return { indexes, version: String(version) };
  }

  async findExchangeByClientId(clientId: string): Promise<Exchange | null> {
    const item = await this.getItem(keys.client(clientId));
    return item ? parseClientItem(item) : null;
  }

  async putExchange(exchange: Exchange): Promise<void> {
    const wanted: Exchange = {
      id: exchange.id,
      name: exchange.name,
      clientIds: [...new Set(exchange.clientIds)],
      status: exchange.status,
    };
    if (wanted.clientIds.length > 48) {
      // The exchange item, its clients and the removed ones must fit one transaction (100 items).
      throw new RangeError(`An exchange may have at most 48 client ids, not ${wanted.clientIds.length}.`);
    }
    for (let attempt = 1; ; attempt++) {
      const found = await this.getItem(keys.exchange(wanted.id));
      const previous = found ? parseExchangeItem(found) : null;
      if (previous && JSON.stringify(previous.exchange) === JSON.stringify(wanted)) return;

      const removed = (previous?.exchange.clientIds ?? []).filter((c) => !wanted.clientIds.includes(c));
      const items: TransactItem[] = [
        {
          Put: {
            TableName: this.tableName,
            Item: exchangeItem(wanted, (previous?.revision ?? 0) + 1),
            // Optimistic: a concurrent update of the same exchange makes this one start over.
            ConditionExpression: previous ? '#revision = :seen' : 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: previous ? { '#revision': 'revision' } : { '#pk': 'pk' },
            ...(previous ? { ExpressionAttributeValues: { ':seen': previous.revision } } : {}),
          },
        },
        ...wanted.clientIds.map(
          (clientId): TransactItem => ({
            Put: {
              TableName: this.tableName,
              Item: clientItem(clientId, wanted),
              ConditionExpression: 'attribute_not_exists(#pk) OR #exchangeId = :exchangeId',
              ExpressionAttributeNames: { '#pk': 'pk', '#exchangeId': 'exchangeId' },
              ExpressionAttributeValues: { ':exchangeId': wanted.id },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          }),
        ),
        ...removed.map(
          (clientId): TransactItem => ({
            Delete: {
              TableName: this.tableName,
              Key: keys.client(clientId),
              ConditionExpression: '#exchangeId = :exchangeId',
              ExpressionAttributeNames: { '#exchangeId': 'exchangeId' },
              ExpressionAttributeValues: { ':exchangeId': wanted.id },
            },
          }),
        ),
      ];
      try {
        await this.transact(items);
        return;
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (!reasons) throw error;
        const taken = wanted.clientIds.findIndex((_, i) => failedCondition(reasons[1 + i]));
        if (taken >= 0) {
          const owner = reasons[1 + taken]?.Item?.['exchangeId']?.S ?? 'unknown';
          throw new ClientIdTakenError(wanted.clientIds[taken] as string, owner);
        }
        if (failedCondition(reasons[0]) && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  /** The writes that revoke `old`: its record and transaction copy, its status bit, the list head, the event. */
  private revocationWrites(
    old: StoredCertificate,
    revocation: Revocation,
    supersededBy: string | null,
    event: AuditEvent,
  ): TransactItem[] {
    const set = supersededBy
      ? 'SET #status = :revoked, #revocation = :revocation, #supersededBy = :supersededBy'
      : 'SET #status = :revoked, #revocation = :revocation';
    const names: Record<string, string> = {
      '#status': 'status',
      '#revocation': 'revocation',
      ...(supersededBy ? { '#supersededBy': 'supersededBy' } : {}),
    };
    const values: Record<string, unknown> = {
      ':revoked': 'revoked',
      ':revocation': revocation,
      ...(supersededBy ? { ':supersededBy': supersededBy } : {}),
    };
    const { listId, index } = old.statusList;
    return [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.certificate(old.id),
          UpdateExpression: set,
          // A supersede also insists on the same exchange, so nobody corrects another's certificate.
          ConditionExpression: supersededBy ? '#status = :active AND #exchangeId = :exchangeId' : '#status = :active',
          ExpressionAttributeNames: { ...names, ...(supersededBy ? { '#exchangeId': 'exchangeId' } : {}) },
          ExpressionAttributeValues: {
            ...values,
            ':active': 'active',
            ...(supersededBy ? { ':exchangeId': old.exchangeId } : {}),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: keys.transaction(old.exchangeId, old.transactionRef),
          UpdateExpression: set,
          // Never create a partial copy: it must exist and be this certificate's.
          ConditionExpression: '#id = :id',
          ExpressionAttributeNames: { ...names, '#id': 'id' },
          ExpressionAttributeValues: { ...values, ':id': old.id },
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: keys.statusListShard(listId, shardOf(index)),
          UpdateExpression: 'ADD #revoked :index',
          ExpressionAttributeNames: { '#revoked': 'revoked' },
          ExpressionAttributeValues: { ':index': new Set([index]) },
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: keys.statusListHead(listId),
          UpdateExpression: 'ADD #version :one',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':one': 1 },
        },
      },
      this.putNew(eventItem(event)),
    ];
  }

  private putNew(item: Item): TransactItem & { Put: NonNullable<TransactItem['Put']> } {
    return {
      Put: {
        TableName: this.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': 'pk' },
      },
    };
  }

  /**
   * Runs one transaction with a `ClientRequestToken` of its own: when the SDK retries a call
   * whose first attempt did commit (a timeout after the write landed), DynamoDB answers the
   * retry with success instead of running it again, whose conditions would fail and turn a
   * completed revocation into `already-revoked` and a new certificate into a replay.
   *
   * The token is unique per call, not derived from the content alone: two identical calls do
   * happen (the same admin revoking the same certificate twice within one millisecond carries the
   * same revocation time), and DynamoDB would answer the second from the first's token, so both
   * callers would be told they revoked it; with its own token the second runs and its condition
   * answers `already-revoked`. After a cancellation nothing was written, so the attempt after a
   * conflict with another transaction uses a new token as well. A random UUID is all it takes
   * (36 characters, DynamoDB's limit): the token is never reused with other content, so
   * DynamoDB never answers `IdempotentParameterMismatch`.
   */
  private async transact(items: TransactItem[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: items,
            ClientRequestToken: randomUUID(),
          }),
        );
        return;
      } catch (error) {
        const reasons = cancellationReasons(error);
        const onlyContention =
          reasons !== null &&
          reasons.some((r) => r.Code === 'TransactionConflict') &&
          !reasons.some((r) => r.Code === 'ConditionalCheckFailed');
        if (!onlyContention || attempt >= MAX_ATTEMPTS) throw error;
        // Concurrent identical requests collide on the transaction key; after a short wait the
        // winner has committed and the condition answers the others.
        await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt * (0.5 + Math.random())));
      }
    }
  }

  private async advanceCounter(by: number): Promise<number> {
    const out = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.counter(),
        UpdateExpression: 'ADD #next :by',
        ExpressionAttributeNames: { '#next': 'next' },
        ExpressionAttributeValues: { ':by': by },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const next = out.Attributes?.['next'];
    if (typeof next !== 'number') throw new Error('The status list counter update returned no number');
    return next;
  }

  /** Makes sure the list's head exists (ADD 0 creates it at version 0 and changes nothing else). */
  private async openList(listId: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.statusListHead(listId),
        UpdateExpression: 'ADD #version :zero',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':zero': 0 },
      }),
    );
  }

  private async getItem(key: { pk: string; sk: string }): Promise<Item | null> {
    // Strongly consistent: a revocation or registration is visible to the very next request.
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return out.Item ?? null;
  }

  private async queryAll(input: {
    KeyConditionExpression: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues: Record<string, unknown>;
  }): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({ TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey: start, ...input }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private checkNewCertificate(c: StoredCertificate, supersede: { certificateId: string } | null): void {
    // Programming errors, not bad requests: the service builds these values.
    if (c.status !== 'active' || c.revocation !== null || c.supersededBy !== null) {
      throw new TypeError('A new certificate is active, unrevoked and not superseded.');
    }
    if ((supersede?.certificateId ?? null) !== c.supersedes) {
      throw new TypeError('certificate.supersedes and the supersede command must name the same certificate.');
    }
    const url = this.statusListUrl(c.statusList.listId);
    if (c.statusListCredential !== url) {
      throw new TypeError(`statusListCredential ${c.statusListCredential} is not the URL of list ${c.statusList.listId} (${url}).`);
    }
    if (supersede?.certificateId === c.id) throw supersedeInvalid(c.id, 'not-found');
  }
}

type SupersedeProblem = 'not-found' | 'other-exchange' | 'not-active';

function supersedeProblem(target: StoredCertificate | null, exchangeId: string): SupersedeProblem | null {
  if (!target) return 'not-found';
  if (target.exchangeId !== exchangeId) return 'other-exchange';
  if (target.status !== 'active') return 'not-active';
  return null;
}

function supersedeInvalid(id: string, problem: SupersedeProblem): DomainError {
  const message = {
    'not-found': `No certificate ${id} exists to be superseded.`,
    'other-exchange': `Certificate ${id} was issued for another exchange; only its own exchange can supersede it.`,
    'not-active': `Certificate ${id} is already revoked; only an active certificate can be superseded.`,
  }[problem];
  return new DomainError('supersede-target-invalid', message, [{ pointer: '/supersedes', message, code: problem }]);
}

function notFound(id: string): DomainError {
  return new DomainError('certificate-not-found', `No certificate ${id}.`);
}

function alreadyRevoked(c: StoredCertificate): DomainError {
  const why = c.revocation ? ` (${c.revocation.reason}, ${c.revocation.revokedAt})` : '';
  return new DomainError('already-revoked', `Certificate ${c.id} is already revoked${why}; revocation is final.`);
}

function replayOrConflict(existing: StoredCertificate, attempted: StoredCertificate): RecordIssueResult {
  return existing.requestHash === attempted.requestHash
    ? { outcome: 'replayed', certificate: existing }
    : { outcome: 'conflict', existing };
}

/** The cancellation reasons of a cancelled transaction, or null for any other error. */
function cancellationReasons(error: unknown): CancellationReason[] | null {
  if (typeof error !== 'object' || error === null) return null;
  if ((error as { name?: unknown }).name !== 'TransactionCanceledException') return null;
  const reasons = (error as { CancellationReasons?: unknown }).CancellationReasons;
  return Array.isArray(reasons) ? (reasons as CancellationReason[]) : [];
}

function failedCondition(reason: CancellationReason | undefined): boolean {
  return reason?.Code === 'ConditionalCheckFailed';
}
