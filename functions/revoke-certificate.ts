import { certificateStores } from '#shared/app/parts/certificates.ts';
import { productionApp } from '#shared/app/production.ts';
import { revokeCertificateEndpoint } from '#shared/http/endpoints/revoke-certificate.ts';

/** The Lambda handler of route `revoke-certificate` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = revokeCertificateEndpoint(productionApp({ stores: certificateStores }));
