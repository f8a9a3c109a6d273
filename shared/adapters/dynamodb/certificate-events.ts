import { type Item, keys } from './marshalling.ts';
import type { TableClient } from './table-client.ts';

/**
 * The event items of one certificate: the `EVENT#` range of its partition, oldest sort key
 * first, strongly consistent and every page. The certificate store reads them as the audit
 * trail, the log store for where each change sits in the transparency log.
 */
export function certificateEventItems(table: TableClient, certificateId: string): Promise<Item[]> {
  return table.queryAll({
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :event)',
    ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
    ExpressionAttributeValues: { ':pk': keys.certificate(certificateId).pk, ':event': 'EVENT#' },
  });
}
