import { authorizationServer } from '#shared/app/parts/authorization-server.ts';
import { productionApp } from '#shared/app/production.ts';
import { getExchangeEndpoint } from '#shared/http/endpoints/get-exchange.ts';

/** The Lambda handler of route `get-exchange` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = getExchangeEndpoint(productionApp({ authorizationServer }));
