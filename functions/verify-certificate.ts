import { productionApp } from '#shared/app/production.ts';
import { verifyCertificateEndpoint } from '#shared/http/endpoints/verify-certificate.ts';

/** The Lambda handler of route `verify-certificate` (see `shared/http/routes.ts`), on this container's app. */
export const handler = verifyCertificateEndpoint(productionApp);
