import { CertificatePathContract } from '../../domain/schemas/api-check.ts';
import type { CertificateRecord } from '../../domain/schemas/api-responses.ts';
import { readableCertificate } from '../../services/queries.ts';
import { type ApiHandler, httpRoute } from '../handler.ts';
import { requirePrincipal } from '../principal.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

/**
 * `GET /v1/certificates/{id}`: the issuing exchange, auditors and admins read a certificate,
 * with `log: { issued, revoked? }` once its changes are in the transparency log.
 */
export function getCertificateEndpoint(app: EndpointNeeds<'stores' | 'log'>): ApiHandler {
  return httpRoute({ name: 'get-certificate', path: CertificatePathContract }, () => app, async ({ path, principal }) => {
    // Read side by side: the log indexes are only shown once the certificate may be read.
    const [certificate, log] = await Promise.all([
      readableCertificate(app.stores.certificates, requirePrincipal(principal), path.id),
      app.log.reader.indexes(path.id),
    ]);
    const record: CertificateRecord =
      log.issued === undefined
        ? certificate
        : { ...certificate, log: { issued: log.issued, ...(log.revoked !== undefined ? { revoked: log.revoked } : {}) } };
    return { status: 200, json: record, headers: { 'cache-control': 'no-store' } };
  });
}
