import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkComplianceRules } from '#shared/domain/rules.ts';
import { IssueRequestSchema } from '#shared/domain/schemas/issue-request.ts';

/**
 * `examples/issue-request.json` is what the README walkthrough posts with curl, judged by the
 * real clock of whoever runs it. These tests judge it at fixed instants instead: it is a valid
 * request that the rules accept from its assessment on and for years, until its usage window
 * ends (the JSON holds the longest window the default configuration allows).
 */

const example: unknown = JSON.parse(readFileSync(new URL('../../examples/issue-request.json', import.meta.url), 'utf8'));
const request = IssueRequestSchema.parse(example);
const rulesAt = (iso: string) =>
  checkComplianceRules(request, { now: new Date(iso), clockSkewSeconds: 300, maxValidityDays: 1830 }).map((v) => v.code);

describe('examples/issue-request.json', () => {
  it('is a valid issue request', () => {
    expect(IssueRequestSchema.safeParse(example).success).toBe(true);
  });

  it('passes every compliance rule from the day after the trade to the last second of its window', () => {
    expect(rulesAt('2026-11-21T00:00:00Z')).toEqual([]);
    expect(rulesAt('2028-06-01T00:00:00Z')).toEqual([]);
    expect(rulesAt(request.usage.validUntil.replace('59:59Z', '59:58Z'))).toEqual([]);
  });

  it('is refused only once its usage window has ended', () => {
    expect(rulesAt('2031-11-29T00:00:00Z')).toEqual(['validity-window-ended']);
  });
});
