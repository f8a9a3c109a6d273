import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { VerifyQueryContract, VerifyRequestContract } from '../../domain/schemas/api-check.ts';
import { verifyPresentedToken } from '../../services/verify-certificate.ts';
import { type ApiHandler, httpRoute } from '../handler.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

/**
 * `POST /v1/verify`: anyone checks a certificate token, or a presentation of its selectively
 * disclosable form (with `aud` and `nonce` for a holder-bound one), against the published keys
 * and its status;
 * with `?log=true`, also the certificate's log indexes and whether their inclusion proofs check
 * against the current checkpoint.
 */
export function verifyCertificateEndpoint(app: EndpointNeeds<'stores' | 'verificationKeys' | 'log' | 'policy'>): ApiHandler {
  return httpRoute(
    { name: 'verify-certificate', body: VerifyRequestContract, query: VerifyQueryContract },
    () => app,
    async ({ body, query, now }) => {
      const result = await verifyPresentedToken(
        {
          store: app.stores.certificates,
          sdJwts: app.stores.sdJwts,
          keys: app.verificationKeys,
          clockSkewSeconds: app.policy.clockSkewSeconds,
          logInclusion: (id, sha256) => app.log.reader.inclusion(id, sha256),
        },
        body.token,
        now,
        {
          withLog: query.log === 'true',
          ...(body.aud !== undefined && body.nonce !== undefined ? { keyBinding: { aud: body.aud, nonce: body.nonce } } : {}),
        },
      );
      app.metrics.addMetric(result.verified ? 'CertificatesVerified' : 'VerificationFailures', MetricUnit.Count, 1);
      return { status: 200, json: result, headers: { 'cache-control': 'no-store' } };
    },
  );
}
