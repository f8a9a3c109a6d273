import { describe, expect, it } from 'vitest';
import { zodIssuesToProblems } from '#shared/domain/problems.ts';
import { IssueRequestSchema } from '#shared/domain/schemas/issue-request.ts';
import { validIssueRequest } from '../../fixtures/issue-request.ts';

/** The request as a loose JSON body, so tests can break it in ways the types forbid. */
type Mutable = Record<string, any>;

/** Parses a request changed by `mutate`; returns the problems (empty when it parsed). */
function problems(mutate: (r: Mutable) => void) {
  const request = validIssueRequest() as unknown as Mutable;
  mutate(request);
  const parsed = IssueRequestSchema.safeParse(request);
  return parsed.success ? [] : zodIssuesToProblems(parsed.error);
}

function pointers(mutate: (r: Mutable) => void): string[] {
  return problems(mutate).map((p) => p.pointer);
}

describe('IssueRequestSchema', () => {
  it('accepts the fixture unchanged and returns an equal value', () => {
    const parsed = IssueRequestSchema.parse(validIssueRequest());
    expect(parsed).toEqual(validIssueRequest());
  });

  it('accepts the shape of the example request, including a JSON round trip', () => {
    expect(IssueRequestSchema.safeParse(JSON.parse(JSON.stringify(validIssueRequest()))).success).toBe(true);
  });

  it('fills an absent crossBorder and supersedes with null', () => {
    const request = validIssueRequest() as unknown as Mutable;
    delete request.supersedes;
    delete request.usage.crossBorder;
    const parsed = IssueRequestSchema.parse(request);
    expect(parsed.supersedes).toBeNull();
    expect(parsed.usage.crossBorder).toBeNull();
  });

  it('refuses unknown members at every level, pointing at the member', () => {
    expect(pointers((r) => (r.exchange = 'other-exchange'))).toEqual(['/exchange']);
    expect(pointers((r) => (r.amount.rate = 1))).toEqual(['/amount/rate']);
    expect(pointers((r) => (r.compliance.checks[1].note = 'x'))).toEqual(['/compliance/checks/1/note']);
    expect(pointers((r) => (r.dataProduct.digest.encoding = 'hex'))).toEqual(['/dataProduct/digest/encoding']);
  });

  it('reports every missing member', () => {
    expect(
      pointers((r) => {
        delete r.transactionRef;
        delete r.provider.uscc;
        delete r.compliance.assessedAt;
      }),
    ).toEqual(['/transactionRef', '/provider/uscc', '/compliance/assessedAt']);
  });

  it('checks the amount: a positive decimal string with no more fraction digits than the currency allows', () => {
    expect(problems((r) => (r.amount.value = '120000.001'))).toEqual([
      { pointer: '/amount/value', message: 'must have at most 2 fraction digits for CNY' },
    ]);
    expect(problems((r) => (r.amount = { value: '500.5', currency: 'JPY' }))).toEqual([
      { pointer: '/amount/value', message: 'must be a whole number: JPY has no minor unit' },
    ]);
    expect(pointers((r) => (r.amount = { value: '1.125', currency: 'KWD' }))).toEqual([]);
    expect(problems((r) => (r.amount.value = '0.00'))).toEqual([{ pointer: '/amount/value', message: 'must be greater than zero' }]);
    expect(pointers((r) => (r.amount.value = 120000))).toEqual(['/amount/value']);
    expect(pointers((r) => (r.amount.value = '1.2e5'))).toEqual(['/amount/value']);
    expect(pointers((r) => (r.amount.currency = 'RMB'))).toEqual(['/amount/currency']);
    expect(problems((r) => (r.amount.currency = 'XAU'))[0]?.message).toMatch(/no minor unit/);
  });

  it('checks party codes with their check characters', () => {
    expect(pointers((r) => (r.provider.uscc = '91330100799655058C'))).toEqual(['/provider/uscc']);
    expect(pointers((r) => (r.compliance.assessor.uscc = '<18 characters>'))).toEqual(['/compliance/assessor/uscc']);
  });

  it('bounds and cleans free text', () => {
    expect(pointers((r) => (r.provider.name = 'x'.repeat(201)))).toEqual(['/provider/name']);
    expect(pointers((r) => (r.provider.name = 'x'.repeat(200)))).toEqual([]);
    expect(pointers((r) => (r.usage.purpose = 'p'.repeat(501)))).toEqual(['/usage/purpose']);
    expect(pointers((r) => (r.dataProduct.id = 'i'.repeat(129)))).toEqual(['/dataProduct/id']);
    expect(pointers((r) => (r.compliance.reportRef = ''))).toEqual(['/compliance/reportRef']);
    expect(pointers((r) => (r.consumer.name = 'Tencent\u202eevil'))).toEqual(['/consumer/name']);
    expect(pointers((r) => (r.dataProduct.name = ' padded'))).toEqual(['/dataProduct/name']);
  });

  it('checks the transaction reference', () => {
    expect(pointers((r) => (r.transactionRef = 'x'.repeat(65)))).toEqual(['/transactionRef']);
    expect(pointers((r) => (r.transactionRef = 'SDE/2026:000123_a.b-c'))).toEqual([]);
  });

  it('checks dates, refusing impossible ones and missing offsets', () => {
    expect(pointers((r) => (r.tradedAt = '2026-02-30T08:30:00Z'))).toEqual(['/tradedAt']);
    expect(pointers((r) => (r.usage.validFrom = '2026-12-01T00:00:00'))).toEqual(['/usage/validFrom']);
    expect(pointers((r) => (r.compliance.assessedAt = '2026-11-18'))).toEqual(['/compliance/assessedAt']);
    expect(pointers((r) => (r.usage.validUntil = '2027-11-30T23:59:59+08:00'))).toEqual([]);
  });

  it('checks digests: sha-256 and 64 lower-case hex characters', () => {
    expect(pointers((r) => (r.dataProduct.digest.alg = 'SHA-256'))).toEqual(['/dataProduct/digest/alg']);
    expect(pointers((r) => (r.compliance.reportDigest.value = r.compliance.reportDigest.value.toUpperCase()))).toEqual([
      '/compliance/reportDigest/value',
    ]);
  });

  it('checks the enumerations', () => {
    expect(pointers((r) => (r.dataProduct.classification = 'secret'))).toEqual(['/dataProduct/classification']);
    expect(pointers((r) => (r.dataProduct.personalInformation = 'yes'))).toEqual(['/dataProduct/personalInformation']);
    expect(pointers((r) => (r.dataProduct.deliveryMethod = 'email'))).toEqual(['/dataProduct/deliveryMethod']);
    expect(pointers((r) => (r.compliance.checks[0].code = 'legality'))).toEqual(['/compliance/checks/0/code']);
    expect(pointers((r) => (r.compliance.checks[0].result = 'passed'))).toEqual(['/compliance/checks/0/result']);
  });

  it('requires usage rights: non-empty, known and unique', () => {
    expect(pointers((r) => (r.usage.rights = []))).toEqual(['/usage/rights']);
    expect(pointers((r) => (r.usage.rights = ['resell']))).toEqual(['/usage/rights/0']);
    expect(problems((r) => (r.usage.rights = ['hold', 'operate', 'hold']))).toEqual([
      { pointer: '/usage/rights/2', message: 'repeats "hold"' },
    ]);
    expect(pointers((r) => (r.usage.rights = ['hold', 'process-use', 'operate']))).toEqual([]);
  });

  it('takes crossBorder as null or a destination with an assessment reference that may be missing', () => {
    expect(pointers((r) => (r.usage.crossBorder = { destination: 'SG', assessmentRef: 'CAC-2026-01' }))).toEqual([]);
    // Well-formed but non-compliant: the rules refuse it with 422, not the schema with 400.
    const parsed = IssueRequestSchema.parse({ ...validIssueRequest(), usage: { ...validIssueRequest().usage, crossBorder: { destination: 'SG' } } });
    expect(parsed.usage.crossBorder).toEqual({ destination: 'SG', assessmentRef: null });
    expect(pointers((r) => (r.usage.crossBorder = { destination: 'XK', assessmentRef: 'a' }))).toEqual(['/usage/crossBorder/destination']);
    expect(pointers((r) => (r.usage.crossBorder = { destination: 'sg', assessmentRef: 'a' }))).toEqual(['/usage/crossBorder/destination']);
    expect(pointers((r) => (r.usage.crossBorder = 'SG'))).toEqual(['/usage/crossBorder']);
  });

  it('takes supersedes as null or a certificate id (a lower-case UUIDv7)', () => {
    expect(pointers((r) => (r.supersedes = '0196a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'))).toEqual([]);
    expect(pointers((r) => (r.supersedes = '0196A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B'))).toEqual(['/supersedes']);
    expect(pointers((r) => (r.supersedes = '3b241101-e2bb-4255-8caf-4136c566a962'))).toEqual(['/supersedes']);
    expect(pointers((r) => (r.supersedes = 'urn:uuid:0196a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'))).toEqual(['/supersedes']);
  });

  it('bounds the checks list', () => {
    expect(pointers((r) => (r.compliance.checks = []))).toEqual(['/compliance/checks']);
    expect(
      pointers((r) => (r.compliance.checks = Array.from({ length: 13 }, () => ({ code: 'traceability', result: 'pass' })))),
    ).toEqual(['/compliance/checks']);
  });

  it('refuses a body that is not an object', () => {
    for (const body of [null, [], 'x', 1]) {
      const parsed = IssueRequestSchema.safeParse(body);
      expect(parsed.success).toBe(false);
    }
  });
});
