import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { appContainer } from '#shared/app/container.ts';
import { CertificatePathSchema, RevokeRequestSchema } from '#shared/domain/schemas/api.ts';
import { httpRoute } from '#shared/http/handler.ts';
import { requirePrincipal } from '#shared/http/principal.ts';
import { toCertificateRecord } from '#shared/services/certificate-record.ts';

const app = appContainer();

/** `POST /v1/certificates/{id}/revoke`: an admin revokes a certificate, finally. */
export const handler = httpRoute(
  { name: 'revoke-certificate', access: ['admin'], path: CertificatePathSchema, body: RevokeRequestSchema },
  () => app,
  async ({ path, body, principal, now }) => {
    const revoked = await app.store.revoke({
      certificateId: path.id,
      reason: body.reason,
      comment: body.comment ?? null,
      revokedAt: now.toISOString(),
      actor: requirePrincipal(principal).subject,
    });
    app.metrics.addMetric('CertificatesRevoked', MetricUnit.Count, 1);
    return { status: 200, json: toCertificateRecord(revoked), headers: { 'cache-control': 'no-store' } };
  },
);
