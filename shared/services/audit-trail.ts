import { DomainError } from '../domain/errors.ts';
import { problemDetail } from '../i18n/messages/problems.ts';
import type { AuditEvent } from '../domain/records.ts';
import type * as z from 'zod/mini';
import type { AuditEventBody, AuditTrailSchema } from '../domain/schemas/api-responses.ts';
import type { CertificateStore } from '../ports/certificate-store.ts';

/** A certificate's audit trail as the API shows it (`AuditTrailSchema`), oldest change first. */
export type AuditTrail = z.infer<typeof AuditTrailSchema>;

/**
 * The audit trail of one certificate. Every certificate has at least its `issued` event, so an
 * empty trail means there is no such certificate: DomainError `certificate-not-found`.
 */
export async function auditTrail(store: Pick<CertificateStore, 'events'>, certificateId: string): Promise<AuditTrail> {
  const events = await store.events(certificateId);
  if (events.length === 0) throw new DomainError('certificate-not-found', problemDetail('detail.no-certificate', { id: certificateId }));
  return { certificateId, events: events.map(toAuditEventBody) };
}

/** The published part of an event; the log-outbox fields stay inside. */
function toAuditEventBody(e: AuditEvent): AuditEventBody {
  return { certificateId: e.certificateId, type: e.type, at: e.at, actor: e.actor, detail: e.detail };
}
