import { certificateStoreContract } from './contracts/certificate-store-contract.ts';
import { logStoreContract } from './contracts/log-store-contract.ts';
import { sdJwtStoreContract } from './contracts/sd-jwt-store-contract.ts';
import { inMemoryStores } from './in-memory-stores.ts';

/**
 * The in-memory stores against the contract cases the DynamoDB adapters also pass
 * (test/integration/log-store-contract.test.ts, test/integration/certificate-store-contract.test.ts).
 */

const statusListUrl = (listId: string) => `https://dcc.test/v1/status-lists/${listId}`;

logStoreContract('in memory', async () => {
  const { log } = inMemoryStores({ statusListUrl });
  return {
    store: log,
    addEvents: async (events) => {
      for (const e of events) log.addEvent(e);
    },
  };
});

certificateStoreContract('in memory', async () => ({ ...inMemoryStores({ statusListUrl }), statusListUrl }));

sdJwtStoreContract('in memory', async () => inMemoryStores({ statusListUrl }).sdJwts);
