import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { appContainer } from '#shared/app/container.ts';
import { IssueRequestSchema } from '#shared/domain/schemas/issue-request.ts';
import { httpRoute } from '#shared/http/handler.ts';
import { requireExchange } from '#shared/http/principal.ts';
import { issueCertificate } from '#shared/services/issue-certificate.ts';

const app = appContainer();

/** `POST /v1/certificates`: a data exchange requests the certificate of a cleared transaction. */
export const handler = httpRoute(
  { name: 'issue-certificate', access: ['exchange'], body: IssueRequestSchema },
  () => app,
  async ({ body, principal, now }) => {
    const { config, store } = app;
    const result = await issueCertificate(
      {
        store,
        statusLists: app.stores.statusLists,
        signer: await app.signer(),
        issuer: config.DCC_ISSUER,
        statusListUrl: app.statusListUrl,
        clockSkewSeconds: config.DCC_CLOCK_SKEW_SECONDS,
        maxValidityDays: config.DCC_MAX_VALIDITY_DAYS,
      },
      requireExchange(principal),
      body,
      now,
    );
    app.metrics.addMetric(result.outcome === 'created' ? 'CertificatesIssued' : 'IssueReplays', MetricUnit.Count, 1);
    return {
      status: result.outcome === 'created' ? 201 : 200,
      json: result.record,
      headers: { location: `/v1/certificates/${result.record.id}`, 'cache-control': 'no-store' },
    };
  },
);
