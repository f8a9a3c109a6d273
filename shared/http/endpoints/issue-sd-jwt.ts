import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type * as z from 'zod/mini';
import { CertificatePathContract, SdJwtRequestContract } from '../../domain/schemas/api-check.ts';
import type { SdJwtResponseSchema } from '../../domain/schemas/api-responses.ts';
import { issueSdJwt } from '../../services/issue-sd-jwt.ts';
import { type ApiHandler, httpRoute } from '../handler.ts';
import { requireExchange } from '../principal.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

/**
 * `POST /v1/certificates/{id}/sd-jwt`: the issuing exchange obtains the selectively disclosable
 * form of one of its certificates (`{"sdJwt": "<issuer-signed JWT>~<disclosure>~…~"}`), bound to
 * the optional `holderJwk`. 201 when this request signed it, 200 with the same bytes ever after;
 * another exchange's certificate is a 404, as one that does not exist. The body may be empty.
 */
export function issueSdJwtEndpoint(app: EndpointNeeds<'stores' | 'signer'>): ApiHandler {
  return httpRoute(
    { name: 'issue-sd-jwt', path: CertificatePathContract, body: SdJwtRequestContract, emptyBody: {} },
    () => app,
    async ({ path, body, principal, now }) => {
      const result = await issueSdJwt(
        { store: app.stores.certificates, sdJwts: app.stores.sdJwts, signer: app.signer },
        requireExchange(principal),
        path.id,
        body.holderJwk,
        now,
      );
      if (result.created) app.metrics.addMetric('SdJwtsIssued', MetricUnit.Count, 1);
      return { status: result.created ? 201 : 200, json: { sdJwt: result.sdJwt } satisfies z.output<typeof SdJwtResponseSchema>, headers: { 'cache-control': 'no-store' } };
    },
  );
}
