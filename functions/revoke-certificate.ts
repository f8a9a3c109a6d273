import { productionApp } from '#shared/app/production.ts';
import { revokeCertificateEndpoint } from '#shared/http/endpoints/revoke-certificate.ts';

/** The Lambda handler of route `revoke-certificate` (see `shared/http/routes.ts`), on this container's app. */
export const handler = revokeCertificateEndpoint(productionApp);
