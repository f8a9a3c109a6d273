import { CodedError, type FieldProblem } from '../domain/coded-error.ts';
import type { DomainErrorCode } from '../domain/errors.ts';
import type { ProblemDocument as ProblemDocumentContract } from '../domain/schemas/api-responses.ts';
import { DEFAULT_LOCALE, type Locale } from '../i18n/locale.ts';
import { problemMessages } from '../i18n/messages/problems.ts';
import type { LocalizedText } from '../i18n/translate.ts';

interface CatalogEntry {
  status: number;
  /** The English title; {@link problemTitle} gives it in the reader's language. */
  title: string;
}

/**
 * RFC 9457 problem documents. Every problem the API answers has one of these codes, and this
 * table is the single place that gives a code its HTTP status; its title, in each language, is
 * `title.<code>` of the problem catalogue (shared/i18n/messages/problems.ts), which
 * {@link problemTitle} refuses to compile without. Every domain error
 * code must have an entry (the `satisfies` clause refuses to compile otherwise). Coded errors
 * of other classes (crypto, signer, transparency...) are the service's own faults and are
 * answered as `internal-error`, or as `service-unavailable` when they are retryable.
 */
const problemStatuses = {
  'malformed-json': 400,
  'validation-failed': 400,
  unauthorized: 401,
  'insufficient-scope': 403,
  forbidden: 403,
  'exchange-not-registered': 403,
  'exchange-suspended': 403,
  'certificate-not-found': 404,
  'status-list-not-found': 404,
  'not-found': 404,
  'method-not-allowed': 405,
  'transaction-conflict': 409,
  'already-revoked': 409,
  'client-id-taken': 409,
  'supersede-target-invalid': 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'compliance-rule-violation': 422,
  'internal-error': 500,
  'service-unavailable': 503,
} as const satisfies Record<DomainErrorCode, number> & Record<string, number>;

export type ProblemCode = keyof typeof problemStatuses;

/** The title of `code` in `locale` (`code` and `type` never change with the language). */
export function problemTitle(code: ProblemCode, locale: Locale): string {
  return problemMessages[locale][`title.${code}`];
}

/** Each code's status and English title. */
export const problemCatalog = Object.fromEntries(
  (Object.keys(problemStatuses) as ProblemCode[]).map((code) => [code, { status: problemStatuses[code], title: problemTitle(code, 'en') }]),
) as { readonly [C in ProblemCode]: CatalogEntry };

/** The codes of refusals the HTTP layer decides itself; domain codes belong to `DomainError`. */
export type HttpProblemCode = Exclude<ProblemCode, DomainErrorCode>;

/** A problem document as the API serves it: the response contract, with a code of the catalog. */
export type ProblemDocument = ProblemDocumentContract & { code: ProblemCode };

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The `type` URI of a problem code: stable, documented in the README. */
function problemType(code: ProblemCode): string {
  return `urn:dcc:problem:${code}`;
}

/**
 * A refusal decided by the HTTP layer itself (no token, wrong media type, body too large, no
 * such resource), answered as a problem document with optional extra response headers
 * (e.g. `WWW-Authenticate`). Failures of the use cases and of the request's content are
 * `DomainError`s instead, so that each code is thrown by one class only.
 */
export class HttpProblem extends CodedError<HttpProblemCode> {
  override readonly name = 'HttpProblem';
  constructor(
    code: HttpProblemCode,
    detail: string | LocalizedText,
    errors: FieldProblem[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(code, detail, { errors, retryable: code === 'service-unavailable' });
  }
}

function problemDocument(code: ProblemCode, detail: string, errors: readonly FieldProblem[], locale: Locale): ProblemDocument {
  return {
    type: problemType(code),
    title: problemTitle(code, locale),
    status: problemStatuses[code],
    detail,
    code,
    errors: errors.map((e) => ({ pointer: e.pointer, message: e.message, ...(e.code ? { code: e.code } : {}) })),
  };
}

/**
 * A structured API Gateway result carrying a problem document in `locale` (negotiated from the
 * request's `Accept-Language`): title and detail in that language, `Content-Language` saying
 * which, `Vary: Accept-Language` so a cache keeps the languages apart. A detail given as a
 * catalogue entry is rendered in `locale`; a plain string is sent as it is.
 */
export function problemResponse(
  code: ProblemCode,
  detail: string | LocalizedText,
  errors: readonly FieldProblem[] = [],
  headers: Record<string, string> = {},
  locale: Locale = DEFAULT_LOCALE,
): { statusCode: number; headers: Record<string, string>; body: string } {
  const doc = problemDocument(code, typeof detail === 'string' ? detail : detail.render(locale), errors, locale);
  return {
    statusCode: doc.status,
    headers: {
      'content-type': PROBLEM_CONTENT_TYPE,
      'cache-control': 'no-store',
      'content-language': locale,
      vary: 'Accept-Language',
      ...headers,
    },
    body: JSON.stringify(doc),
  };
}
