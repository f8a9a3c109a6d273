import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ClientRegistration } from '../../domain/client-registration.ts';
import type { Exchange } from '../../domain/records.ts';
import { ClientIdTakenError, type ExchangeStore } from '../../ports/certificate-store.ts';
import type { ClientRegistry, ExchangeRegistrationWrite, RoleClientRegistrationWrite } from '../../ports/client-registry.ts';
import {
  type Item,
  type StoredRegistration,
  clientExchangeAttributes,
  exchangeItem,
  keys,
  parseClientItem,
  parseExchangeItem,
  parseRegisteredClientItem,
} from './marshalling.ts';
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
 * The exchange registry and the OAuth client registry on the one table (design in `table.ts`):
 * one item per exchange and one per client id. A client item holds the client's registration
 * (role, name, public keys, status) and, for an exchange's client, a copy of its exchange, so that
 * both the token endpoint and a request's principal find what they need in one GetItem.
 */
export class DynamoDbExchangeStore implements ExchangeStore, ClientRegistry {
  private readonly table: TableClient;

  constructor(options: DynamoDbExchangeStoreOptions) {
    this.table = new TableClient(options.client, options.tableName);
  }

  async findExchangeByClientId(clientId: string): Promise<Exchange | null> {
    const item = await this.table.get(keys.client(clientId));
    return item ? parseClientItem(item) : null;
  }

  async findClient(clientId: string): Promise<ClientRegistration | null> {
    const item = await this.table.get(keys.client(clientId));
    return item ? parseRegisteredClientItem(item) : null;
  }

  /** Throws {@link ClientIdTakenError} when one of the client ids acts for another exchange. */
  async putExchange(exchange: Exchange): Promise<void> {
    await this.#writeExchange(
      { id: exchange.id, name: exchange.name, clientIds: [...new Set(exchange.clientIds)], status: exchange.status },
      { removeOthers: true },
    );
  }

  async registerExchange(write: ExchangeRegistrationWrite): Promise<{ created: boolean; registration: ClientRegistration }> {
    const registration: StoredRegistration = { role: 'exchange', name: write.name, jwks: write.jwks, status: write.status, updatedAt: write.at };
    const exchange: Exchange = { id: write.exchangeId, name: write.name, clientIds: [write.exchangeId], status: write.status };
    const { created, written } = await this.#writeExchange(exchange, { removeOthers: false, registration });
    return { created, registration: { clientId: write.exchangeId, ...registration, exchange: written } };
  }

  async registerRoleClient(write: RoleClientRegistrationWrite): Promise<{ created: boolean; registration: ClientRegistration }> {
    const registration: StoredRegistration = { role: write.role, name: write.name, jwks: write.jwks, status: write.status, updatedAt: write.at };
    try {
      const out = await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.client(write.clientId),
          UpdateExpression: 'SET #kind = :kind, #clientId = :clientId, #registration = :registration',
          // Never over an exchange's client: an auditor or admin id cannot act for an exchange.
          ConditionExpression: 'attribute_not_exists(#exchangeId)',
          ExpressionAttributeNames: { '#kind': 'kind', '#clientId': 'clientId', '#registration': 'registration', '#exchangeId': 'exchangeId' },
          ExpressionAttributeValues: { ':kind': 'client', ':clientId': write.clientId, ':registration': registration },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { created: out.Attributes?.['registration'] === undefined, registration: { clientId: write.clientId, ...registration, exchange: null } };
    } catch (error) {
      if ((error as { name?: unknown }).name !== 'ConditionalCheckFailedException') throw error;
      const owner = (error as { Item?: Record<string, { S?: string }> }).Item?.['exchangeId']?.S ?? 'unknown';
      throw new ClientIdTakenError(write.clientId, owner);
    }
  }

  /**
   * Writes the exchange item and rewrites the exchange copy of each of its client items in one
   * transaction. With `registration`, the exchange's own client (id = exchange id) gets it too;
   * without `removeOthers`, client ids bound before stay bound (with the new copy), so that
   * registering needs no DeleteItem.
   */
  async #writeExchange(
    wanted: Exchange,
    options: { removeOthers: boolean; registration?: StoredRegistration },
  ): Promise<{ created: boolean; written: Exchange }> {
    const tableName = this.table.tableName;
    for (let attempt = 1; ; attempt++) {
      const found = await this.table.get(keys.exchange(wanted.id));
      const previous = found ? parseExchangeItem(found) : null;
      const kept = options.removeOthers ? [] : (previous?.exchange.clientIds ?? []).filter((c) => !wanted.clientIds.includes(c));
      const next: Exchange = { ...wanted, clientIds: [...wanted.clientIds, ...kept] };
      if (next.clientIds.length > MAX_CLIENT_IDS) {
        throw new RangeError(`An exchange may have at most ${MAX_CLIENT_IDS} client ids, not ${next.clientIds.length}.`);
      }
      if (!options.registration && previous && JSON.stringify(previous.exchange) === JSON.stringify(next)) {
        return { created: false, written: next };
      }

      const removed = (previous?.exchange.clientIds ?? []).filter((c) => !next.clientIds.includes(c));
      const items: TransactItem[] = [
        {
          Put: {
            TableName: tableName,
            Item: exchangeItem(next, (previous?.revision ?? 0) + 1),
            // Optimistic: a concurrent update of the same exchange makes this one start over.
            ConditionExpression: previous ? '#revision = :seen' : 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: previous ? { '#revision': 'revision' } : { '#pk': 'pk' },
            ...(previous ? { ExpressionAttributeValues: { ':seen': previous.revision } } : {}),
          },
        },
        ...next.clientIds.map((clientId): TransactItem => {
          const set: Item = { ...clientExchangeAttributes(clientId, next) };
          if (options.registration && clientId === next.id) set['registration'] = options.registration;
          const names = Object.fromEntries(Object.keys(set).map((name) => [`#${name}`, name]));
          return {
            Update: {
              TableName: tableName,
              Key: keys.client(clientId),
              UpdateExpression: `SET ${Object.keys(set).map((name) => `#${name} = :${name}`).join(', ')}`,
              // Free, or this exchange's; and never an auditor's or admin's client.
              ConditionExpression:
                '(attribute_not_exists(#pk) OR #exchangeId = :exchangeId) AND (attribute_not_exists(#registration.#role) OR #registration.#role = :exchangeRole)',
              ExpressionAttributeNames: { ...names, '#pk': 'pk', '#registration': 'registration', '#role': 'role' },
              ExpressionAttributeValues: {
                ...Object.fromEntries(Object.entries(set).map(([name, value]) => [`:${name}`, value])),
                ':exchangeRole': 'exchange',
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          };
        }),
        ...removed.map(
          (clientId): TransactItem => ({
            Delete: {
              TableName: tableName,
              Key: keys.client(clientId),
              ConditionExpression: '#exchangeId = :exchangeId',
              ExpressionAttributeNames: { '#exchangeId': 'exchangeId' },
              ExpressionAttributeValues: { ':exchangeId': next.id },
            },
          }),
        ),
      ];
      try {
        await this.table.transact(items);
        return { created: previous === null, written: next };
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (!reasons) throw error;
        const taken = next.clientIds.findIndex((_, i) => failedCondition(reasons[1 + i]));
        if (taken >= 0) {
          const owner = reasons[1 + taken]?.Item?.['exchangeId']?.S ?? 'a client of another role';
          throw new ClientIdTakenError(next.clientIds[taken] as string, owner);
        }
        if (failedCondition(reasons[0]) && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
    }
  }
}
