import type { FieldProblem } from '../domain/errors.ts';
import type { AuditEvent, Exchange, RevocationReason, StatusListPosition, StoredCertificate } from '../domain/records.ts';

/** The result of trying to record a newly signed certificate. */
export type RecordIssueResult =
  | { outcome: 'created'; certificate: StoredCertificate }
  /** The same exchange and transactionRef with the same request hash: the stored one. */
  | { outcome: 'replayed'; certificate: StoredCertificate }
  /** The same exchange and transactionRef with a different request. */
  | { outcome: 'conflict'; existing: StoredCertificate };

export interface RevokeCommand {
  certificateId: string;
  reason: RevocationReason;
  comment: string | null;
  /** The clock's reading; the revocation is dated at it, or at the issuance if that is later. */
  revokedAt: string;
  actor: string;
}

/** Port: where certificates and their audit trails are stored. */
export interface CertificateStore {
  /**
   * Looks up a transaction before signing, so that a replay costs no signature.
   * Returns null when the transaction has no certificate yet.
   */
  findByTransaction(exchangeId: string, transactionRef: string): Promise<StoredCertificate | null>;
  /**
   * Writes the certificate, its transaction key and its `issued` audit event atomically.
   * With `supersede`, the superseded certificate is revoked (reason `superseded`) in the same
   * transaction, dated `supersede.at` or its own issuance if that is later; it must be active and
   * belong to the same exchange, else DomainError `supersede-target-invalid`. Throws
   * {@link UniqueValueTakenError} in the astronomically rare case that the fresh id or
   * certificate number is already taken: sign again with new values.
   */
  recordIssue(
    certificate: StoredCertificate,
    supersede: { certificateId: string; at: string } | null,
  ): Promise<RecordIssueResult>;
  get(certificateId: string): Promise<StoredCertificate | null>;
  /** Audit trail of one certificate in the order the changes happened (the issuance first). */
  events(certificateId: string): Promise<AuditEvent[]>;
  /**
   * Revokes an active certificate, dated no earlier than its issuance; throws DomainError
   * `already-revoked` / `certificate-not-found`.
   */
  revoke(command: RevokeCommand): Promise<StoredCertificate>;
}

/** Port: the positions of certificates in the status lists, and which of them are revoked. */
export interface StatusListStore {
  /** Reserves the next status-list position (amortised: one counter write per block). */
  reserveStatusListPosition(): Promise<StatusListPosition>;
  /**
   * The revoked indexes of one status list, and a version that changes when they do; null when
   * no position of that list was ever handed out (so unknown list ids cost no signature).
   */
  revokedIndexes(listId: string): Promise<{ indexes: number[]; version: string } | null>;
}

/** Port: the registry of data exchanges and the OAuth clients that act for them. */
export interface ExchangeStore {
  /** The exchange a token's OAuth client id acts for, or null when none is registered. */
  findExchangeByClientId(clientId: string): Promise<Exchange | null>;
  /** Registers or updates an exchange and its client ids (idempotent). */
  putExchange(exchange: Exchange): Promise<void>;
}

/**
 * A value that must be unique (a fresh certificate id or certificate number) is already taken.
 * Nothing was written; the same request with newly generated values will succeed, so callers
 * treat it as retryable (the client's own retry of the transaction is also safe).
 */
export class UniqueValueTakenError extends Error {
  override readonly name = 'UniqueValueTakenError';
  readonly retryable = true;
  constructor(
    readonly field: 'id' | 'certificateNo',
    readonly value: string,
  ) {
    super(`The freshly generated ${field} ${value} is already taken.`);
  }
}

export type { FieldProblem };
