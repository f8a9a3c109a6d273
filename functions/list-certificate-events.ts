import { appContainer } from '#shared/app/container.ts';
import { type AuditEventBody, CertificatePathSchema } from '#shared/domain/schemas/api.ts';
import { httpRoute } from '#shared/http/handler.ts';
import { HttpProblem } from '#shared/http/problems.ts';
import type { AuditEvent } from '#shared/domain/records.ts';

const app = appContainer();

/** `GET /v1/certificates/{id}/events`: the audit trail, oldest first, for auditors and admins. */
export const handler = httpRoute(
  { name: 'list-certificate-events', access: ['auditor', 'admin'], path: CertificatePathSchema },
  () => app,
  async ({ path }) => {
    const events = await app.store.events(path.id);
    if (events.length === 0) {
      // Every certificate has at least its `issued` event.
      throw new HttpProblem('certificate-not-found', `No certificate ${path.id}.`);
    }
    return {
      status: 200,
      json: { certificateId: path.id, events: events.map(toAuditEventBody) },
      headers: { 'cache-control': 'no-store' },
    };
  },
);

/** The trail as `AuditTrailSchema` publishes it; the log-outbox fields stay inside. */
function toAuditEventBody(e: AuditEvent): AuditEventBody {
  return { certificateId: e.certificateId, type: e.type, at: e.at, actor: e.actor, detail: e.detail };
}
