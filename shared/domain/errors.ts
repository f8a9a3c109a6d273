/**
 * The closed set of domain error codes. Each maps to one HTTP status and problem document in
 * the HTTP layer's error table; callers switch on `code`, never on the message.
 */
export type DomainErrorCode =
  | 'validation-failed'
  | 'compliance-rule-violation'
  | 'transaction-conflict'
  | 'already-revoked'
  | 'certificate-not-found'
  | 'supersede-target-invalid';

/** One problem at one place in the input, named by an RFC 6901 JSON pointer. */
export interface FieldProblem {
  pointer: string;
  message: string;
  /** Stable machine-readable code for the violated rule, where there is one. */
  code?: string;
}

/** An error caused by the request or the state it meets, never by the service itself. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly errors: FieldProblem[] = [],
  ) {
    super(message);
  }
}
