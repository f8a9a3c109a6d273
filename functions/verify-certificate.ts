import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { appContainer } from '#shared/app/container.ts';
import { VerifyRequestSchema } from '#shared/domain/schemas/api.ts';
import { httpRoute } from '#shared/http/handler.ts';
import { verifyPresentedToken } from '#shared/services/verify-certificate.ts';

const app = appContainer();

/** `POST /v1/verify`: anyone checks a certificate token against the published keys and its status. */
export const handler = httpRoute(
  { name: 'verify-certificate', access: 'public', body: VerifyRequestSchema },
  () => app,
  async ({ body, now }) => {
    const result = await verifyPresentedToken(
      { store: app.store, keys: app.verificationKeys, clockSkewSeconds: app.config.DCC_CLOCK_SKEW_SECONDS },
      body.token,
      now,
    );
    app.metrics.addMetric(result.verified ? 'CertificatesVerified' : 'VerificationFailures', MetricUnit.Count, 1);
    return { status: 200, json: result, headers: { 'cache-control': 'no-store' } };
  },
);
