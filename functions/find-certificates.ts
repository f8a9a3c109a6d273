import { appContainer } from '#shared/app/container.ts';
import { TransactionLookupQuerySchema } from '#shared/domain/schemas/api.ts';
import { httpRoute } from '#shared/http/handler.ts';
import { requireExchange } from '#shared/http/principal.ts';
import { toCertificateRecord } from '#shared/services/certificate-record.ts';

const app = appContainer();

/** `GET /v1/certificates?transactionRef=…`: an exchange finds the certificate of its own transaction. */
export const handler = httpRoute(
  { name: 'find-certificates', access: ['exchange'], query: TransactionLookupQuerySchema },
  () => app,
  async ({ query, principal }) => {
    const exchange = requireExchange(principal);
    const found = await app.store.findByTransaction(exchange.id, query.transactionRef);
    return {
      status: 200,
      json: { items: found ? [toCertificateRecord(found)] : [] },
      headers: { 'cache-control': 'no-store' },
    };
  },
);
