import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { escapePointerSegment, toJsonPointer, zodIssuesToProblems } from '#shared/domain/problems.ts';
import { IssueRequestSchema } from '#shared/domain/schemas/issue-request.ts';
import { validIssueRequest } from '../../fixtures/issue-request.ts';

function problemsOf(schema: z.core.$ZodType, input: unknown, base?: string) {
  const parsed = z.safeParse(schema, input);
  if (parsed.success) throw new Error('expected the parse to fail');
  return zodIssuesToProblems(parsed.error, base);
}

describe('JSON pointers (RFC 6901)', () => {
  it('escapes ~ before / so that neither is misread', () => {
    expect(escapePointerSegment('a/b')).toBe('a~1b');
    expect(escapePointerSegment('a~b')).toBe('a~0b');
    expect(escapePointerSegment('~1')).toBe('~01');
    expect(escapePointerSegment('/~')).toBe('~1~0');
  });

  it('joins path segments below a base; the empty path is the whole document', () => {
    expect(toJsonPointer([])).toBe('');
    expect(toJsonPointer(['compliance', 'checks', 2, 'result'])).toBe('/compliance/checks/2/result');
    expect(toJsonPointer(['x'], '/body')).toBe('/body/x');
    expect(toJsonPointer([''])).toBe('/');
  });
});

describe('zodIssuesToProblems', () => {
  it('points at each unknown member itself, escaped', () => {
    const schema = z.strictObject({ a: z.strictObject({ b: z.string() }) });
    expect(problemsOf(schema, { a: { b: 'x', 'c/d': 1, 'e~': 2 } })).toEqual([
      { pointer: '/a/c~1d', message: 'is not an accepted member' },
      { pointer: '/a/e~0', message: 'is not an accepted member' },
    ]);
  });

  it('says "is required" for a missing member and names the type for a wrong one', () => {
    const schema = z.strictObject({ a: z.string(), b: z.array(z.number()), c: z.strictObject({}) });
    expect(problemsOf(schema, { b: 'x', c: 1 })).toEqual([
      { pointer: '/a', message: 'is required' },
      { pointer: '/b', message: 'must be an array' },
      { pointer: '/c', message: 'must be an object' },
    ]);
  });

  it('reports a body that is not an object at the root pointer', () => {
    expect(problemsOf(z.strictObject({ a: z.string() }), 'text')).toEqual([{ pointer: '', message: 'must be an object' }]);
  });

  it('phrases bounds and enumerations readably', () => {
    const schema = z.strictObject({
      s: z.string().min(1),
      t: z.string().max(3),
      u: z.array(z.string()).max(1),
      n: z.number().int().min(5),
      e: z.enum(['x', 'y']),
      l: z.literal('only'),
    });
    expect(problemsOf(schema, { s: '', t: 'abcd', u: ['a', 'b'], n: 2, e: 'z', l: 'other' })).toEqual([
      { pointer: '/s', message: 'must not be empty' },
      { pointer: '/t', message: 'must have at most 3 characters' },
      { pointer: '/u', message: 'must have at most 1 item' },
      { pointer: '/n', message: 'must be at least 5' },
      { pointer: '/e', message: 'must be one of "x", "y"' },
      { pointer: '/l', message: 'must be "only"' },
    ]);
  });

  it('keeps the messages the schemas set themselves', () => {
    const request = validIssueRequest() as unknown as Record<string, unknown>;
    request.transactionRef = 'has spaces';
    expect(problemsOf(IssueRequestSchema, request)).toEqual([
      { pointer: '/transactionRef', message: 'must be 1-64 characters of A-Z a-z 0-9 . _ : / -' },
    ]);
  });

  it('prefixes every pointer with the base', () => {
    expect(problemsOf(z.strictObject({ id: z.string() }), { id: 1, x: 2 }, '/path')).toEqual([
      { pointer: '/path/id', message: 'must be a string' },
      { pointer: '/path/x', message: 'is not an accepted member' },
    ]);
  });
});
