import { randomUUID } from 'node:crypto';
import {
  type CreateTableCommandInput,
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';

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
