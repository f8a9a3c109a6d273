import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { LogHead, LogStore, LoggedEvent, PendingEvent } from '../../ports/log-store.ts';
import { type TileContent, type TileId, tileSizeRange } from '../../transparency/tiles.ts';
import { certificateEventItems } from './certificate-events.ts';
import { checkpointSk, logKeys } from './log-keys.ts';
import { type Item, parseEvent } from './marshalling.ts';
import { OUTBOX_INDEX_NAME, OUTBOX_PENDING } from './table.ts';
import { TableClient, cancellationReasons } from './table-client.ts';

/** Options of {@link DynamoDbLogStore}. */
export interface DynamoDbLogStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** Most items one DynamoDB transaction may touch: the head, the checkpoint, tiles and events. */
export const MAX_TRANSACTION_ITEMS = 100;

/** The transparency log's state in the certificate table (layout in `log-keys.ts`). */
export class DynamoDbLogStore implements LogStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly table: TableClient;

  constructor(options: DynamoDbLogStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.table = new TableClient(options.client, options.tableName);
  }

  async head(): Promise<LogHead | null> {
    const item = await this.table.get(logKeys.head());
    if (!item) return null;
    return {
      size: Number(item['size']),
      rootHash: new Uint8Array(Buffer.from(String(item['rootHash']), 'base64')),
      checkpoint: String(item['checkpoint']),
      verifierKey: String(item['verifierKey']),
    };
  }

  async pendingEvents(limit: number): Promise<PendingEvent[]> {
    const wanted = Math.min(limit, 100);
    const out: PendingEvent[] = [];
    let start: Record<string, unknown> | undefined;
    // The index is eventually consistent: events integrated a moment ago (by this integrator or
    // a racing one) may still be listed, and may fill a whole page. A page that yields nothing
    // live must not read as "the outbox is empty" while live events sit behind it, so the
    // query pages on (boundedly) until it has live events or the index is exhausted.
    for (let page = 0; page < 20 && out.length < wanted; page++) {
      const { Items = [], LastEvaluatedKey } = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: OUTBOX_INDEX_NAME,
          KeyConditionExpression: '#p = :pending',
          ExpressionAttributeNames: { '#p': 'outboxPk' },
          ExpressionAttributeValues: { ':pending': OUTBOX_PENDING },
          ScanIndexForward: true,
          Limit: wanted - out.length,
          ExclusiveStartKey: start,
        }),
      );
      if (Items.length === 0) break;
      // A strongly consistent read of the items themselves says which are still pending.
      const refs = Items.map((i) => ({ pk: String(i['pk']), sk: String(i['sk']) }));
      const fresh = await this.batchGet(refs);
      const stillPending = new Map(
        fresh.filter((i) => i['outboxPk'] === OUTBOX_PENDING).map((i) => [`${i['pk']}\n${i['sk']}`, i]),
      );
      for (const ref of refs) {
        const item = stillPending.get(`${ref.pk}\n${ref.sk}`);
        if (item) out.push({ event: parseEvent(item), ref });
      }
      if (!LastEvaluatedKey) break;
      start = LastEvaluatedKey;
    }
    return out;
  }

  async readTile(id: TileId): Promise<Uint8Array | null> {
    const item = await this.table.get(logKeys.tile(id));
    return item ? toBytes(item['body']) : null;
  }

  async readServableTile(id: TileId): Promise<Uint8Array | null> {
    const range = tileSizeRange(id);
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: {
          ':pk': logKeys.checkpoint(0).pk,
          ':lo': checkpointSk(range.min),
          ':hi': checkpointSk(range.max),
        },
        ProjectionExpression: '#sk',
        Limit: 1,
      }),
    );
    if (Items.length === 0) return null;
    // Tiles are written in the transaction that commits the checkpoint covering them.
    const { Item: item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: logKeys.tile(id) }));
    return item ? toBytes(item['body']) : null;
  }

  async advance(
    previousSize: number | null,
    next: LogHead,
    integrated: readonly { ref: PendingEvent['ref']; index: number }[],
    tiles: readonly TileContent[],
  ): Promise<boolean> {
    const items = 2 + integrated.length + tiles.length;
    if (items > MAX_TRANSACTION_ITEMS) {
      throw new RangeError(`${integrated.length} events and ${tiles.length} tiles do not fit one transaction (${MAX_TRANSACTION_ITEMS} items with the head and the checkpoint).`);
    }
    const head = {
      ...logKeys.head(),
      kind: 'log-head',
      size: next.size,
      rootHash: Buffer.from(next.rootHash).toString('base64'),
      checkpoint: next.checkpoint,
      verifierKey: next.verifierKey,
    };
    try {
      // One attempt: contention means another integrator is committing, a lost race like a
      // failed condition; the caller starts over from the head that integrator leaves.
      await this.table.transact(
        [
          {
            Put: {
              TableName: this.tableName,
              Item: head,
              // The single guard against a fork: the head moves only from the size we built on.
              ...(previousSize === null
                ? { ConditionExpression: 'attribute_not_exists(pk)' }
                : { ConditionExpression: '#size = :previous', ExpressionAttributeNames: { '#size': 'size' }, ExpressionAttributeValues: { ':previous': previousSize } }),
            },
          },
          {
            Put: {
              TableName: this.tableName,
              Item: { ...logKeys.checkpoint(next.size), kind: 'log-checkpoint', size: next.size, checkpoint: next.checkpoint },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          // Unconditional: the head's condition decides for the whole transaction.
          ...tiles.map((tile) => ({
            Put: { TableName: this.tableName, Item: { ...logKeys.tile(tile.id), kind: 'log-tile', body: tile.body } },
          })),
          ...integrated.map((e) => ({
            Update: {
              TableName: this.tableName,
              Key: e.ref,
              UpdateExpression: 'REMOVE #opk, #osk SET #index = :index',
              ConditionExpression: 'attribute_exists(#opk)',
              ExpressionAttributeNames: { '#opk': 'outboxPk', '#osk': 'outboxSk', '#index': 'logIndex' },
              ExpressionAttributeValues: { ':index': e.index },
            },
          })),
        ],
        1,
      );
      return true;
    } catch (error) {
      // Another integrator's head or event update won (or collided): nothing of ours was written.
      if ((cancellationReasons(error) ?? []).some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) {
        return false;
      }
      throw error;
    }
  }

  async loggedEvents(certificateId: string): Promise<LoggedEvent[]> {
    const items = await certificateEventItems(this.table, certificateId);
    return items.filter((i) => typeof i['logIndex'] === 'number').map((i) => ({
      type: parseEvent(i).type,
      at: String(i['at']),
      index: i['logIndex'] as number,
    }));
  }

  private async batchGet(refs: { pk: string; sk: string }[]): Promise<Item[]> {
    const out: Item[] = [];
    let pending: Record<string, unknown>[] = refs;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error('Events could not be read: DynamoDB kept returning unprocessed keys.');
      if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      const result = await this.client.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      out.push(...((result.Responses?.[this.tableName] ?? []) as Item[]));
      pending = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
    return out;
  }
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new TypeError('A stored tile body is not binary.');
}
