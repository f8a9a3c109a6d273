import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CryptoError, SignerError } from '#shared/crypto/errors.ts';
import { CodedError } from '#shared/domain/coded-error.ts';
import { DOMAIN_ERROR_CODES, DomainError } from '#shared/domain/errors.ts';
import { ProblemDocumentSchema } from '#shared/domain/schemas/api-responses.ts';
import { StatusListError } from '#shared/domain/status-list.ts';
import { errorToResponse, parseOrThrow } from '#shared/http/handler.ts';
import { HttpProblem, PROBLEM_CONTENT_TYPE, problemCatalog } from '#shared/http/problems.ts';
import { UniqueValueTakenError } from '#shared/ports/certificate-store.ts';
import { EntryError } from '#shared/transparency/entry.ts';
import { MerkleError } from '#shared/transparency/merkle.ts';
import { NoteError } from '#shared/transparency/note.ts';

/** The log lines `errorToResponse` writes, by level. */
function recordingLogger() {
  const lines: { level: 'info' | 'warn' | 'error'; message: string; extra: unknown }[] = [];
  const at = (level: 'info' | 'warn' | 'error') => (message: unknown, ...extra: unknown[]) => {
    lines.push({ level, message: String(message), extra: extra[0] });
  };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** The response to `error`, its problem document checked against the response contract. */
function respond(error: unknown) {
  const logger = recordingLogger();
  const result = errorToResponse(error, logger);
  expect(result.headers?.['content-type']).toBe(PROBLEM_CONTENT_TYPE);
  expect(result.headers?.['cache-control']).toBe('no-store');
  const doc = ProblemDocumentSchema.parse(JSON.parse(String(result.body)));
  expect(doc.status).toBe(result.statusCode);
  expect(doc.type).toBe(`urn:dcc:problem:${doc.code}`);
  return { result, doc, logged: logger.lines };
}

const GENERIC_500 = {
  type: 'urn:dcc:problem:internal-error',
  title: 'Internal error',
  status: 500,
  detail: 'The request could not be completed.',
  code: 'internal-error',
  errors: [],
};

describe('errorToResponse: errors the caller can fix', () => {
  it.each(DOMAIN_ERROR_CODES)('answers DomainError %s with its catalog status, title and the message', (code) => {
    const { result, doc, logged } = respond(new DomainError(code, `Something about ${code}.`));
    expect(doc).toEqual({
      type: `urn:dcc:problem:${code}`,
      title: problemCatalog[code].title,
      status: problemCatalog[code].status,
      detail: `Something about ${code}.`,
      code,
      errors: [],
    });
    expect(result.statusCode).toBeGreaterThanOrEqual(400);
    expect(result.statusCode).toBeLessThan(500);
    expect(result.headers?.['retry-after']).toBeUndefined();
    expect(logged).toEqual([{ level: 'info', message: 'request refused', extra: { code, status: doc.status } }]);
  });

  it('carries the field problems with their pointers and rule codes', () => {
    const { doc } = respond(
      new DomainError('compliance-rule-violation', 'The transaction violates 2 compliance rules.', [
        { pointer: '/usage/validFrom', message: 'must not be before the trade', code: 'validity-before-trade' },
        { pointer: '/compliance/checks/1/result', message: 'must be pass' },
      ]),
    );
    expect(doc.status).toBe(422);
    expect(doc.errors).toEqual([
      { pointer: '/usage/validFrom', message: 'must not be before the trade', code: 'validity-before-trade' },
      { pointer: '/compliance/checks/1/result', message: 'must be pass' },
    ]);
  });

  it('answers an HttpProblem with its status and its own headers', () => {
    const { result, doc } = respond(
      new HttpProblem('unauthorized', 'The request carries no verified token.', [], { 'www-authenticate': 'Bearer' }),
    );
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['www-authenticate']).toBe('Bearer');
    expect(doc).toMatchObject({ code: 'unauthorized', detail: 'The request carries no verified token.', title: problemCatalog.unauthorized.title });
  });

  it.each(['status-list-not-found', 'not-found', 'payload-too-large', 'unsupported-media-type', 'forbidden'] as const)(
    'answers HttpProblem %s with its catalog status and the message',
    (code) => {
      const { doc } = respond(new HttpProblem(code, 'Why exactly.'));
      expect(doc).toMatchObject({ code, status: problemCatalog[code].status, title: problemCatalog[code].title, detail: 'Why exactly.' });
    },
  );
});

