import { statusListUrl } from '#shared/app/container.ts';
import { certificateStores, policy } from '#shared/app/parts/certificates.ts';
import { signer } from '#shared/app/parts/signing.ts';
import { productionApp } from '#shared/app/production.ts';
import { issueCertificateEndpoint } from '#shared/http/endpoints/issue-certificate.ts';

/** The Lambda handler of route `issue-certificate` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = issueCertificateEndpoint(productionApp({ policy, signer, statusListUrl, stores: certificateStores }));
