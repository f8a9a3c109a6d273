import type { FieldProblem } from '../domain/errors.ts';

/**
 * RFC 9457 problem documents. Every error the API answers is one of these codes; the table below
 * is the single place that maps a code to its HTTP status and title.
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
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof problemCatalog;

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  errors: { pointer: string; message: string }[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The `type` URI of a problem code: stable, documented in the README. */
export function problemType(code: ProblemCode): string {
  return `urn:dcc:problem:${code}`;
}

/**
 * An error that is meant to reach the client as a problem document. Anything else thrown in a
 * handler becomes a generic 500 that reveals nothing.
 */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  readonly status: number;
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly errors: FieldProblem[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.status = problemCatalog[code].status;
  }

  toDocument(): ProblemDocument {
    return problemDocument(this.code, this.detail, this.errors);
  }
}

export function problemDocument(code: ProblemCode, detail: string, errors: FieldProblem[] = []): ProblemDocument {
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
  errors: FieldProblem[] = [],
  headers: Record<string, string> = {},
): { statusCode: number; headers: Record<string, string>; body: string } {
  const doc = problemDocument(code, detail, errors);
  return {
    statusCode: doc.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(doc),
  };
}
