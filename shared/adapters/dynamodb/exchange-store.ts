import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Exchange } from '../../domain/records.ts';
import { ClientIdTakenError, type ExchangeStore } from '../../ports/certificate-store.ts';
import { clientItem, exchangeItem, keys, parseClientItem, parseExchangeItem } from './marshalling.ts';
import { TableClient, type TransactItem, cancellationReasons, failedCondition } from './table-client.ts';

/** Construction options of {@link DynamoDbExchangeStore}. */
export interface DynamoDbExchangeStoreOptions {
  /** Document client over the table's region or DynamoDB Local; shared, created once per container. */
  client: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * Client ids per exchange: the exchange item, its clients and the removed ones must fit one
 * transaction (100 items).
 */
const MAX_CLIENT_IDS = 48;

/** Attempts of a registration that keeps meeting concurrent updates of the same exchange. */
const MAX_ATTEMPTS = 5;

/**
 * The exchange registry on the one table (design in `table.ts`): one item per exchange and
 * one per OAuth client id, each client item a copy of its exchange so that finding a token's
 * exchange is one GetItem.
 */
export class DynamoDbExchangeStore implements ExchangeStore {
  private readonly table: TableClient;

  constructor(options: DynamoDbExchangeStoreOptions) {
    this.table = new TableClient(options.client, options.tableName);
  }

  async findExchangeByClientId(clientId: string): Promise<Exchange | null> {
    const item = await this.table.get(keys.client(clientId));
    return item ? parseClientItem(item) : null;
  }

  /** Throws {@link ClientIdTakenError} when one of the client ids acts for another exchange. */
  async putExchange(exchange: Exchange): Promise<void> {
    const tableName = this.table.tableName;
    const wanted: Exchange = {
      id: exchange.id,
      name: exchange.name,
      clientIds: [...new Set(exchange.clientIds)],
      status: exchange.status,
    };
    if (wanted.clientIds.length > MAX_CLIENT_IDS) {
      throw new RangeError(`An exchange may have at most ${MAX_CLIENT_IDS} client ids, not ${wanted.clientIds.length}.`);
    }
    for (let attempt = 1; ; attempt++) {
      const found = await this.table.get(keys.exchange(wanted.id));
      const previous = found ? parseExchangeItem(found) : null;
      if (previous && JSON.stringify(previous.exchange) === JSON.stringify(wanted)) return;

      const removed = (previous?.exchange.clientIds ?? []).filter((c) => !wanted.clientIds.includes(c));
      const items: TransactItem[] = [
        {
          Put: {
            TableName: tableName,
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
              TableName: tableName,
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
              TableName: tableName,
              Key: keys.client(clientId),
              ConditionExpression: '#exchangeId = :exchangeId',
              ExpressionAttributeNames: { '#exchangeId': 'exchangeId' },
              ExpressionAttributeValues: { ':exchangeId': wanted.id },
            },
          }),
        ),
      ];
      try {
        await this.table.transact(items);
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
}
