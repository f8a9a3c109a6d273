import { certificateStores } from '#shared/app/parts/certificates.ts';
import { productionApp } from '#shared/app/production.ts';
import { getCertificateByNumberEndpoint } from '#shared/http/endpoints/get-certificate-by-number.ts';

/** The Lambda handler of route `get-certificate-by-number` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = getCertificateByNumberEndpoint(productionApp({ stores: certificateStores }));
