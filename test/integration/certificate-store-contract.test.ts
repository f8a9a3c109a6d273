import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { dynamoDbStores } from '#shared/adapters/dynamodb/stores.ts';
import { createTableInput } from '#shared/adapters/dynamodb/table.ts';
import { certificateStoreContract } from '../support/contracts/certificate-store-contract.ts';
import { deleteTestTable, localDynamoDbClient, localDynamoDbDocumentClient, uniqueTableName } from '../support/dynamodb.ts';

/**
 * The DynamoDB certificate, status list and exchange stores against the same contract cases as
 * the in-memory stores the unit tests use (test/support/in-memory-stores.test.ts).
 */

const statusListUrl = (listId: string) => `http://127.0.0.1/v1/status-lists/${listId}`;
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

certificateStoreContract('DynamoDB', async () => {
  const tableName = uniqueTableName('store-contract');
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  tables.push(tableName);
  return { ...dynamoDbStores({ client: doc, tableName, statusListUrl }), statusListUrl };
});
