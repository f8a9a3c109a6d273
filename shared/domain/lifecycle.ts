import { tokenSha256 } from '../crypto/token-digest.ts';
import type { AuditEvent, Revocation, RevocationReason, StoredCertificate } from './records.ts';

/**
 * The order of a certificate's life: it is issued once, then may be revoked or superseded once.
 * Changes are dated by the clock of whichever container makes them, and clocks of different
 * containers disagree by up to the skew the service tolerates; these rules keep the trail in the
 * order things happened whatever the clocks say.
 */

/** Kinds of change in a certificate's life, in the only order they can happen. */
export const LIFECYCLE = ['issued', 'revoked', 'superseded'] as const;
export type LifecycleChange = (typeof LIFECYCLE)[number];

/**
 * The time a change to an issued certificate is dated at: the clock's reading `now`, or the
 * certificate's issuance when the clock reads earlier (a revocation is never dated before the
 * certificate it revokes). Both are RFC 3339; the result is RFC 3339 UTC with milliseconds.
 */
export function changeTime(issuedAt: string, now: string): string {
  const issued = Date.parse(issuedAt);
  const at = Date.parse(now);
  if (Number.isNaN(issued) || Number.isNaN(at)) {
    throw new TypeError(`changeTime needs two RFC 3339 times, not ${JSON.stringify(issuedAt)} and ${JSON.stringify(now)}`);
  }
  return new Date(Math.max(issued, at)).toISOString();
}

/**
 * A certificate's changes in the order they happened: the issuance first, then the others by
 * time. Rank before time, so a trail written while a clock ran behind still reads correctly.
 */
export function inLifecycleOrder<E extends { type: LifecycleChange; at: string }>(events: readonly E[]): E[] {
  const rank = (e: E) => (e.type === 'issued' ? 0 : 1);
  return [...events].sort((a, b) => rank(a) - rank(b) || Date.parse(a.at) - Date.parse(b.at));
}

/** A change of `certificate` as its audit trail (and the transparency log's outbox) records it. */
function auditEvent(
  certificate: StoredCertificate,
  type: LifecycleChange,
  at: string,
  actor: string,
  detail: Record<string, string | null>,
): AuditEvent {
  return {
    certificateId: certificate.id,
    type,
    at,
    actor,
    detail,
    certificateNo: certificate.certificateNo,
    statusListId: certificate.statusList.listId,
    statusListIndex: certificate.statusList.index,
    tokenSha256: tokenSha256(certificate.token),
  };
}

/** The `issued` event of a new certificate: at its issuance, by the exchange that asked for it. */
export function issuedEvent(certificate: StoredCertificate): AuditEvent {
  return auditEvent(certificate, 'issued', certificate.issuedAt, certificate.exchangeId, {
    transactionRef: certificate.transactionRef,
    supersedes: certificate.supersedes,
  });
}

/** A revocation and its audit event, dated by {@link changeTime}. */
export interface RevocationChange {
  revocation: Revocation;
  event: AuditEvent;
}

/** `certificate` revoked by `actor` for `reason`, the clock reading `now`. */
export function revocationOf(
  certificate: StoredCertificate,
  order: { reason: RevocationReason; comment: string | null; actor: string; now: string },
): RevocationChange {
  const revokedAt = changeTime(certificate.issuedAt, order.now);
  return {
    revocation: { reason: order.reason, revokedAt, comment: order.comment },
    event: auditEvent(certificate, 'revoked', revokedAt, order.actor, { reason: order.reason, comment: order.comment }),
  };
}

/** `old` superseded by the correction `by`, issued by the same exchange, the clock reading `now`. */
export function supersessionOf(old: StoredCertificate, by: StoredCertificate, now: string): RevocationChange {
  const revokedAt = changeTime(old.issuedAt, now);
  return {
    revocation: { reason: 'superseded', revokedAt, comment: null },
    event: auditEvent(old, 'superseded', revokedAt, by.exchangeId, { reason: 'superseded', supersededBy: by.id }),
  };
}
