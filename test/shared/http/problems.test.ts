import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOMAIN_ERROR_CODES, DomainError, type DomainErrorCode } from '#shared/domain/errors.ts';
import { ProblemDocumentSchema } from '#shared/domain/schemas/api-responses.ts';
import { errorToResponse } from '#shared/http/handler.ts';
import { HttpProblem, type ProblemCode, problemCatalog, problemResponse } from '#shared/http/problems.ts';

const ROOT = join(import.meta.dirname, '../../..');
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

/** Every TypeScript source under `dir` (relative to the repository), tests excluded. */
function sources(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (abs: string): void => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const next = join(abs, entry.name);
      if (entry.isDirectory()) walk(next);
      else if (entry.name.endsWith('.ts')) out.push({ path: relative(ROOT, next), text: readFileSync(next, 'utf8') });
    }
  };
  walk(join(ROOT, dir));
  return out;
}

const SERVICE_SOURCES = [...sources('shared'), ...sources('functions'), ...sources('local')];
const CODES = Object.keys(problemCatalog) as ProblemCode[];
const isProblemCode = (code: string): code is ProblemCode => Object.hasOwn(problemCatalog, code);
const isDomainCode = (code: string): code is DomainErrorCode => (DOMAIN_ERROR_CODES as readonly string[]).includes(code);

describe('the problem catalog', () => {
  it('gives every domain error code a client-error status', () => {
    for (const code of DOMAIN_ERROR_CODES) {
      expect(isProblemCode(code), code).toBe(true);
      expect(problemCatalog[code].status, code).toBeGreaterThanOrEqual(400);
      expect(problemCatalog[code].status, code).toBeLessThan(500);
    }
  });

  it('has kebab-case codes, error statuses and a title for each; only two codes are 5xx', () => {
    for (const code of CODES) {
      const { status, title } = problemCatalog[code];
      expect(code).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
      expect(title.length).toBeGreaterThan(0);
    }
    expect(CODES.filter((c) => problemCatalog[c].status >= 500).sort()).toEqual(['internal-error', 'service-unavailable']);
  });

  it('feeds every problem document: each code renders as a valid RFC 9457 document with its status', () => {
    for (const code of CODES) {
      const response = problemResponse(code, 'detail', [{ pointer: '/x', message: 'is wrong', code: 'rule' }]);
      const doc = ProblemDocumentSchema.parse(JSON.parse(response.body));
      expect(response.statusCode).toBe(problemCatalog[code].status);
      expect(doc).toEqual({
        type: `urn:dcc:problem:${code}`,
        title: problemCatalog[code].title,
        status: problemCatalog[code].status,
        detail: 'detail',
        code,
        errors: [{ pointer: '/x', message: 'is wrong', code: 'rule' }],
      });
    }
  });

  it('is what errorToResponse answers for every 4xx code, and 5xx codes say nothing', () => {
    for (const code of CODES) {
      const error = isDomainCode(code) ? new DomainError(code, 'the detail') : new HttpProblem(code, 'the detail');
      const { statusCode, body } = errorToResponse(error, quiet);
      expect(statusCode, code).toBe(problemCatalog[code].status);
      const doc = JSON.parse(String(body)) as { code: string; detail: string };
      if (problemCatalog[code].status < 500) expect(doc).toMatchObject({ code, detail: 'the detail' });
      else expect(doc.detail).not.toBe('the detail');
    }
  });
});

describe('every code thrown maps to a status', () => {
  /** `new DomainError('code'` / `new HttpProblem('code'` with a literal code, wherever the service throws one. */
  const thrownCodes = SERVICE_SOURCES.flatMap(({ path, text }) =>
    [...text.matchAll(/new (DomainError|HttpProblem)\(\s*'([^']+)'/g)].map((m) => ({ path, cls: m[1], code: m[2] as string })),
  );

  it('finds the throw sites (the scan itself works)', () => {
    expect(thrownCodes.length).toBeGreaterThan(10);
    expect(thrownCodes.map((t) => t.code)).toContain('certificate-not-found');
  });

  it('has a catalog entry for each literal code', () => {
    const missing = thrownCodes.filter((t) => !isProblemCode(t.code));
    expect(missing).toEqual([]);
  });

  it('has each code thrown by one class only', () => {
    const classesOf = new Map<string, Set<string>>();
    for (const { cls, code } of thrownCodes) classesOf.set(code, (classesOf.get(code) ?? new Set()).add(cls as string));
    const shared = [...classesOf].filter(([, classes]) => classes.size > 1).map(([code]) => code);
    expect(shared).toEqual([]);
    for (const { cls, code } of thrownCodes) expect(cls === 'DomainError', code).toBe(isDomainCode(code));
  });

  it('throws no error class outside the one base (CodedError)', () => {
    const outside = SERVICE_SOURCES.filter(({ path }) => path.startsWith('shared/')).flatMap(({ path, text }) =>
      [...text.matchAll(/class (\w+)(?:<.*?>)? extends (?:Error|TypeError|RangeError)\b/g)].map((m) => `${path}: ${m[1]}`),
    );
    expect(outside).toEqual(['shared/domain/coded-error.ts: CodedError']);
  });
});
