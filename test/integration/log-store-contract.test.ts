import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DynamoDbLogStore } from '#shared/adapters/dynamodb/log-store.ts';
import { eventItem } from '#shared/adapters/dynamodb/marshalling.ts';
import { createTableInput } from '#shared/adapters/dynamodb/table.ts';
import { logStoreContract } from '../support/contracts/log-store-contract.ts';
import { createTestTable, deleteTestTable, localDynamoDbClient, localDynamoDbDocumentClient } from '../support/dynamodb.ts';

/**
 * The DynamoDB log store against the same contract cases as the in-memory store the unit tests
 * use (test/support/in-memory-stores.test.ts): the fake is only as good as this agreement.
 */

let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
const tables: string[] = [];

beforeAll(() => {
  client = localDynamoDbClient();
  doc = localDynamoDbDocumentClient(client);
});

afterAll(async () => {
  for (const t of tables) await deleteTestTable(client, t).catch(() => undefined);
  client.destroy();
});

logStoreContract('DynamoDB', async () => {
  const { TableName: _unused, ...definition } = createTableInput('unused');
  const table = await createTestTable(client, { ...definition, prefix: 'tlog-contract' });
  tables.push(table);
  return {
    store: new DynamoDbLogStore({ client: doc, tableName: table }),
    addEvents: async (events) => {
      for (const e of events) await doc.send(new PutCommand({ TableName: table, Item: eventItem(e) }));
    },
  };
});
