import { describe, expect, it } from 'vitest';
import { checkComplianceRules, COMPLIANCE_RULE_CODES, type ComplianceRuleCode } from '#shared/domain/rules.ts';
import { IssueRequestSchema, type IssueRequest } from '#shared/domain/schemas/issue-request.ts';
import { fixtureRuleOptions, validIssueRequest } from '../../fixtures/issue-request.ts';

function violations(mutate: (r: IssueRequest) => void, options = fixtureRuleOptions()) {
  const request = validIssueRequest();
  mutate(request);
  // Every case must still be well-formed: the rules judge what the schema lets through.
  expect(IssueRequestSchema.safeParse(request).success).toBe(true);
  return checkComplianceRules(request, options);
}

function codes(mutate: (r: IssueRequest) => void, options = fixtureRuleOptions()): ComplianceRuleCode[] {
  return violations(mutate, options).map((v) => v.code);
}

const check = (code: IssueRequest['compliance']['checks'][number]['code'], result: 'pass' | 'fail' | 'not-applicable' = 'pass') => ({ code, result });

/** One case per rule: a change of the valid fixture that breaks that rule and no other. */
const cases: Record<ComplianceRuleCode, { mutate: (r: IssueRequest) => void; pointer: string }> = {
  'core-data-not-certifiable': {
    mutate: (r) => (r.dataProduct.classification = 'core'),
    pointer: '/dataProduct/classification',
  },
  'duplicate-check': {
    mutate: (r) => r.compliance.checks.push(check('traceability')),
    pointer: '/compliance/checks/4/code',
  },
  'baseline-check-missing': {
    mutate: (r) => (r.compliance.checks = r.compliance.checks.filter((c) => c.code !== 'usage-scope')),
    pointer: '/compliance/checks',
  },
  'baseline-check-not-passed': {
    mutate: (r) => (r.compliance.checks[2] = check('traceability', 'not-applicable')),
    pointer: '/compliance/checks/2/result',
  },
  'sensitive-pi-consent-required': {
    mutate: (r) => {
      r.dataProduct.personalInformation = 'sensitive';
      r.compliance.checks.push(check('pi-separate-consent', 'not-applicable'));
    },
    pointer: '/compliance/checks/4/result',
  },
  'cross-border-destination-domestic': {
    mutate: (r) => (r.usage.crossBorder = { destination: 'CN', assessmentRef: 'CAC-2026-0099' }),
    pointer: '/usage/crossBorder/destination',
  },
  'cross-border-assessment-ref-missing': {
    mutate: (r) => (r.usage.crossBorder = { destination: 'SG', assessmentRef: null }),
    pointer: '/usage/crossBorder/assessmentRef',
  },
  'important-data-export-assessment-required': {
    mutate: (r) => {
      r.dataProduct.classification = 'important';
      r.usage.crossBorder = { destination: 'DE', assessmentRef: 'CAC-2026-0099' };
    },
    pointer: '/compliance/checks',
  },
  'check-failed': {
    mutate: (r) => r.compliance.checks.push(check('cross-border-security-assessment', 'fail')),
    pointer: '/compliance/checks/4/result',
  },
  'parties-identical': {
    mutate: (r) => (r.consumer = { name: 'Alibaba Cloud (a different trading name)', uscc: r.provider.uscc }),
    pointer: '/consumer/uscc',
  },
  'validity-window-not-ordered': {
    mutate: (r) => {
      r.usage.validFrom = '2027-01-01T00:00:00Z';
      r.usage.validUntil = '2027-01-01T00:00:00Z';
    },
    pointer: '/usage/validUntil',
  },
  'validity-window-too-long': {
    mutate: (r) => (r.usage.validUntil = '2031-12-06T00:00:01Z'),
    pointer: '/usage/validUntil',
  },
  'validity-window-ended': {
    mutate: (r) => {
      r.usage.validFrom = '2026-01-01T00:00:00Z';
      r.usage.validUntil = '2026-11-20T09:00:00Z';
    },
    pointer: '/usage/validUntil',
  },
  'traded-at-in-future': {
    mutate: (r) => (r.tradedAt = '2026-11-20T09:05:01Z'),
    pointer: '/tradedAt',
  },
  'assessed-at-in-future': {
    // Also after the trade, but a future assessment is reported once, as in the future.
    mutate: (r) => (r.compliance.assessedAt = '2026-11-20T09:05:01Z'),
    pointer: '/compliance/assessedAt',
  },
  'assessment-after-trade': {
    mutate: (r) => (r.compliance.assessedAt = '2026-11-20T08:30:00.001Z'),
    pointer: '/compliance/assessedAt',
  },
};

