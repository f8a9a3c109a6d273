import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CertificateStore, ExchangeStore, SdJwtStore, StatusListStore } from '../../ports/certificate-store.ts';
import type { AssertionReplayStore, ClientRegistry } from '../../ports/client-registry.ts';
import type { LogStore } from '../../ports/log-store.ts';
import { DynamoDbAssertionReplayStore } from './assertion-replay-store.ts';
import { DynamoDbCertificateStore } from './certificate-store.ts';
import { DynamoDbExchangeStore } from './exchange-store.ts';
import { DynamoDbLogStore } from './log-store.ts';
import { DynamoDbSdJwtStore } from './sd-jwt-store.ts';
import { DynamoDbStatusListStore } from './status-list-store.ts';

/** Every store of the service, each behind its own port, all on the one table. */
export interface Stores {
  certificates: CertificateStore;
  statusLists: StatusListStore;
  exchanges: ExchangeStore;
  /** The OAuth clients and their keys (the same items as the exchanges' client ids). */
  clients: ClientRegistry;
  /** The `jti` of accepted client assertions. */
  assertionReplays: AssertionReplayStore;
  log: LogStore;
  /** The selectively disclosable forms of certificates, issued on request. */
  sdJwts: SdJwtStore;
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
  const registry = new DynamoDbExchangeStore(table);
  return {
    certificates: new DynamoDbCertificateStore({ ...table, statusListUrl: options.statusListUrl }),
    statusLists: new DynamoDbStatusListStore(table),
    exchanges: registry,
    clients: registry,
    assertionReplays: new DynamoDbAssertionReplayStore(table),
    log: new DynamoDbLogStore(table),
    sdJwts: new DynamoDbSdJwtStore(table),
  };
}
