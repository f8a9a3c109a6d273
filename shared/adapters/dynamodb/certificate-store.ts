import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type RecordIssueResult,
  alreadyRevoked,
  assertRevocable,
  certificateNotFound,
  checkNewCertificate,
  replayOrConflict,
  supersedeInvalid,
  supersedeProblem,
  supersedeStep,
} from '../../domain/certificate-changes.ts';
import { inLifecycleOrder, issuedEvent, revocationOf, supersessionOf } from '../../domain/lifecycle.ts';
import type { AuditEvent, Revocation, StoredCertificate } from '../../domain/records.ts';
import { type CertificateStore, type RevokeCommand, UniqueValueTakenError } from '../../ports/certificate-store.ts';
import { certificateEventItems } from './certificate-events.ts';
import {
  certificateItem,
  certificateNoItem,
  eventItem,
  fromAttributeMap,
  keys,
  parseCertificate,
  parseCertificateNoItem,
  parseEvent,
  shardOf,
  transactionItem,
} from './marshalling.ts';
import { TableClient, type TransactItem, cancellationReasons, failedCondition } from './table-client.ts';

/** Construction options of {@link DynamoDbCertificateStore}. */
export interface DynamoDbCertificateStoreOptions {
  /** Document client over the table's region or DynamoDB Local; shared, created once per container. */
  client: DynamoDBDocumentClient;
  tableName: string;
  /** URL of the status list credential of a list: every stored `statusListCredential` must equal it. */
  statusListUrl: (listId: string) => string;
}

/** Positions of the items in the issue transaction (the cancellation reasons come in this order). */
const ISSUE = { certificate: 0, transaction: 1, certificateNo: 2, event: 3, supersededCertificate: 4 } as const;

/**
 * Certificates, their transaction keys and numbers, and their audit events on the one table
 * (design in `table.ts`); revoking also sets the certificate's bit in its status list.
 *
 * Every multi-item change is one `TransactWriteItems` whose conditions decide; reads happen only
 * where a transaction needs keys it cannot know otherwise (the superseded or revoked
 * certificate's transaction key and status position), never to decide what the conditions decide.
 * What an outcome means (replay or conflict, which target may be superseded or revoked) is the
 * domain's rule in `certificate-changes.ts`.
 */
export class DynamoDbCertificateStore implements CertificateStore {
  private readonly table: TableClient;
  private readonly statusListUrl: (listId: string) => string;

  constructor(options: DynamoDbCertificateStoreOptions) {
    this.table = new TableClient(options.client, options.tableName);
    this.statusListUrl = options.statusListUrl;
  }

  async findByTransaction(exchangeId: string, transactionRef: string): Promise<StoredCertificate | null> {
    const item = await this.table.get(keys.transaction(exchangeId, transactionRef));
    return item ? parseCertificate(item) : null;
  }

  async get(certificateId: string): Promise<StoredCertificate | null> {
    const item = await this.table.get(keys.certificate(certificateId));
    return item ? parseCertificate(item) : null;
  }

  async findByNumber(certificateNo: string): Promise<StoredCertificate | null> {
    // The number's item names the certificate; it is written in the same transaction.
    const item = await this.table.get(keys.certificateNo(certificateNo));
    return item ? this.get(parseCertificateNoItem(item)) : null;
  }

  async recordIssue(
    certificate: StoredCertificate,
    supersede: { certificateId: string; at: string } | null,
  ): Promise<RecordIssueResult> {
    checkNewCertificate(certificate, supersede, this.statusListUrl);

    const issued = issuedEvent(certificate);
    const certificatePut = this.table.putNew(certificateItem(certificate));
    const transaction = this.table.putNew(transactionItem(certificate));
    // A fresh object of our own: set in place rather than copied into another with a spread.
    transaction.Put.ReturnValuesOnConditionCheckFailure = 'ALL_OLD';
    const items: TransactItem[] = [
      certificatePut,
      transaction,
      this.table.putNew(certificateNoItem(certificate)),
      this.table.putNew(eventItem(issued)),
    ];

    if (supersede) {
      // The old certificate's transaction key and status position are needed to write them; the
      // read only supplies those immutable facts, the transaction's condition decides.
      const step = supersedeStep(await this.get(supersede.certificateId), certificate);
      if (step.step === 'invalid') {
        const existing = await this.findByTransaction(certificate.exchangeId, certificate.transactionRef);
        if (existing) return replayOrConflict(existing, certificate);
        throw supersedeInvalid(supersede.certificateId, step.problem);
      }
      // One transaction may not touch an item twice, and the pair already has its certificate.
      if (step.step === 'same-transaction') return replayOrConflict(step.stored, certificate);
      const old = step.target;
      const { revocation, event } = supersessionOf(old, certificate, supersede.at);
      items.push(...this.revocationWrites(old, revocation, certificate.id, event));
    }

    try {
      await this.table.transact(items);
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
    const items = await certificateEventItems(this.table, certificateId);
    return inLifecycleOrder(items.map(parseEvent));
  }

  async revoke(command: RevokeCommand): Promise<StoredCertificate> {
    // The read supplies the transaction key and the status position (immutable); whether the
    // certificate is still active is decided by the transaction's condition.
    const current = await this.get(command.certificateId);
    assertRevocable(current, command.certificateId);

    const { revocation, event } = revocationOf(current, { ...command, now: command.revokedAt });
    try {
      await this.table.transact(this.revocationWrites(current, revocation, null, event));
    } catch (error) {
      const certificate = cancellationReasons(error)?.[0];
      if (!failedCondition(certificate)) throw error;
      // Revoked by someone else between the read and the write: ALL_OLD says how.
      const now = certificate?.Item ? parseCertificate(fromAttributeMap(certificate.Item)) : null;
      if (!now) throw certificateNotFound(command.certificateId);
      throw alreadyRevoked(now);
    }
    return { ...current, status: 'revoked', revocation };
  }

  /** The writes that revoke `old`: its record and transaction copy, its status bit, the list head, the event. */
  private revocationWrites(
    old: StoredCertificate,
    revocation: Revocation,
    supersededBy: string | null,
    event: AuditEvent,
  ): TransactItem[] {
    const tableName = this.table.tableName;
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
          TableName: tableName,
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
          TableName: tableName,
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
          TableName: tableName,
          Key: keys.statusListShard(listId, shardOf(index)),
          UpdateExpression: 'ADD #revoked :index',
          ExpressionAttributeNames: { '#revoked': 'revoked' },
          ExpressionAttributeValues: { ':index': new Set([index]) },
        },
      },
      {
        Update: {
          TableName: tableName,
          Key: keys.statusListHead(listId),
          UpdateExpression: 'ADD #version :one',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':one': 1 },
        },
      },
      this.table.putNew(eventItem(event)),
    ];
  }
}
