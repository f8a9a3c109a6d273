import { verificationKeys } from '#shared/app/parts/signing.ts';
import { productionApp } from '#shared/app/production.ts';
import { getJwksEndpoint } from '#shared/http/endpoints/get-jwks.ts';

/** The Lambda handler of route `get-jwks` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = getJwksEndpoint(productionApp({ verificationKeys }));
