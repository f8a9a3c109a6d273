import { log } from '#shared/app/parts/log.ts';
import { productionApp } from '#shared/app/production.ts';
import { logTileEndpoint } from '#shared/http/endpoints/log-tile.ts';

/** The Lambda handler of route `log-tile` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = logTileEndpoint(productionApp({ log }));
