/**
 * The records the service keeps: certificates as stored, their audit events, and the data
 * exchanges that request them. Plain data; the stores persist them as they are.
 */

/**
 * Why a certificate was revoked. Here rather than beside the API schemas (which re-export it) so
 * that the stores can name it without building those schemas at a function's cold start.
 */
export const RevocationReasons = [
  'unspecified',
  'issued-in-error',
  'superseded',
  'transaction-cancelled',
  'compliance-violation',
  'data-breach',
  'key-compromise',
] as const;

/** Why a certificate was revoked: one of `RevocationReasons`. */
export type RevocationReason = (typeof RevocationReasons)[number];

/** Status list ids are decimal strings ("0", "1", …). */
export const STATUS_LIST_ID_PATTERN = /^(0|[1-9]\d{0,8})$/;

export interface Revocation {
  reason: RevocationReason;
  /** RFC 3339 UTC time of the revocation. */
  revokedAt: string;
  comment: string | null;
}

/** Where a certificate sits in the status lists. */
export interface StatusListPosition {
  /** Identifier of the status list (a decimal string, "0", "1", …). */
  listId: string;
  /** Index of the certificate's bit within that list. */
  index: number;
}

/**
 * The stored certificate: what the API returns as the certificate record, plus the keys the
 * store needs. `token` is the compact JWS exactly as signed; it is never re-serialised.
 */
export interface StoredCertificate {
  id: string;
  certificateNo: string;
  exchangeId: string;
  transactionRef: string;
  /** SHA-256 (hex) of the canonical issue request, to tell a replay from a conflict. */
  requestHash: string;
  token: string;
  issuedAt: string;
  /** End of the usage window (RFC 3339); the certificate verifies as expired after it. */
  validUntil: string;
  status: 'active' | 'revoked';
  statusList: StatusListPosition;
  /** URL of the status list credential that holds this certificate's bit. */
  statusListCredential: string;
  revocation: Revocation | null;
  supersedes: string | null;
  supersededBy: string | null;
}

/**
 * One entry of a certificate's audit trail: one per change, never for replays or refusals.
 * Self-contained, because the transparency log reads events as its outbox: everything a log
 * entry needs is here, without reading the certificate.
 */
export interface AuditEvent {
  certificateId: string;
  type: 'issued' | 'revoked' | 'superseded';
  at: string;
  /** Who caused the change: the exchange id for issues, the admin subject for revocations. */
  actor: string;
  /**
   * issued: `transactionRef`, `supersedes`; revoked: `reason`, `comment`;
   * superseded: `reason` (`superseded`) and `supersededBy` (the new certificate's id).
   */
  detail: Record<string, string | null>;
  certificateNo: string;
  /** The certificate's status list position (the log entry carries `statusListIndex`). */
  statusListId: string;
  statusListIndex: number;
  /** SHA-256 (lowercase hex) of the compact JWS, as the log entry's `tokenSha256`. */
  tokenSha256: string;
}

/** Exchange ids: lower-case letters, digits and hyphens, 2–63 characters, not starting with `-`. */
export const EXCHANGE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** Registered data exchange (the issuing client), resolved from the token's client id. */
export interface Exchange {
  id: string;
  name: string;
  /** OAuth client ids whose tokens act for this exchange. */
  clientIds: string[];
  status: 'active' | 'suspended';
}
