import { certificateStores } from '#shared/app/parts/certificates.ts';
import { productionApp } from '#shared/app/production.ts';
import { findCertificatesEndpoint } from '#shared/http/endpoints/find-certificates.ts';

/** The Lambda handler of route `find-certificates` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = findCertificatesEndpoint(productionApp({ stores: certificateStores }));
