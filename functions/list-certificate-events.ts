import { productionApp } from '#shared/app/production.ts';
import { listCertificateEventsEndpoint } from '#shared/http/endpoints/list-certificate-events.ts';

/** The Lambda handler of route `list-certificate-events` (see `shared/http/routes.ts`), on this container's app. */
export const handler = listCertificateEventsEndpoint(productionApp);
