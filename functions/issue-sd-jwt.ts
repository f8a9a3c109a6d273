import { certificateStores } from '#shared/app/parts/certificates.ts';
import { signer } from '#shared/app/parts/signing.ts';
import { productionApp } from '#shared/app/production.ts';
import { issueSdJwtEndpoint } from '#shared/http/endpoints/issue-sd-jwt.ts';

/** The Lambda handler of route `issue-sd-jwt` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = issueSdJwtEndpoint(productionApp({ signer, stores: certificateStores }));
