import { productionApp } from '#shared/app/production.ts';
import { getExchangeEndpoint } from '#shared/http/endpoints/get-exchange.ts';

/** The Lambda handler of route `get-exchange` (see `shared/http/routes.ts`), on this container's app. */
export const handler = getExchangeEndpoint(productionApp);
