import { productionApp } from '#shared/app/production.ts';
import { issueCertificateEndpoint } from '#shared/http/endpoints/issue-certificate.ts';

/** The Lambda handler of route `issue-certificate` (see `shared/http/routes.ts`), on this container's app. */
export const handler = issueCertificateEndpoint(productionApp);
