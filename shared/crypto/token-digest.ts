import { hash } from 'node:crypto';

/**
 * SHA-256 (lower-case hex) of a compact JWS exactly as signed: the `tokenSha256` of audit events
 * and transparency log entries, and what a verifier looks the token up by in the log. A compact
 * JWS is ASCII, so its UTF-8 bytes are its characters.
 */
export function tokenSha256(token: string): string {
  // The one-shot form: no Hash object per token.
  return hash('sha256', token, 'hex');
}
