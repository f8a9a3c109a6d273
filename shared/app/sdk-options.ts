/**
 * Retries and timeouts of the AWS SDK, set against the functions' time budget (API Gateway
 * gives a request at most 30 s; our functions time out at 10 s).
 *
 * - KMS Sign normally answers in tens of milliseconds. 3 attempts with a 2 s request timeout keep
 *   the worst case (~6 s plus backoff) inside the function timeout, so a slow KMS ends as our own
 *   503 with Retry-After instead of a Lambda timeout the client cannot interpret.
 * - DynamoDB: 3 attempts, 1 s connection and 3 s request timeout. A timed-out transaction may have
 *   landed; that is safe because the retry is idempotent (the transaction key makes the second
 *   write a replay, not a second certificate).
 */
export function sdkClientOptions(service: 'kms' | 'dynamodb'): {
  maxAttempts: number;
  requestHandler: { connectionTimeout: number; requestTimeout: number };
} {
  return {
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: service === 'kms' ? 2_000 : 3_000 },
  };
}
