import { log } from '#shared/app/parts/log.ts';
import { productionApp } from '#shared/app/production.ts';
import { logCheckpointEndpoint } from '#shared/http/endpoints/log-checkpoint.ts';

/** The Lambda handler of route `log-checkpoint` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = logCheckpointEndpoint(productionApp({ log }));
