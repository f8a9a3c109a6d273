import { productionApp } from '#shared/app/production.ts';
import { putClientEndpoint } from '#shared/http/endpoints/put-client.ts';

/** The Lambda handler of route `put-client` (see `shared/http/routes.ts`), on this container's app. */
export const handler = putClientEndpoint(productionApp);
