import { productionApp } from '#shared/app/production.ts';
import { oauthJwksEndpoint } from '#shared/http/endpoints/oauth-jwks.ts';

/** The Lambda handler of route `oauth-jwks` (see `shared/http/routes.ts`), on this container's app. */
export const handler = oauthJwksEndpoint(productionApp);
