import { authorizationServer } from '#shared/app/parts/authorization-server.ts';
import { productionApp } from '#shared/app/production.ts';
import { oauthTokenEndpoint } from '#shared/http/endpoints/oauth-token.ts';

/** The Lambda handler of route `oauth-token` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = oauthTokenEndpoint(productionApp({ authorizationServer }));
