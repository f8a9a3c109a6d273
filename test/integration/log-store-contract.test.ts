import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLogStore } from '#shared/adapters/dynamodb/log-store.ts';
import { eventItem } from '#shared/adapters/dynamodb/marshalling.ts';
import { logStoreContract } from '../support/contracts/log-store-contract.ts';
import { useServiceTables } from '../support/dynamodb.ts';

/**
 * The DynamoDB log store against the same contract cases as the in-memory store the unit tests
 * use (test/support/in-memory-stores.test.ts): the fake is only as good as this agreement.
 */

const tables = useServiceTables('tlog-contract');

logStoreContract('DynamoDB', async () => {
  const table = await tables.create();
  const doc = tables.doc();
  return {
    store: new DynamoDbLogStore({ client: doc, tableName: table }),
    addEvents: async (events) => {
      for (const e of events) await doc.send(new PutCommand({ TableName: table, Item: eventItem(e) }));
    },
  };
});
