import { productionApp } from '#shared/app/production.ts';
import { issueSdJwtEndpoint } from '#shared/http/endpoints/issue-sd-jwt.ts';

/** The Lambda handler of route `issue-sd-jwt` (see `shared/http/routes.ts`), on this container's app. */
export const handler = issueSdJwtEndpoint(productionApp);
