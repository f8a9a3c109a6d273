import { productionApp } from '#shared/app/production.ts';
import { getJwksEndpoint } from '#shared/http/endpoints/get-jwks.ts';

/** The Lambda handler of route `get-jwks` (see `shared/http/routes.ts`), on this container's app. */
export const handler = getJwksEndpoint(productionApp);
