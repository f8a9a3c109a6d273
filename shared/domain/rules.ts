import type { FieldProblem } from './errors.ts';
import { rfc3339ToEpochMillis } from './rfc3339.ts';
import { BaselineCheckCodes, type CheckCode } from './schemas/credential-terms.ts';
import type { Check, IssueRequest } from './schemas/issue-request.ts';

/**
 * The compliance rules a well-formed request must pass to be certified (what data may be
 * certified, which checks must have passed, where the data may go, who the parties are, and
 * when). A violation is a `422` (`compliance-rule-violation`) listing every violated rule, each
 * with its stable code and the JSON pointer of the member that breaks it.
 *
 * Time rules (the dates are ordered, bounded and not in the future), precisely:
 * - the usage window is ordered strictly (`validFrom < validUntil`) and at most
 *   `maxValidityDays` long;
 * - it has not already ended at issue (`validUntil > now`): a certificate born expired is a
 *   typo, not an invoice;
 * - `tradedAt` and `assessedAt` are not later than `now + clockSkewSeconds`;
 * - the assessment precedes the transaction (`assessedAt ≤ tradedAt`): the review clears the
 *   transaction, so a review dated after the trade cannot have cleared it.
 * The usage window may start before the trade (rights from the trade day's midnight) or after.
 */

/** Every rule code `checkComplianceRules` can report, grouped in the order it reports them. */
export const COMPLIANCE_RULE_CODES = [
  'core-data-not-certifiable',
  'duplicate-check',
  'baseline-check-missing',
  'baseline-check-not-passed',
  'sensitive-pi-consent-required',
  'cross-border-destination-domestic',
  'cross-border-assessment-ref-missing',
  'important-data-export-assessment-required',
  'check-failed',
  'parties-identical',
  'validity-window-not-ordered',
  'validity-window-too-long',
  'validity-window-ended',
  'traded-at-in-future',
  'assessed-at-in-future',
  'assessment-after-trade',
] as const;

export type ComplianceRuleCode = (typeof COMPLIANCE_RULE_CODES)[number];

/** A violated rule: a field problem whose `code` is always a rule code. */
export interface RuleViolation extends FieldProblem {
  code: ComplianceRuleCode;
}

export interface ComplianceRuleOptions {
  /** The issue time the time rules are judged against. */
  now: Date;
  /** How far a client's clock may run ahead of ours. */
  clockSkewSeconds: number;
  /** Longest usage window, in days of 24 hours. */
  maxValidityDays: number;
}

const DAY_MS = 86_400_000;
const CHECKS = '/compliance/checks';

/**
 * Every compliance rule that `request` violates (empty when it may be certified).
 * @throws TypeError on options that are not a valid date and non-negative numbers.
 */
