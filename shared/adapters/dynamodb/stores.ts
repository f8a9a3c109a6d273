import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CertificateStore, ExchangeStore, StatusListStore } from '../../ports/certificate-store.ts';
import type { LogStore } from '../../ports/log-store.ts';
import { DynamoDbCertificateStore } from './certificate-store.ts';
import { DynamoDbLogStore } from './log-store.ts';

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
  const store = new DynamoDbCertificateStore(options);
  return {
    certificates: store,
    statusLists: store,
    exchanges: store,
    log: new DynamoDbLogStore({ client: options.client, tableName: options.tableName }),
  };
}
