import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { IssueRequestContract } from '../../domain/schemas/issue-request-check.ts';
import { issueCertificate } from '../../services/issue-certificate.ts';
import { type ApiHandler, httpRoute } from '../handler.ts';
import { requireExchange } from '../principal.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

/** `POST /v1/certificates`: a data exchange requests the certificate of a cleared transaction. */
export function issueCertificateEndpoint(app: EndpointNeeds<'stores' | 'signer' | 'statusListUrl' | 'policy'>): ApiHandler {
  return httpRoute({ name: 'issue-certificate', body: IssueRequestContract }, () => app, async ({ body, principal, now }) => {
    const result = await issueCertificate(
      {
        store: app.stores.certificates,
        statusLists: app.stores.statusLists,
        signer: await app.signer(),
        issuer: app.policy.issuer,
        statusListUrl: app.statusListUrl,
        clockSkewSeconds: app.policy.clockSkewSeconds,
        maxValidityDays: app.policy.maxValidityDays,
        vocabulary: app.policy.vocabulary,
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
  });
}
