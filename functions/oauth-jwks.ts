import { authorizationServerMetadata } from '#shared/app/parts/authorization-server.ts';
import { productionApp } from '#shared/app/production.ts';
import { oauthJwksEndpoint } from '#shared/http/endpoints/oauth-jwks.ts';

/** The Lambda handler of route `oauth-jwks` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = oauthJwksEndpoint(productionApp({ authorizationServer: authorizationServerMetadata }));
