import { certificateStores, policy } from '#shared/app/parts/certificates.ts';
import { log } from '#shared/app/parts/log.ts';
import { verificationKeys } from '#shared/app/parts/signing.ts';
import { productionApp } from '#shared/app/production.ts';
import { verifyCertificateEndpoint } from '#shared/http/endpoints/verify-certificate.ts';

/** The Lambda handler of route `verify-certificate` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = verifyCertificateEndpoint(productionApp({ log, policy, stores: certificateStores, verificationKeys }));
