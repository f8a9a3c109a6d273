import { log } from '#shared/app/parts/log.ts';
import { productionApp } from '#shared/app/production.ts';
import { getCertificateProofEndpoint } from '#shared/http/endpoints/get-certificate-proof.ts';

/** The Lambda handler of route `get-certificate-proof` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = getCertificateProofEndpoint(productionApp({ log }));
