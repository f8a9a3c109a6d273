import { productionApp } from '#shared/app/production.ts';
import { logCheckpointEndpoint } from '#shared/http/endpoints/log-checkpoint.ts';

/** The Lambda handler of route `log-checkpoint` (see `shared/http/routes.ts`), on this container's app. */
export const handler = logCheckpointEndpoint(productionApp);
