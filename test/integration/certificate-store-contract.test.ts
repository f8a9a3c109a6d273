import { dynamoDbStores } from '#shared/adapters/dynamodb/stores.ts';
import { certificateStoreContract } from '../support/contracts/certificate-store-contract.ts';
import { useServiceTables } from '../support/dynamodb.ts';

/**
 * The DynamoDB certificate, status list and exchange stores against the same contract cases as
 * the in-memory stores the unit tests use (test/support/in-memory-stores.test.ts).
 */

const statusListUrl = (listId: string) => `http://127.0.0.1/v1/status-lists/${listId}`;
const tables = useServiceTables('store-contract');

certificateStoreContract('DynamoDB', async () => {
  const tableName = await tables.create();
  return { ...dynamoDbStores({ client: tables.doc(), tableName, statusListUrl }), statusListUrl };
});
