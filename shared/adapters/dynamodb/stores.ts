import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CertificateStore, ExchangeStore, StatusListStore } from '../../ports/certificate-store.ts';
import type { LogStore } from '../../ports/log-store.ts';
import { DynamoDbCertificateStore } from './certificate-store.ts';
import { DynamoDbExchangeStore } from './exchange-store.ts';
import { DynamoDbLogStore } from './log-store.ts';
import { DynamoDbStatusListStore } from './status-list-store.ts';

/** Every store of the service, each behind its own port, all on the one table. */
export interface Stores {
  certificates: CertificateStore;
  statusLists: StatusListStore;
  exchanges: ExchangeStore;
  log: LogStore;
}

/** Options of {@link dynamoDbStores}. */
export interface DynamoDbStoresOptions {
  /** Document client over the table's region or DynamoDB Local; created once per container. */
  client: DynamoDBDocumentClient;
  tableName: string;
  /** URL of the status list credential of a list. */
  statusListUrl: (listId: string) => string;
}

/** The stores on one DynamoDB table. */
export function dynamoDbStores(options: DynamoDbStoresOptions): Stores {
  const table = { client: options.client, tableName: options.tableName };
  return {
    certificates: new DynamoDbCertificateStore({ ...table, statusListUrl: options.statusListUrl }),
    statusLists: new DynamoDbStatusListStore(table),
    exchanges: new DynamoDbExchangeStore(table),
    log: new DynamoDbLogStore(table),
  };
}
