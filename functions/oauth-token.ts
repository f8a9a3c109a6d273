import { productionApp } from '#shared/app/production.ts';
import { oauthTokenEndpoint } from '#shared/http/endpoints/oauth-token.ts';

/** The Lambda handler of route `oauth-token` (see `shared/http/routes.ts`), on this container's app. */
export const handler = oauthTokenEndpoint(productionApp);
