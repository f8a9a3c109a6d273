import { log } from '#shared/app/parts/log.ts';
import { productionApp } from '#shared/app/production.ts';
import { logKeyEndpoint } from '#shared/http/endpoints/log-key.ts';

/** The Lambda handler of route `log-key` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = logKeyEndpoint(productionApp({ log }));
