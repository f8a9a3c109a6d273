import { statusLists } from '#shared/app/parts/status-lists.ts';
import { productionApp } from '#shared/app/production.ts';
import { getStatusListEndpoint } from '#shared/http/endpoints/get-status-list.ts';

/** The Lambda handler of route `get-status-list` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = getStatusListEndpoint(productionApp({ statusLists }));
