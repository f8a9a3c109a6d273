import { productionApp } from '#shared/app/production.ts';
import { logKeyEndpoint } from '#shared/http/endpoints/log-key.ts';

/** The Lambda handler of route `log-key` (see `shared/http/routes.ts`), on this container's app. */
export const handler = logKeyEndpoint(productionApp);
