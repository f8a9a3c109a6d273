import { appContainer } from '#shared/app/container.ts';
import { CertificatePathSchema } from '#shared/domain/schemas/api.ts';
import { httpRoute } from '#shared/http/handler.ts';
import { requirePrincipal } from '#shared/http/principal.ts';
import { readableCertificate } from '#shared/services/queries.ts';

const app = appContainer();

/** `GET /v1/certificates/{id}`: the issuing exchange, auditors and admins read a certificate. */
export const handler = httpRoute(
  { name: 'get-certificate', access: ['exchange', 'auditor', 'admin'], path: CertificatePathSchema },
  () => app,
  async ({ path, principal }) => {
    const certificate = await readableCertificate(app.store, requirePrincipal(principal), path.id);
    return { status: 200, json: certificate, headers: { 'cache-control': 'no-store' } };
  },
);
