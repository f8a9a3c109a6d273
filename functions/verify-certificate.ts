import { createHash } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { appContainer } from '#shared/app/container.ts';
import { VerifyRequestSchema } from '#shared/domain/schemas/api.ts';
import { httpRoute } from '#shared/http/handler.ts';
import { verifyPresentedToken } from '#shared/services/verify-certificate.ts';

const app = appContainer();

/** `?log=true` asks for the transparency log's view too (a few more reads, so only on request). */
const VerifyQuerySchema = z.object({ log: z.enum(['true', 'false']).optional() });

/**
 * `POST /v1/verify`: anyone checks a certificate token against the published keys and its status;
 * with `?log=true`, also the certificate's log indexes and whether their inclusion proofs check
 * against the current checkpoint.
 */
export const handler = httpRoute(
  { name: 'verify-certificate', access: 'public', body: VerifyRequestSchema, query: VerifyQuerySchema },
  () => app,
  async ({ body, query, now }) => {
    const result = await verifyPresentedToken(
      { store: app.store, keys: app.verificationKeys, clockSkewSeconds: app.config.DCC_CLOCK_SKEW_SECONDS },
      body.token,
      now,
    );
    if (query.log === 'true' && result.certificate && result.checks.some((c) => c.name === 'registered' && c.ok)) {
      const id = result.certificate.id.replace(/^urn:uuid:/, '');
      const log = await app.log.reader.inclusion(id, createHash('sha256').update(body.token, 'utf8').digest('hex'));
      if (log) Object.assign(result, { log });
    }
    app.metrics.addMetric(result.verified ? 'CertificatesVerified' : 'VerificationFailures', MetricUnit.Count, 1);
    return { status: 200, json: result, headers: { 'cache-control': 'no-store' } };
  },
);
