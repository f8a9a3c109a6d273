import { authorizationServer } from '#shared/app/parts/authorization-server.ts';
import { productionApp } from '#shared/app/production.ts';
import { putExchangeEndpoint } from '#shared/http/endpoints/put-exchange.ts';

/** The Lambda handler of route `put-exchange` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = putExchangeEndpoint(productionApp({ authorizationServer }));
