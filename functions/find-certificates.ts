import { productionApp } from '#shared/app/production.ts';
import { findCertificatesEndpoint } from '#shared/http/endpoints/find-certificates.ts';

/** The Lambda handler of route `find-certificates` (see `shared/http/routes.ts`), on this container's app. */
export const handler = findCertificatesEndpoint(productionApp);