describe('errorToResponse: retryable failures are 503 with Retry-After', () => {
  it('answers a UniqueValueTakenError (retryable) with 503 and reveals nothing of the value', () => {
    const { result, doc, logged } = respond(new UniqueValueTakenError('certificateNo', '20261120000000000017'));
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBe('1');
    expect(doc).toEqual({
      type: 'urn:dcc:problem:service-unavailable',
      title: problemCatalog['service-unavailable'].title,
      status: 503,
      detail: 'The service is temporarily unavailable; retry the same request.',
      code: 'service-unavailable',
      errors: [],
    });
    expect(result.body).not.toContain('20261120000000000017');
    expect(logged.map((l) => l.level)).toEqual(['warn']);
  });

  it('answers an explicit service-unavailable problem with 503 and Retry-After', () => {
    const { result, doc } = respond(new HttpProblem('service-unavailable', 'DynamoDB Local does not answer.'));
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBe('1');
    expect(doc.detail).not.toContain('DynamoDB');
  });

  it('answers AWS throttling with 503 and a longer Retry-After', () => {
    const throttled = Object.assign(new Error('Rate exceeded for key arn:aws:kms:secret'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    const { result, doc } = respond(throttled);
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBe('2');
    expect(result.body).not.toContain('arn:aws');
    expect(doc.code).toBe('service-unavailable');
  });

  it('answers a transaction cancelled by a conflicting transaction with 503', () => {
    const cancelled = Object.assign(new Error('Transaction cancelled'), {
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
    });
    const { result } = respond(cancelled);
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBe('1');
  });

  it('answers an AWS 5xx (any name) with 503', () => {
    const { result } = respond(Object.assign(new Error('boom'), { name: 'SomethingNew', $metadata: { httpStatusCode: 502 } }));
    expect(result.statusCode).toBe(503);
  });
});

describe('errorToResponse: the service\'s own faults are a 500 that reveals nothing', () => {
  const faults: [string, Error][] = [
    ['a plain Error', new Error('table dcc-prod secret arn:aws:dynamodb:eu')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'secret')")],
    ['a SignerError', new SignerError('signer-signature-mismatch', 'signature does not verify under key secret-kid')],
    ['a CryptoError', new CryptoError('der-truncated', 'secret DER bytes')],
    ['a StatusListError', new StatusListError('RANGE_ERROR', 'secret index')],
    ['a MerkleError', new MerkleError('root-mismatch', 'secret root')],
    ['a NoteError', new NoteError('bad-signature', 'secret note')],
    ['an EntryError', new EntryError('secret entry')],
    ['an HttpProblem internal-error', new HttpProblem('internal-error', 'secret detail')],
    ['a conditional check that failed (not transient)', Object.assign(new Error('secret condition'), { name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 } })],
    ['a transaction cancelled for a failed condition (not transient)', Object.assign(new Error('secret'), { name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] })],
  ];

  it.each(faults)('%s', (_what, error) => {
    const { result, doc, logged } = respond(error);
    expect(result.statusCode).toBe(500);
    expect(doc).toEqual(GENERIC_500);
    expect(result.body).not.toMatch(/secret|arn:|stack/);
    expect(result.headers?.['retry-after']).toBeUndefined();
    // The details go to the log, and only there.
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'error', message: 'unhandled error' });
    expect(logged[0]?.extra).toBe(error);
  });

  it('answers a coded error of another class with a 500 even if its code reads like a catalog code', () => {
    class LookalikeError extends CodedError<'not-found'> {
      override readonly name = 'LookalikeError';
    }
    const { doc } = respond(new LookalikeError('not-found', 'secret key id'));
    expect(doc).toEqual(GENERIC_500);
  });

  it('answers things that are not errors at all', () => {
    for (const thrown of ['secret string', 42, null, undefined, { message: 'secret' }]) {
      const { doc } = respond(thrown);
      expect(doc).toEqual(GENERIC_500);
    }
  });
});

describe('parseOrThrow', () => {
  const Body = z.strictObject({ name: z.string(), size: z.number() });

  function refusal(fn: () => unknown): DomainError {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      return error as DomainError;
    }
    throw new Error('expected a refusal');
  }

  it('returns the parsed value', () => {
    expect(parseOrThrow(Body, { name: 'a', size: 1 }, 'body')).toEqual({ name: 'a', size: 1 });
  });

  it('names the part that does not match, in grammatical English, with a problem per field', () => {
    const one = refusal(() => parseOrThrow(Body, { name: 'a', size: 'big' }, 'body'));
    expect(one.code).toBe('validation-failed');
    expect(one.message).toBe('The body does not match the schema (1 problem).');
    expect(one.errors).toEqual([{ pointer: '/size', message: 'must be a number' }]);

    const two = refusal(() => parseOrThrow(Body, { size: 'big' }, 'query parameters'));
    expect(two.message).toBe('The query parameters do not match the schema (2 problems).');

    const path = refusal(() => parseOrThrow(z.strictObject({ id: z.uuid() }), { id: 'x' }, 'path'));
    expect(path.message).toBe('The path does not match the schema (1 problem).');
    expect(respond(path).doc).toMatchObject({ status: 400, code: 'validation-failed', errors: [{ pointer: '/id' }] });
  });
});
