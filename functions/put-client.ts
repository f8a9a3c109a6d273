import { authorizationServer } from '#shared/app/parts/authorization-server.ts';
import { productionApp } from '#shared/app/production.ts';
import { putClientEndpoint } from '#shared/http/endpoints/put-client.ts';

/** The Lambda handler of route `put-client` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = putClientEndpoint(productionApp({ authorizationServer }));
