import { randomBytes } from 'node:crypto';
import type { IssueRequest } from '#shared/domain/schemas/issue-request.ts';
import { validIssueRequest } from '../fixtures/issue-request.ts';

/**
 * Issue requests that are valid against the real clock. The handlers judge the time rules by
 * `new Date()`, so the fixed-time fixture is moved around `now`: traded a day ago, assessed two
 * days ago, usage window from now (to the second) for a year.
 */

const DAY_MS = 86_400_000;
let counter = 0;

/** RFC 3339 UTC to the second, as exchanges send it (`2026-11-20T08:30:00Z`). */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * A `transactionRef` no other call in this or any earlier run produces (process id, time and
 * randomness), within the alphabet of `TRANSACTION_REF_PATTERN` (`domain/transaction-ref.ts`).
 */
export function uniqueTransactionRef(prefix = 'IT'): string {
  counter += 1;
  return `${prefix}-${process.pid.toString(36)}-${Date.now().toString(36)}-${counter}-${randomBytes(3).toString('hex')}`;
}

/**
 * A request that passes every schema and compliance rule at `now`, with a fresh
 * `transactionRef` on every call. `overrides` replace top-level members (after the times are set),
 * so a test states only what it changes.
 */
export function issueRequestAt(now: Date, overrides: Partial<IssueRequest> = {}): IssueRequest {
  const t = now.getTime();
  if (Number.isNaN(t)) throw new TypeError('issueRequestAt: now must be a valid Date');
  const request = validIssueRequest();
  request.transactionRef = uniqueTransactionRef();
  request.tradedAt = isoSeconds(t - DAY_MS);
  request.compliance.assessedAt = isoSeconds(t - 2 * DAY_MS);
  request.usage.validFrom = isoSeconds(t);
  request.usage.validUntil = isoSeconds(t + 365 * DAY_MS);
  return { ...request, ...overrides };
}
