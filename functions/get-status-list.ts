import { productionApp } from '#shared/app/production.ts';
import { getStatusListEndpoint } from '#shared/http/endpoints/get-status-list.ts';

/** The Lambda handler of route `get-status-list` (see `shared/http/routes.ts`), on this container's app. */
export const handler = getStatusListEndpoint(productionApp);
