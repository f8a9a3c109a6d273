import type { RecordIssueResult } from '../domain/certificate-changes.ts';
import { CodedError } from '../domain/coded-error.ts';
import type { AuditEvent, Exchange, RevocationReason, StatusListPosition, StoredCertificate } from '../domain/records.ts';

export type { RecordIssueResult };

/** What {@link CertificateStore.revoke} is asked to do. */
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
   * Writes the certificate, its transaction key and its `issued` audit event atomically; a
   * transaction that already has a certificate answers `replayed` or `conflict`
   * (`replayOrConflict` in the domain). With `supersede`, the superseded certificate is revoked
   * (reason `superseded`) in the same transaction, dated `supersede.at` or its own issuance if
   * that is later; it must be active and belong to the same exchange (`supersedeProblem`), else
   * DomainError `supersede-target-invalid`. Throws
   * {@link UniqueValueTakenError} in the astronomically rare case that the fresh id or
   * certificate number is already taken: sign again with new values.
   */
  recordIssue(
    certificate: StoredCertificate,
    supersede: { certificateId: string; at: string } | null,
  ): Promise<RecordIssueResult>;
  get(certificateId: string): Promise<StoredCertificate | null>;
  /** The certificate with this certificate number, or null. */
  findByNumber(certificateNo: string): Promise<StoredCertificate | null>;
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
  /**
   * Registers or updates an exchange and its client ids (idempotent). Throws
   * {@link ClientIdTakenError}, having written nothing, when a client id already acts for
   * another exchange.
   */
  putExchange(exchange: Exchange): Promise<void>;
}

/** An OAuth client id that already acts for another exchange; nothing was written. */
export class ClientIdTakenError extends CodedError<'client-id-taken'> {
  override readonly name = 'ClientIdTakenError';
  constructor(
    readonly clientId: string,
    readonly exchangeId: string,
  ) {
    super('client-id-taken', `Client id ${clientId} already acts for exchange ${exchangeId}.`);
  }
}

/**
 * A value that must be unique (a fresh certificate id or certificate number) is already taken.
 * Nothing was written; the same request with newly generated values will succeed, so it is
 * retryable: the issue service signs again with new values a few times, and if the collisions
 * outlast that, the client is told to retry (503), which is safe because issuing is idempotent
 * per transaction.
 */
export class UniqueValueTakenError extends CodedError<'unique-value-taken'> {
  override readonly name = 'UniqueValueTakenError';
  constructor(
    readonly field: 'id' | 'certificateNo',
    readonly value: string,
  ) {
    super('unique-value-taken', `The freshly generated ${field} ${value} is already taken.`, { retryable: true });
  }
}

/**
 * Port: the selectively disclosable forms (SD-JWT) of certificates, issued on request only, at
 * most one per certificate and holder key, and never changed once stored: asking again returns
 * the same bytes. `holder` is the holder key's RFC 7638 thumbprint, or {@link UNBOUND_HOLDER}
 * for the form bound to no key.
 */
export interface SdJwtStore {
  /** The stored form of the certificate for `holder`, or null when none was issued. */
  getSdJwt(certificateId: string, holder: string): Promise<string | null>;
  /**
   * Stores `sdJwt` on the condition that the pair has no form yet. When it has one (a concurrent
   * request got there first), nothing is written and the stored form is returned instead, so
   * every caller ends up with the same bytes.
   */
  putSdJwtOnce(certificateId: string, holder: string, sdJwt: string, createdAt: string): Promise<{ created: boolean; sdJwt: string }>;
}

/** The `holder` of a form bound to no holder key (a thumbprint is 43 base64url characters, never this). */
export const UNBOUND_HOLDER = 'unbound';
