import { DomainError } from './errors.ts';
import { problemDetail } from '../i18n/messages/problems.ts';
import type { StoredCertificate } from './records.ts';

/**
 * The rules that decide what recording a certificate's change means: whether a second issue of
 * a transaction is a replay or a conflict, which certificates a correction may supersede, and
 * which may be revoked. The store applies them to what its reads and failed conditions return;
 * the rules themselves need no storage.
 */

/** The result of trying to record a newly signed certificate. */
export type RecordIssueResult =
  | { outcome: 'created'; certificate: StoredCertificate }
  /** The same exchange and transactionRef with the same request hash: the stored one. */
  | { outcome: 'replayed'; certificate: StoredCertificate }
  /** The same exchange and transactionRef with a different request. */
  | { outcome: 'conflict'; existing: StoredCertificate };

/**
 * What a transaction that already has a certificate answers: the same request (same hash) is a
 * replay and gets the stored certificate back, byte for byte; any other request is a conflict.
 */
export function replayOrConflict(existing: StoredCertificate, attempted: StoredCertificate): RecordIssueResult {
  return existing.requestHash === attempted.requestHash
    ? { outcome: 'replayed', certificate: existing }
    : { outcome: 'conflict', existing };
}

/** Why a certificate cannot be superseded (the `code` of the field problem at `/supersedes`). */
export type SupersedeProblem = 'not-found' | 'other-exchange' | 'not-active';

/**
 * Whether `target` may be superseded by a certificate of exchange `exchangeId`: it must exist,
 * belong to that exchange (nobody corrects another exchange's certificate) and still be active.
 * Null when it may.
 */
export function supersedeProblem(target: StoredCertificate | null, exchangeId: string): SupersedeProblem | null {
  if (!target) return 'not-found';
  if (target.exchangeId !== exchangeId) return 'other-exchange';
  if (target.status !== 'active') return 'not-active';
  return null;
}

/** The refusal of a correction whose target `id` cannot be superseded. */
export function supersedeInvalid(id: string, problem: SupersedeProblem): DomainError {
  const detail = problemDetail(`detail.supersede.${problem}`, { id });
  return new DomainError('supersede-target-invalid', detail, [{ pointer: '/supersedes', message: detail.render('en'), code: problem }]);
}

/**
 * What recording a correction does with its target, given the target as read just before the
 * write:
 * - `supersede`: revoke the target in the same write as the issue;
 * - `same-transaction`: the target is the stored certificate of the correction's own
 *   transaction, so the correction is a replay or a conflict of it ({@link replayOrConflict});
 * - `invalid`: the target cannot be superseded. A replay of a correction that succeeded meets
 *   its target already superseded, so the store first asks whether the transaction already has
 *   a certificate (then {@link replayOrConflict} answers) and refuses only if it has none.
 */
export type SupersedeStep =
  | { step: 'supersede'; target: StoredCertificate }
  | { step: 'same-transaction'; stored: StoredCertificate }
  | { step: 'invalid'; problem: SupersedeProblem };

/** Decides the {@link SupersedeStep} of `certificate`, a correction of `target`. */
export function supersedeStep(target: StoredCertificate | null, certificate: StoredCertificate): SupersedeStep {
  const problem = supersedeProblem(target, certificate.exchangeId);
  if (problem || !target) return { step: 'invalid', problem: problem ?? 'not-found' };
  // The same transaction key: its stored copy is the target itself.
  if (target.transactionRef === certificate.transactionRef) return { step: 'same-transaction', stored: target };
  return { step: 'supersede', target };
}

/**
 * Checks a certificate about to be recorded: it is new (active, unrevoked, not superseded),
 * names the same target as the supersede command, carries the URL of its own status list, and
 * does not supersede itself. The first three are programming errors (TypeError: the issue
 * service builds these values); a certificate naming itself is a target that does not exist yet.
 */
export function checkNewCertificate(
  certificate: StoredCertificate,
  supersede: { certificateId: string } | null,
  statusListUrl: (listId: string) => string,
): void {
  const c = certificate;
  if (c.status !== 'active' || c.revocation !== null || c.supersededBy !== null) {
    throw new TypeError('A new certificate is active, unrevoked and not superseded.');
  }
  if ((supersede?.certificateId ?? null) !== c.supersedes) {
    throw new TypeError('certificate.supersedes and the supersede command must name the same certificate.');
  }
  const url = statusListUrl(c.statusList.listId);
  if (c.statusListCredential !== url) {
    throw new TypeError(`statusListCredential ${c.statusListCredential} is not the URL of list ${c.statusList.listId} (${url}).`);
  }
  if (supersede?.certificateId === c.id) throw supersedeInvalid(c.id, 'not-found');
}

/** No certificate `id` exists. */
export function certificateNotFound(id: string): DomainError {
  return new DomainError('certificate-not-found', problemDetail('detail.no-certificate', { id }));
}

/** `certificate` is revoked already: revocation is final, a second one is refused. */
export function alreadyRevoked(certificate: StoredCertificate): DomainError {
  const { id, revocation } = certificate;
  return new DomainError(
    'already-revoked',
    revocation
      ? problemDetail('detail.already-revoked-when', { id, reason: revocation.reason, revokedAt: revocation.revokedAt })
      : problemDetail('detail.already-revoked', { id }),
  );
}

/**
 * Only an existing, active certificate may be revoked: throws {@link certificateNotFound} when
 * `current` (read under `id`) is null and {@link alreadyRevoked} when it is revoked.
 */
export function assertRevocable(current: StoredCertificate | null, id: string): asserts current is StoredCertificate {
  if (!current) throw certificateNotFound(id);
  if (current.status === 'revoked') throw alreadyRevoked(current);
}
