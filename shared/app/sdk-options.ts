/**
 * Retries and timeouts of the AWS SDK (`target: 'local'` is DynamoDB Local in local mode), set against the functions' time budget: the functions
 * time out at 10 s (API Gateway would wait 30 s). A dependency that fails or hangs must end as
 * our own 503 with Retry-After, which the client knows to retry, and never as a Lambda timeout,
 * which reaches the client as a bare 5xx without a problem document.
 *
 * How the budget is spent (per attempt the request timeout covers the connection too, because
 * the SDK starts both timers together; backoff between attempts is at most 2^attempt × 100 ms,
 * or × 500 ms for throttling, whose answers come back at once):
 *
 * - `throwOnRequestTimeout: true` is what makes `requestTimeout` a timeout at all. Without it,
 *   this SDK version only logs a warning when the time is up and keeps waiting: a KMS that
 *   accepted the connection and never answered held the function until Lambda killed it (a
 *   fault-injection test, `test/reliability/faults.test.ts`, caught exactly that).
 * - KMS `Sign` answers in tens of milliseconds. 2 attempts of at most 1.5 s: ≤ 3.2 s. A third
 *   attempt would not fit next to DynamoDB's share; a throttled KMS is better answered with
 *   503 + Retry-After (the client's retry is safe) than by waiting longer inside the function.
 * - DynamoDB answers in single-digit milliseconds. 3 attempts of at most 1.5 s: ≤ 5.1 s.
 * - The issue path on the happy path is one `Sign` and one `TransactWriteItems`: ≤ 8.3 s, inside
 *   10 s with room for the handler itself. Revoke (GetItem + TransactWriteItems) and the status
 *   list (Query + Sign) are within the same bound; verify is a single GetItem. The rare extra
 *   calls (a status-list block reservation once per 256 certificates, a supersede's read) can
 *   exceed it only when DynamoDB is already failing; even then nothing is half-written, because
 *   each of those calls is a single atomic item update and the certificate itself is one
 *   transaction.
 * - A timed-out transaction may have landed. That is safe: the store gives each transaction call
 *   its own `ClientRequestToken`, which the SDK's retries carry, so DynamoDB answers a retry from
 *   the landed write; where it cannot (the client's own retry, a new call) the conditions make the
 *   second write a replay of the stored certificate, never a second certificate.
 */
export function sdkClientOptions(
  service: 'kms' | 'dynamodb',
  target: 'aws' | 'local' = 'aws',
): {
  maxAttempts: number;
  requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: true };
} {
  if (target === 'local') {
    // DynamoDB Local is a JVM on the same, often busy, machine: a JIT or GC pause can stall it
    // for seconds, which is not the failure the AWS budget above guards against. 2 attempts of
    // 4 s stay inside the local adapter's 10 s function timeout.
    return { maxAttempts: 2, requestHandler: { connectionTimeout: 1_000, requestTimeout: 4_000, throwOnRequestTimeout: true } };
  }
  return service === 'kms'
    ? { maxAttempts: 2, requestHandler: { connectionTimeout: 500, requestTimeout: 1_500, throwOnRequestTimeout: true } }
    : { maxAttempts: 3, requestHandler: { connectionTimeout: 500, requestTimeout: 1_500, throwOnRequestTimeout: true } };
}
