import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StatusListPosition } from '../../domain/records.ts';
import { STATUS_LIST_ID_PATTERN } from '../../domain/records.ts';
import { STATUS_LIST_SIZE } from '../../domain/status-list.ts';
import type { StatusListStore } from '../../ports/certificate-store.ts';
import { keys } from './marshalling.ts';
import { StatusListPositions } from './status-list-positions.ts';
import { TableClient } from './table-client.ts';

/** Construction options of {@link DynamoDbStatusListStore}. */
export interface DynamoDbStatusListStoreOptions {
  /** Document client over the table's region or DynamoDB Local; shared, created once per container. */
  client: DynamoDBDocumentClient;
  tableName: string;
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

/**
 * The status lists on the one table (design in `table.ts`): the shared position counter, each
 * list's head and its sharded revoked set. The bits are set by the certificate store, in the
 * transaction that revokes the certificate; this store hands out positions and reads lists.
 */
export class DynamoDbStatusListStore implements StatusListStore {
  private readonly table: TableClient;
  private readonly positions: StatusListPositions;

  constructor(options: DynamoDbStatusListStoreOptions) {
    this.table = new TableClient(options.client, options.tableName);
    this.positions = new StatusListPositions(
      {
        advance: (by) => this.advanceCounter(by),
        listOpened: (listId) => this.openList(listId),
      },
      options.statusListSize ?? STATUS_LIST_SIZE,
      options.blockSize ?? 256,
    );
  }

  reserveStatusListPosition(): Promise<StatusListPosition> {
    return this.positions.next();
  }

  async revokedIndexes(listId: string): Promise<{ indexes: number[]; version: string } | null> {
    // Only canonical ids name a list ("01" would be a different partition of the same list).
    if (!STATUS_LIST_ID_PATTERN.test(listId)) return null;
    const items = await this.table.queryAll({
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

  private async advanceCounter(by: number): Promise<number> {
    const out = await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
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
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keys.statusListHead(listId),
        UpdateExpression: 'ADD #version :zero',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':zero': 0 },
      }),
    );
  }
}
