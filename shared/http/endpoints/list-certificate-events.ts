import type * as z from 'zod/mini';
import { CertificatePathContract } from '../../domain/schemas/api-check.ts';
import type { AuditTrailSchema } from '../../domain/schemas/api-responses.ts';
import { auditTrail } from '../../services/audit-trail.ts';
import { type ApiHandler, httpRoute } from '../handler.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

/** `GET /v1/certificates/{id}/events`: the audit trail, oldest first, for auditors and admins. */
export function listCertificateEventsEndpoint(app: EndpointNeeds<'stores'>): ApiHandler {
  return httpRoute({ name: 'list-certificate-events', path: CertificatePathContract }, () => app, async ({ path }) => ({
    status: 200,
    json: (await auditTrail(app.stores.certificates, path.id)) satisfies z.output<typeof AuditTrailSchema>,
    headers: { 'cache-control': 'no-store' },
  }));
}