describe('checkComplianceRules', () => {
  it('finds nothing wrong with the fixture', () => {
    expect(checkComplianceRules(validIssueRequest(), fixtureRuleOptions())).toEqual([]);
  });

  it('has one case per rule code', () => {
    expect(Object.keys(cases).sort()).toEqual([...COMPLIANCE_RULE_CODES].sort());
  });

  it.each(Object.entries(cases))('breaks %s alone', (code, { mutate, pointer }) => {
    const found = violations(mutate);
    expect(found.map((v) => v.code)).toEqual([code]);
    expect(found[0]?.pointer).toBe(pointer);
    expect(found[0]?.message.length).toBeGreaterThan(5);
  });

  it('lists every violated rule at once', () => {
    expect(
      codes((r) => {
        r.dataProduct.classification = 'core';
        r.consumer.uscc = r.provider.uscc;
        r.tradedAt = '2027-01-01T00:00:00Z';
        r.compliance.checks = [check('source-legality', 'fail'), check('usage-scope'), check('usage-scope')];
      }),
    ).toEqual([
      'core-data-not-certifiable',
      'duplicate-check',
      'baseline-check-not-passed',
      'baseline-check-missing',
      'baseline-check-missing',
      'parties-identical',
      'traded-at-in-future',
    ]);
  });

  it('names the missing checks and points at the failing results', () => {
    const found = violations((r) => {
      r.dataProduct.personalInformation = 'sensitive';
      r.compliance.checks = [check('source-legality'), check('usage-scope', 'fail')];
    });
    expect(found).toEqual([
      expect.objectContaining({ code: 'baseline-check-not-passed', pointer: '/compliance/checks/1/result' }),
      expect.objectContaining({ code: 'baseline-check-missing', pointer: '/compliance/checks', message: expect.stringContaining('"traceability"') }),
      expect.objectContaining({ code: 'baseline-check-missing', pointer: '/compliance/checks', message: expect.stringContaining('"risk-control"') }),
      expect.objectContaining({ code: 'sensitive-pi-consent-required', pointer: '/compliance/checks', message: expect.stringContaining('"pi-separate-consent"') }),
    ]);
  });

  it('accepts the compliant variants of each conditional rule', () => {
    expect(
      codes((r) => {
        r.dataProduct.personalInformation = 'sensitive';
        r.compliance.checks.push(check('pi-separate-consent'));
      }),
    ).toEqual([]);
    expect(
      codes((r) => {
        r.dataProduct.classification = 'important';
        r.usage.crossBorder = { destination: 'HK', assessmentRef: 'CAC-2026-0099' };
        r.compliance.checks.push(check('cross-border-security-assessment'));
      }),
    ).toEqual([]);
    // General data may leave with an assessment reference alone; important data staying home needs no assessment.
    expect(codes((r) => (r.usage.crossBorder = { destination: 'SG', assessmentRef: 'CAC-2026-0099' }))).toEqual([]);
    expect(codes((r) => (r.dataProduct.classification = 'important'))).toEqual([]);
    expect(codes((r) => r.compliance.checks.push(check('pi-separate-consent', 'not-applicable')))).toEqual([]);
  });

  it('reports a failed sensitive-consent check once, under its specific rule', () => {
    expect(
      codes((r) => {
        r.dataProduct.personalInformation = 'sensitive';
        r.compliance.checks.push(check('pi-separate-consent', 'fail'));
      }),
    ).toEqual(['sensitive-pi-consent-required']);
  });

  it('allows the clock skew and no more', () => {
    const options = fixtureRuleOptions();
    expect(codes((r) => (r.tradedAt = '2026-11-20T09:05:00Z'), options)).toEqual([]);
    expect(codes((r) => (r.tradedAt = '2026-11-20T09:05:00.001Z'), options)).toEqual(['traded-at-in-future']);
    expect(codes((r) => (r.tradedAt = '2026-11-20T09:05:00.001Z'), { ...options, clockSkewSeconds: 301 })).toEqual([]);
  });

  it('compares instants, not strings: offsets count', () => {
    // 17:04:00+08:00 is 09:04:00Z, inside the skew; as a string it sorts after every Z time.
    expect(codes((r) => (r.tradedAt = '2026-11-20T17:04:00+08:00'))).toEqual([]);
    expect(codes((r) => (r.compliance.assessedAt = '2026-11-20T16:30:00+08:00'))).toEqual([]);
    expect(codes((r) => (r.compliance.assessedAt = '2026-11-20T16:30:01+08:00'))).toEqual(['assessment-after-trade']);
  });

  it('bounds the window by maxValidityDays, inclusive', () => {
    const options = { ...fixtureRuleOptions(), maxValidityDays: 365 };
    expect(codes((r) => (r.usage.validUntil = '2027-12-01T00:00:00Z'), options)).toEqual([]);
    expect(codes((r) => (r.usage.validUntil = '2027-12-01T00:00:00.001Z'), options)).toEqual(['validity-window-too-long']);
  });

  it('refuses nonsensical options as a programming error', () => {
    expect(() => checkComplianceRules(validIssueRequest(), { ...fixtureRuleOptions(), now: new Date(Number.NaN) })).toThrow(TypeError);
    expect(() => checkComplianceRules(validIssueRequest(), { ...fixtureRuleOptions(), maxValidityDays: 0 })).toThrow(TypeError);
    expect(() => checkComplianceRules(validIssueRequest(), { ...fixtureRuleOptions(), clockSkewSeconds: -1 })).toThrow(TypeError);
  });
});

describe('validIssueRequest fixture', () => {
  it('returns a fresh deep copy each call', () => {
    const a = validIssueRequest();
    a.compliance.checks[0]!.result = 'fail';
    a.usage.rights.push('hold');
    const b = validIssueRequest();
    expect(b.compliance.checks[0]!.result).toBe('pass');
    expect(b.usage.rights).toEqual(['process-use']);
  });
});
