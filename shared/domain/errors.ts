import type { LocalizedText } from '../i18n/translate.ts';
import { CodedError, type FieldProblem } from './coded-error.ts';

export type { FieldProblem } from './coded-error.ts';

/**
 * The closed set of domain error codes: failures caused by the request or the state it meets,
 * never by the service itself. Each has its own status and title in the HTTP layer's problem
 * catalog; callers switch on `code`, never on the message.
 */
export const DOMAIN_ERROR_CODES = [
  'validation-failed',
  'compliance-rule-violation',
  'transaction-conflict',
  'already-revoked',
  'certificate-not-found',
  'supersede-target-invalid',
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/** An error caused by the request or the state it meets, never by the service itself. */
export class DomainError extends CodedError<DomainErrorCode> {
  override readonly name = 'DomainError';
  constructor(code: DomainErrorCode, message: string | LocalizedText, errors: FieldProblem[] = []) {
    super(code, message, { errors });
  }
}
