import { productionApp } from '#shared/app/production.ts';
import { openidConfigurationEndpoint } from '#shared/http/endpoints/openid-configuration.ts';

/** The Lambda handler of route `openid-configuration` (see `shared/http/routes.ts`), on this container's app. */
export const handler = openidConfigurationEndpoint(productionApp);
