import type * as z from 'zod/mini';
import { TransactionLookupQueryContract } from '../../domain/schemas/api-check.ts';
import type { TransactionLookupResponseSchema } from '../../domain/schemas/api-responses.ts';
import { toCertificateRecord } from '../../services/certificate-record.ts';
import { type ApiHandler, httpRoute } from '../handler.ts';
import { requireExchange } from '../principal.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

/** `GET /v1/certificates?transactionRef=…`: an exchange finds the certificate of its own transaction. */
export function findCertificatesEndpoint(app: EndpointNeeds<'stores'>): ApiHandler {
  return httpRoute({ name: 'find-certificates', query: TransactionLookupQueryContract }, () => app, async ({ query, principal }) => {
    const exchange = requireExchange(principal);
    const found = await app.stores.certificates.findByTransaction(exchange.id, query.transactionRef);
    return {
      status: 200,
      json: { items: found ? [toCertificateRecord(found)] : [] } satisfies z.output<typeof TransactionLookupResponseSchema>,
      headers: { 'cache-control': 'no-store' },
    };
  });
}
