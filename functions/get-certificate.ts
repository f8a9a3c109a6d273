import { appContainer } from '#shared/app/container.ts';
import { CertificatePathSchema } from '#shared/domain/schemas/api.ts';
import { httpRoute } from '#shared/http/handler.ts';
import { requirePrincipal } from '#shared/http/principal.ts';
import { readableCertificate } from '#shared/services/queries.ts';

const app = appContainer();

/**
 * `GET /v1/certificates/{id}`: the issuing exchange, auditors and admins read a certificate,
 * with `log: { issued, revoked? }` once its changes are in the transparency log.
 */
export const handler = httpRoute(
  { name: 'get-certificate', access: ['exchange', 'auditor', 'admin'], path: CertificatePathSchema },
  () => app,
  async ({ path, principal }) => {
    // Read side by side: the log indexes are only shown once the certificate may be read.
    const [certificate, log] = await Promise.all([
      readableCertificate(app.store, requirePrincipal(principal), path.id),
      app.log.reader.indexes(path.id),
    ]);
    const record =
      log.issued === undefined
        ? certificate
        : { ...certificate, log: { issued: log.issued, ...(log.revoked !== undefined ? { revoked: log.revoked } : {}) } };
    return { status: 200, json: record, headers: { 'cache-control': 'no-store' } };
  },
);
