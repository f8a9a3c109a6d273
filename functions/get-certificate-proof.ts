import { productionApp } from '#shared/app/production.ts';
import { getCertificateProofEndpoint } from '#shared/http/endpoints/get-certificate-proof.ts';

/** The Lambda handler of route `get-certificate-proof` (see `shared/http/routes.ts`), on this container's app. */
export const handler = getCertificateProofEndpoint(productionApp);
