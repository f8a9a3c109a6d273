import { productionApp } from '#shared/app/production.ts';
import { getCertificateEndpoint } from '#shared/http/endpoints/get-certificate.ts';

/** The Lambda handler of route `get-certificate` (see `shared/http/routes.ts`), on this container's app. */
export const handler = getCertificateEndpoint(productionApp);
