/**
 * The constants the request schemas of the HTTP API (`api.ts`) are built from, which their
 * zod-free contracts (`api-check.ts`) check against too. This module imports no zod, so that a
 * route reaches them without building a schema.
 */

/**
 * Longest token `POST /v1/verify` accepts. A certificate with every field at its limit signs to
 * well under this (a test holds the builder to it); anything longer is not ours and is refused
 * before any work.
 */
export const MAX_TOKEN_LENGTH = 32_768;

/** The log events a proof may be asked for (`GET /v1/certificates/{id}/proof?event=…`), the default first. */
export const PROOF_EVENTS = ['issued', 'revoked'] as const;

/** The values of `?log=` on `POST /v1/verify`. */
export const VERIFY_LOG_VALUES = ['true', 'false'] as const;

/** Longest path under `/ns/` and `/v1/log/tile/` the routes look up. */
export const MAX_PROXY_LENGTH = 200;

/** A base64url P-256 coordinate: 32 bytes, unpadded. */
export const P256_COORDINATE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
