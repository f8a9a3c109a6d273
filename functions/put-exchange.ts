import { productionApp } from '#shared/app/production.ts';
import { putExchangeEndpoint } from '#shared/http/endpoints/put-exchange.ts';

/** The Lambda handler of route `put-exchange` (see `shared/http/routes.ts`), on this container's app. */
export const handler = putExchangeEndpoint(productionApp);
