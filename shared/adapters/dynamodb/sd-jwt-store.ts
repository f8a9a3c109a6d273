import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SdJwtStore } from '../../ports/certificate-store.ts';
import { type Item, type ItemKey, fromAttributeMap, keys } from './marshalling.ts';
import { TableClient } from './table-client.ts';

/** Construction options of {@link DynamoDbSdJwtStore}. */
export interface DynamoDbSdJwtStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * The selectively disclosable forms on the one table: one item per certificate and holder key,
 * `pk` `CERT#<id>` (the certificate's own partition) and `sk` `SDJWT#<holder>`, written once with
 * a conditional put and never updated. Nothing is written for a certificate whose exchange never
 * asks. The audit trail's Query reads only the `EVENT#` range of the partition, so these items
 * never show up as events, and they carry no outbox attributes: they are not logged (the log's
 * entry is the certificate's, which every form shares).
 */
export class DynamoDbSdJwtStore implements SdJwtStore {
  private readonly table: TableClient;

  constructor(options: DynamoDbSdJwtStoreOptions) {
    this.table = new TableClient(options.client, options.tableName);
  }

  async getSdJwt(certificateId: string, holder: string): Promise<string | null> {
    const item = await this.table.get(sdJwtKey(certificateId, holder));
    return item ? sdJwtOf(item) : null;
  }

  async putSdJwtOnce(certificateId: string, holder: string, sdJwt: string, createdAt: string): Promise<{ created: boolean; sdJwt: string }> {
    const item: Item = { ...sdJwtKey(certificateId, holder), kind: 'sd-jwt', certificateId, holder, sdJwt, createdAt };
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': 'pk' },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { created: true, sdJwt };
    } catch (error) {
      // Read by name, as the other stores do, so an error from another copy of the SDK reads the same.
      if ((error as { name?: unknown } | null)?.name !== 'ConditionalCheckFailedException') throw error;
      // The first writer's form wins; ALL_OLD carries it, and only an engine that leaves it out costs a read.
      const old = (error as { Item?: Record<string, AttributeValue> }).Item;
      const stored = old ? sdJwtOf(fromAttributeMap(old)) : await this.getSdJwt(certificateId, holder);
      if (stored === null) throw error;
      return { created: false, sdJwt: stored };
    }
  }
}

function sdJwtKey(certificateId: string, holder: string): ItemKey {
  if (holder.length === 0 || holder.includes('#')) throw new TypeError(`holder must be non-empty and must not contain '#': ${JSON.stringify(holder)}`);
  return { pk: keys.certificate(certificateId).pk, sk: `SDJWT#${holder}` };
}

function sdJwtOf(item: Item): string {
  const value = item['sdJwt'];
  if (typeof value !== 'string' || value.length === 0) throw new TypeError('an SD-JWT item without its sdJwt');
  return value;
}
