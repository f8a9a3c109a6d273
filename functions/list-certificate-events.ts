import { certificateStores } from '#shared/app/parts/certificates.ts';
import { productionApp } from '#shared/app/production.ts';
import { listCertificateEventsEndpoint } from '#shared/http/endpoints/list-certificate-events.ts';

/** The Lambda handler of route `list-certificate-events` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = listCertificateEventsEndpoint(productionApp({ stores: certificateStores }));
