import { certificateStores } from '#shared/app/parts/certificates.ts';
import { log } from '#shared/app/parts/log.ts';
import { productionApp } from '#shared/app/production.ts';
import { getCertificateEndpoint } from '#shared/http/endpoints/get-certificate.ts';

/** The Lambda handler of route `get-certificate` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = getCertificateEndpoint(productionApp({ log, stores: certificateStores }));
