import { productionApp } from '#shared/app/production.ts';
import { getCertificateByNumberEndpoint } from '#shared/http/endpoints/get-certificate-by-number.ts';

/** The Lambda handler of route `get-certificate-by-number` (see `shared/http/routes.ts`), on this container's app. */
export const handler = getCertificateByNumberEndpoint(productionApp);
