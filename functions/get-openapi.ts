import { productionApp } from '#shared/app/production.ts';
import { getOpenApiEndpoint } from '#shared/http/endpoints/get-openapi.ts';

/** The Lambda handler of route `get-openapi` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = getOpenApiEndpoint(productionApp({}));
