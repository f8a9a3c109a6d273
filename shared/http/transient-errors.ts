import { CodedError } from '../domain/coded-error.ts';

/**
 * Errors of AWS dependencies that a retry of the same request can cure. Mapped to 503 with
 * Retry-After: because issuing is idempotent per transaction, the client's retry is always safe.
 */
const TRANSIENT_NAMES = new Set([
  // KMS
  'ThrottlingException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'LimitExceededException',
  // DynamoDB
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'TransactionConflictException',
  'TransactionInProgressException',
  'ThrottlingError',
  // SDK / network
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
]);

export interface Unavailable {
  name: string;
  retryAfterSeconds: number;
}

/**
 * Classifies `error` as transient (503) or not (null): a coded error marked `retryable` (the
 * service's own, e.g. a collision of freshly drawn identifiers that outlasted its retries), or
 * an AWS SDK or network error that a retry can cure.
 */
export function serviceUnavailable(error: unknown): Unavailable | null {
  if (error instanceof CodedError) return error.retryable ? { name: error.name, retryAfterSeconds: 1 } : null;
  if (typeof error !== 'object' || error === null) return null;
  const e = error as { name?: unknown; code?: unknown; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  const throttled = typeof e.$retryable === 'object' && e.$retryable !== null && (e.$retryable as { throttling?: boolean }).throttling === true;
  if (TRANSIENT_NAMES.has(name) || TRANSIENT_NAMES.has(code) || throttled || (e.$metadata?.httpStatusCode ?? 0) >= 500) {
    const label = name || code || 'unknown';
    return { name: label, retryAfterSeconds: throttled || name.includes('Throttl') ? 2 : 1 };
  }
  // A DynamoDB transaction cancelled for a throttle or a conflicting transaction is transient too.
  if (name === 'TransactionCanceledException') {
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    if (reasons.some((r) => r.Code === 'ThrottlingError' || r.Code === 'TransactionConflict' || r.Code === 'ProvisionedThroughputExceeded')) {
      return { name: 'TransactionCanceledException', retryAfterSeconds: 1 };
    }
  }
  return null;
}
