import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AssertionReplayStore } from '../../ports/client-registry.ts';
import { keys } from './marshalling.ts';
import { TTL_ATTRIBUTE } from './table.ts';

/** Construction options of {@link DynamoDbAssertionReplayStore}. */
export interface DynamoDbAssertionReplayStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * The `jti` of accepted client assertions on the one table: one item per `jti`, put on condition
 * that none is there (or only an expired one), carrying the table's TTL attribute so DynamoDB
 * deletes it once the assertion could no longer be accepted anyway. The condition, not the
 * deletion (which DynamoDB makes lazily, days late at worst), is what refuses a replay; the TTL
 * only keeps the table from growing with every token request.
 */
export class DynamoDbAssertionReplayStore implements AssertionReplayStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoDbAssertionReplayStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async recordOnce(clientId: string, jti: string, rememberUntil: Date, now: Date): Promise<boolean> {
    const digest = createHash('sha256').update(jti, 'utf8').digest('hex');
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...keys.assertionJti(clientId, digest),
            kind: 'assertion-jti',
            clientId,
            [TTL_ATTRIBUTE]: Math.ceil(rememberUntil.getTime() / 1000),
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #ttl < :now',
          ExpressionAttributeNames: { '#pk': 'pk', '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: unknown }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
