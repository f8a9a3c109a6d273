import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { CertificatePathContract, RevokeRequestContract } from '../../domain/schemas/api-check.ts';
import { revokeCertificate } from '../../services/revoke-certificate.ts';
import { type ApiHandler, httpRoute } from '../handler.ts';
import { requirePrincipal } from '../principal.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

/** `POST /v1/certificates/{id}/revoke`: an admin revokes a certificate, finally. */
export function revokeCertificateEndpoint(app: EndpointNeeds<'stores'>): ApiHandler {
  return httpRoute(
    { name: 'revoke-certificate', path: CertificatePathContract, body: RevokeRequestContract },
    () => app,
    async ({ path, body, principal, now }) => {
      const record = await revokeCertificate(
        app.stores.certificates,
        { certificateId: path.id, reason: body.reason, comment: body.comment ?? null, actor: requirePrincipal(principal).subject },
        now,
      );
      app.metrics.addMetric('CertificatesRevoked', MetricUnit.Count, 1);
      return { status: 200, json: record, headers: { 'cache-control': 'no-store' } };
    },
  );
}
