import { buildApp } from '#shared/app/app.ts';
import { loadConfig } from '#shared/app/config.ts';
import { certificateStoreContract } from '../support/contracts/certificate-store-contract.ts';
import { useServiceTables } from '../support/dynamodb.ts';

/**
 * The DynamoDB certificate, status list and exchange stores, as the app wires them, against the
 * same contract cases as the in-memory stores the unit tests use
 * (test/support/in-memory-stores.test.ts).
 */

const tables = useServiceTables('store-contract');

certificateStoreContract('DynamoDB', async () => {
  const tableName = await tables.create();
  const app = buildApp(
    loadConfig({
      DCC_TABLE_NAME: tableName,
      // Named only: the contract signs nothing.
      DCC_SIGNER: 'local',
      DCC_LOCAL_KEY_FILE: '/nonexistent/dcc-store-contract.pem',
      DCC_ISSUER: 'http://127.0.0.1',
      DCC_PUBLIC_BASE_URL: 'http://127.0.0.1',
      DCC_LOG_ORIGIN: '127.0.0.1/log',
    }),
    { dynamodb: tables.client() },
  );
  return { ...app.stores, statusListUrl: app.statusListUrl };
});
