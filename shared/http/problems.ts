import { CodedError, type FieldProblem } from '../domain/coded-error.ts';
import type { DomainErrorCode } from '../domain/errors.ts';
import type { ProblemDocument as ProblemDocumentContract } from '../domain/schemas/api.ts';

interface CatalogEntry {
  status: number;
  title: string;
}

/**
 * RFC 9457 problem documents. Every problem the API answers has one of these codes, and this
 * table is the single place that gives a code its HTTP status and title. Every domain error
 * code must have an entry (the `satisfies` clause refuses to compile otherwise). Coded errors
 * of other classes (crypto, signer, transparency...) are the service's own faults and are
 * answered as `internal-error`, or as `service-unavailable` when they are retryable.
 */
export const problemCatalog = {
  'malformed-json': { status: 400, title: 'The request body is not valid JSON' },
  'validation-failed': { status: 400, title: 'The request does not match the schema' },
  unauthorized: { status: 401, title: 'A valid bearer token is required' },
  'insufficient-scope': { status: 403, title: 'The token does not carry a scope this route requires' },
  forbidden: { status: 403, title: 'This identity may not perform this operation' },
  'exchange-not-registered': { status: 403, title: 'The client is not a registered data exchange' },
  'exchange-suspended': { status: 403, title: 'The data exchange is suspended' },
  'certificate-not-found': { status: 404, title: 'No such certificate' },
  'status-list-not-found': { status: 404, title: 'No such status list' },
  'not-found': { status: 404, title: 'No such resource' },
  'method-not-allowed': { status: 405, title: 'Method not allowed on this resource' },
  'transaction-conflict': {
    status: 409,
    title: 'This transaction already has a certificate issued from a different request',
  },
  'already-revoked': { status: 409, title: 'The certificate is already revoked' },
  'supersede-target-invalid': { status: 409, title: 'The certificate to supersede cannot be superseded' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'The request body must be application/json' },
  'compliance-rule-violation': { status: 422, title: 'The transaction violates compliance rules' },
  'internal-error': { status: 500, title: 'Internal error' },
  'service-unavailable': { status: 503, title: 'The service is temporarily unavailable' },
} as const satisfies Record<DomainErrorCode, CatalogEntry> & Record<string, CatalogEntry>;

export type ProblemCode = keyof typeof problemCatalog;

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
    detail: string,
    errors: FieldProblem[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(code, detail, { errors, retryable: code === 'service-unavailable' });
  }
}

function problemDocument(code: ProblemCode, detail: string, errors: readonly FieldProblem[]): ProblemDocument {
  const entry = problemCatalog[code];
  return {
    type: problemType(code),
    title: entry.title,
    status: entry.status,
    detail,
    code,
    errors: errors.map((e) => ({ pointer: e.pointer, message: e.message, ...(e.code ? { code: e.code } : {}) })),
  };
}

/** A structured API Gateway result carrying a problem document. */
export function problemResponse(
  code: ProblemCode,
  detail: string,
  errors: readonly FieldProblem[] = [],
  headers: Record<string, string> = {},
): { statusCode: number; headers: Record<string, string>; body: string } {
  const doc = problemDocument(code, detail, errors);
  return {
    statusCode: doc.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(doc),
  };
}