export function checkComplianceRules(request: IssueRequest, options: ComplianceRuleOptions): RuleViolation[] {
  const nowMs = options.now.getTime();
  if (Number.isNaN(nowMs)) throw new TypeError('checkComplianceRules: now must be a valid Date');
  if (!(options.clockSkewSeconds >= 0) || !(options.maxValidityDays > 0)) {
    throw new TypeError('checkComplianceRules: clockSkewSeconds must be >= 0 and maxValidityDays > 0');
  }
  const findings = new Findings(request.compliance.checks);
  const { dataProduct, usage, compliance } = request;
  const { checks, firstIndex } = findings;

  if (dataProduct.classification === 'core') {
    findings.violate('core-data-not-certifiable', '/dataProduct/classification', 'core data is never certified');
  }

  checks.forEach((check, i) => {
    if (firstIndex.get(check.code) !== i) {
      findings.violate('duplicate-check', `${CHECKS}/${i}/code`, `repeats the "${check.code}" check of ${CHECKS}/${firstIndex.get(check.code)}`);
    }
  });

  for (const code of BaselineCheckCodes) {
    const found = findings.find(code);
    if (!found) {
      findings.violate('baseline-check-missing', CHECKS, `the baseline "${code}" check is missing`);
    } else if (found.check.result !== 'pass') {
      findings.reportedResults.add(found.index);
      findings.violate('baseline-check-not-passed', `${CHECKS}/${found.index}/result`, `the baseline "${code}" check must be "pass", not "${found.check.result}"`);
    }
  }

  if (dataProduct.personalInformation === 'sensitive') {
    findings.requirePassed('sensitive-pi-consent-required', 'pi-separate-consent', 'sensitive personal information needs separate consent');
  }

  const crossBorder = usage.crossBorder;
  if (crossBorder) {
    if (crossBorder.destination === 'CN') {
      findings.violate('cross-border-destination-domestic', '/usage/crossBorder/destination', 'a cross-border transfer needs a destination outside China, not CN');
    }
    if (crossBorder.assessmentRef === null) {
      findings.violate('cross-border-assessment-ref-missing', '/usage/crossBorder/assessmentRef', 'a cross-border transfer needs the reference of its assessment');
    }
    if (dataProduct.classification === 'important') {
      findings.requirePassed(
        'important-data-export-assessment-required',
        'cross-border-security-assessment',
        'important data leaving China needs a passed security assessment',
      );
    }
  }

  checks.forEach((check, i) => {
    if (check.result === 'fail' && firstIndex.get(check.code) === i && !findings.reportedResults.has(i)) {
      findings.violate('check-failed', `${CHECKS}/${i}/result`, `the "${check.code}" check failed; a failed check cannot be certified`);
    }
  });

  if (request.provider.uscc === request.consumer.uscc) {
    findings.violate('parties-identical', '/consumer/uscc', 'the consumer must be a different legal person from the provider');
  }

  const validFrom = rfc3339ToEpochMillis(usage.validFrom);
  const validUntil = rfc3339ToEpochMillis(usage.validUntil);
  if (validFrom !== null && validUntil !== null) {
    if (validUntil <= validFrom) {
      findings.violate('validity-window-not-ordered', '/usage/validUntil', 'must be later than validFrom');
    } else if (validUntil - validFrom > options.maxValidityDays * DAY_MS) {
      findings.violate('validity-window-too-long', '/usage/validUntil', `the usage window may last at most ${options.maxValidityDays} days`);
    }
  }
  if (validUntil !== null && validUntil <= nowMs) {
    findings.violate('validity-window-ended', '/usage/validUntil', 'the usage window has already ended');
  }

  const latest = nowMs + options.clockSkewSeconds * 1000;
  const tradedAt = rfc3339ToEpochMillis(request.tradedAt);
  const assessedAt = rfc3339ToEpochMillis(compliance.assessedAt);
  if (tradedAt !== null && tradedAt > latest) {
    findings.violate('traded-at-in-future', '/tradedAt', 'is in the future');
  }
  // An assessment in the future is also after any acceptable trade; one fault, one report.
  if (assessedAt !== null && assessedAt > latest) {
    findings.violate('assessed-at-in-future', '/compliance/assessedAt', 'is in the future');
  } else if (assessedAt !== null && tradedAt !== null && assessedAt > tradedAt) {
    findings.violate('assessment-after-trade', '/compliance/assessedAt', 'the compliance assessment must precede the transaction (tradedAt)');
  }

  return findings.out;
}

/**
 * The violations found so far, with the lookups the rules share. A class of the module rather
 * than closures made on every call: the rules run on every issue request.
 */
class Findings {
  readonly out: RuleViolation[] = [];
  /** Only the first occurrence of a code counts; later ones are reported as duplicates. */
  readonly firstIndex = new Map<CheckCode, number>();
  /** The checks whose result a rule has already reported, so `check-failed` does not repeat it. */
  readonly reportedResults = new Set<number>();

  constructor(readonly checks: readonly Check[]) {
    for (let i = 0; i < checks.length; i++) {
      const code = (checks[i] as Check).code;
      if (!this.firstIndex.has(code)) this.firstIndex.set(code, i);
    }
  }

  violate(code: ComplianceRuleCode, pointer: string, message: string): void {
    this.out.push({ code, pointer, message });
  }

  /** The first check of `code`, or null. */
  find(code: CheckCode): { check: Check; index: number } | null {
    const index = this.firstIndex.get(code);
    return index === undefined ? null : { check: this.checks[index] as Check, index };
  }

  /** Reports `code` unless the `check` is present and passed. */
  requirePassed(code: ComplianceRuleCode, check: CheckCode, why: string): void {
    const found = this.find(check);
    if (!found) {
      this.violate(code, CHECKS, `${why}: the "${check}" check is missing`);
    } else if (found.check.result !== 'pass') {
      this.reportedResults.add(found.index);
      this.violate(code, `${CHECKS}/${found.index}/result`, `${why}: the "${check}" check must be "pass", not "${found.check.result}"`);
    }
  }
}
