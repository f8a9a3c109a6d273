import { authorizationServerMetadata } from '#shared/app/parts/authorization-server.ts';
import { productionApp } from '#shared/app/production.ts';
import { openidConfigurationEndpoint } from '#shared/http/endpoints/openid-configuration.ts';

/** The Lambda handler of route `openid-configuration` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = openidConfigurationEndpoint(productionApp({ authorizationServer: authorizationServerMetadata }));
