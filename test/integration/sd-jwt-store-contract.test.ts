import { DynamoDbSdJwtStore } from '#shared/adapters/dynamodb/sd-jwt-store.ts';
import { sdJwtStoreContract } from '../support/contracts/sd-jwt-store-contract.ts';
import { useServiceTables } from '../support/dynamodb.ts';

/** The DynamoDB store of selectively disclosable forms against the contract cases of the in-memory one. */

const tables = useServiceTables('sd-jwt-contract');

sdJwtStoreContract('DynamoDB', async () => new DynamoDbSdJwtStore({ client: tables.doc(), tableName: await tables.create() }));
