import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Item, ItemKey } from './marshalling.ts';

/** One write of a `TransactWriteItems` call. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Why DynamoDB cancelled one item of a transaction (`None` when that item was not the cause). */
interface CancellationReason {
  Code?: string | undefined;
  /** The item as stored, when its write asked for `ALL_OLD` and its condition failed. */
  Item?: Record<string, AttributeValue> | undefined;
}

/**
 * The cancellation reasons of a cancelled transaction, in the order of its items; null for any
 * other error. Read by the error's name rather than by `instanceof`, so that an error from
 * another copy of the SDK (or a test's own) is read the same way.
 */
export function cancellationReasons(error: unknown): CancellationReason[] | null {
  if (typeof error !== 'object' || error === null) return null;
  if ((error as { name?: unknown }).name !== 'TransactionCanceledException') return null;
  const reasons = (error as { CancellationReasons?: unknown }).CancellationReasons;
  return Array.isArray(reasons) ? (reasons as CancellationReason[]) : [];
}

/** Whether this item's condition failed (as opposed to contention, throttling or nothing). */
export function failedCondition(reason: CancellationReason | undefined): boolean {
  return reason?.Code === 'ConditionalCheckFailed';
}

/**
 * Whether a transaction was cancelled only because another transaction held one of its items:
 * no condition failed, so running it again may succeed.
 */
export function cancelledByContention(reasons: readonly CancellationReason[] | null): boolean {
  return (
    reasons !== null &&
    reasons.some((r) => r.Code === 'TransactionConflict') &&
    !reasons.some((r) => r.Code === 'ConditionalCheckFailed')
  );
}

/** Attempts of a transaction cancelled only because another transaction held one of its items. */
export const MAX_TRANSACTION_ATTEMPTS = 5;

/**
 * The table as every store uses it: strongly consistent reads, whole-partition queries, puts
 * that never overwrite, and transactions that are safe to retry. Each store adapter holds one;
 * they share no state.
 */
export class TableClient {
  constructor(
    readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /** One item, strongly consistent: a revocation or registration is visible to the very next request. */
  async get(key: ItemKey): Promise<Item | null> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return out.Item ?? null;
  }

  /** Every item a key condition selects, page by page, strongly consistent. */
  async queryAll(input: {
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

  /** A transactional put of `item` on the condition that its key is still free. */
  putNew(item: Item): TransactItem & { Put: NonNullable<TransactItem['Put']> } {
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
   * completed revocation into `already-revoked`, a new certificate into a replay, or a log
   * checkpoint into a lost race.
   *
   * The token is unique per call, not derived from the content alone: two identical calls do
   * happen (the same admin revoking the same certificate twice within one millisecond carries the
   * same revocation time), and DynamoDB would answer the second from the first's token, so both
   * callers would be told they revoked it; with its own token the second runs and its condition
   * answers `already-revoked`. After a cancellation nothing was written, so the attempt after a
   * conflict with another transaction uses a new token as well. A random UUID is all it takes
   * (36 characters, DynamoDB's limit): the token is never reused with other content, so
   * DynamoDB never answers `IdempotentParameterMismatch`.
   *
   * A transaction cancelled only by contention is run again, up to `attempts` times in all;
   * any other failure, and the last one, is thrown as it came.
   */
  async transact(items: TransactItem[], attempts: number = MAX_TRANSACTION_ATTEMPTS): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: randomUUID() }));
        return;
      } catch (error) {
        if (!cancelledByContention(cancellationReasons(error)) || attempt >= attempts) throw error;
        // Concurrent identical requests collide on the transaction key; after a short wait the
        // winner has committed and the condition answers the others.
        await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt * (0.5 + Math.random())));
      }
    }
  }
}
