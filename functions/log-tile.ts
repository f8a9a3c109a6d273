import { productionApp } from '#shared/app/production.ts';
import { logTileEndpoint } from '#shared/http/endpoints/log-tile.ts';

/** The Lambda handler of route `log-tile` (see `shared/http/routes.ts`), on this container's app. */
export const handler = logTileEndpoint(productionApp);
