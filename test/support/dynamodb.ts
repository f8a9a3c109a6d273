import { randomUUID } from 'node:crypto';
import {
  type CreateTableCommandInput,
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, inject } from 'vitest';
import { createTableInput } from '#shared/adapters/dynamodb/table.ts';

/** The shared test DynamoDB Local (started by `test/support/global-setup.ts`). */
export function localDynamoDbEndpoint(): string {
  const endpoint = inject('dynamoDbEndpoint');
  if (!endpoint) {
    throw new Error(
      'No DynamoDB Local for this run: test/support/global-setup.ts starts it only when the run ' +
        'includes a test/integration/ file (and must be listed in vitest globalSetup)',
    );
  }
  return endpoint;
}

/** A client for the shared test DynamoDB Local: dummy credentials, region `us-east-1`. */
export function localDynamoDbClient(): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: localDynamoDbEndpoint(),
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** A document client over {@link localDynamoDbClient}, with empty strings and undefined removed as in production. */
export function localDynamoDbDocumentClient(client: DynamoDBClient = localDynamoDbClient()): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** A table name no other test (or earlier run against a persistent instance) uses. */
export function uniqueTableName(prefix = 'test'): string {
  return `dcc-${prefix}-${randomUUID()}`;
}

/**
 * Creates a uniquely named on-demand table and returns its name. Defaults to string keys `pk`
 * and `sk`; pass any CreateTable input (key schema, GSIs, streams) to override.
 */
export async function createTestTable(
  client: DynamoDBClient,
  input: Partial<CreateTableCommandInput> & { prefix?: string } = {},
): Promise<string> {
  const { prefix, ...overrides } = input;
  const TableName = overrides.TableName ?? uniqueTableName(prefix);
  await client.send(
    new CreateTableCommand({
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      ...overrides,
      TableName,
    }),
  );
  return TableName;
}

/** Deletes a table made by {@link createTestTable}. */
export async function deleteTestTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
}

/** A test file's own tables of the service's definition, on the shared DynamoDB Local. */
export interface ServiceTables {
  /** The document client over the shared DynamoDB Local (valid once the file's tests run). */
  doc(): DynamoDBDocumentClient;
  /** The client under it, for what builds its own document client (the app). */
  client(): DynamoDBClient;
  /** Creates a fresh, uniquely named table from the one table definition and returns its name. */
  create(): Promise<string>;
}

/**
 * Opens a client for the calling test file and creates tables of the service's own definition on
 * demand; every table made is deleted, and the client closed, after the file's tests.
 */
export function useServiceTables(prefix: string): ServiceTables {
  let client: DynamoDBClient | undefined;
  let doc: DynamoDBDocumentClient | undefined;
  const tables: string[] = [];
  beforeAll(() => {
    client = localDynamoDbClient();
    doc = localDynamoDbDocumentClient(client);
  });
  afterAll(async () => {
    for (const t of tables) await deleteTestTable(client as DynamoDBClient, t).catch(() => undefined);
    client?.destroy();
  });
  return {
    doc: () => {
      if (!doc) throw new Error('useServiceTables: the client opens in beforeAll');
      return doc;
    },
    client: () => {
      if (!client) throw new Error('useServiceTables: the client opens in beforeAll');
      return client;
    },
    create: async () => {
      const tableName = uniqueTableName(prefix);
      await (client as DynamoDBClient).send(new CreateTableCommand(createTableInput(tableName)));
      tables.push(tableName);
      return tableName;
    },
  };
}
