import { describe, expect, it } from 'vitest';
import { TextLimits } from '#shared/domain/text.ts';
import { completeUscc } from '#shared/domain/uscc.ts';
import { REFUSED } from '#shared/domain/schemas/input-contract.ts';
import { acceptIssueRequest, IssueRequestContract } from '#shared/domain/schemas/issue-request-check.ts';
import { IssueRequestSchema, type IssueRequest } from '#shared/domain/schemas/issue-request.ts';
import {
  CheckCodes,
  CheckResults,
  DataClassifications,
  DeliveryMethods,
  MAX_CHECKS,
  PersonalInformationLevels,
  UsageRights,
} from '#shared/domain/schemas/credential-terms.ts';
import { validIssueRequest } from '../../../fixtures/issue-request.ts';
import { clone, contractParity, fuzz, type JsonObject, mutations, tag, type Value } from '../../../support/schema-parity.ts';

/**
 * `IssueRequestContract` against its reference, `IssueRequestSchema.safeParse`: the same verdict
 * and, for an accepted request, the same output (defaults filled, members in the schema's order)
 * on genuine requests (every optional member present, absent, `undefined` and null, every
 * enumerated value, values at their limits), on systematic mutations of each and on random JSON
 * and random mutations. A disagreement is a defect of the predicate.
 */

const parity = contractParity(IssueRequestSchema, acceptIssueRequest);
const { compare, expectNoDisagreement } = parity;

/** The fixture changed by `edit`. */
function request(edit: (r: IssueRequest) => void = () => undefined): JsonObject {
  const r = validIssueRequest();
  edit(r);
  return clone(r) as unknown as JsonObject;
}

/** A parsed request's members as the input may spell them: absent or `undefined` where zod fills a default. */
const loose = (value: object): Record<string, unknown> => value as Record<string, unknown>;

const CROSS_BORDER = { destination: 'SG', assessmentRef: 'CAC-2026-0099' };
const SUPERSEDED = '0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b';

/**
 * Genuine requests: every one must be accepted by zod (asserted). The ones in `thorough` get
 * every mutation; the others the cheaper ones, which is enough for what only they vary.
 */
function genuineCorpus(): { corpus: JsonObject[]; thorough: Set<JsonObject> } {
  const corpus: JsonObject[] = [];
  const thorough = new Set<JsonObject>();
  const base = request();
  corpus.push(base);
  thorough.add(base);
  // The nullable members that may be left out: present, null, absent and undefined.
  const full = request((r) => {
    r.usage.crossBorder = { ...CROSS_BORDER };
    r.supersedes = SUPERSEDED;
    r.usage.rights = ['hold', 'process-use', 'operate'];
    r.compliance.checks = CheckCodes.map((code, i) => ({ code, result: CheckResults[i % CheckResults.length]! }));
  });
  corpus.push(full);
  thorough.add(full);
  const omitted = request((r) => {
    delete loose(r.usage)['crossBorder'];
    delete loose(r)['supersedes'];
  });
  corpus.push(omitted);
  thorough.add(omitted);
  corpus.push(
    request((r) => {
      loose(r.usage)['crossBorder'] = undefined;
      loose(r)['supersedes'] = undefined;
    }),
  );
  for (const assessmentRef of [null, undefined, 'absent'] as const) {
    corpus.push(
      request((r) => {
        const crossBorder: Record<string, unknown> = { destination: 'US' };
        if (assessmentRef !== 'absent') crossBorder['assessmentRef'] = assessmentRef;
        loose(r.usage)['crossBorder'] = crossBorder;
      }),
    );
  }
  // Every enumerated value; rights in every order; checks up to the limit, repeated (the rules judge repeats).
  for (const classification of DataClassifications) corpus.push(request((r) => (r.dataProduct.classification = classification)));
  for (const level of PersonalInformationLevels) corpus.push(request((r) => (r.dataProduct.personalInformation = level)));
  for (const method of DeliveryMethods) corpus.push(request((r) => (r.dataProduct.deliveryMethod = method)));
  for (const right of UsageRights) corpus.push(request((r) => (r.usage.rights = [right])));
  corpus.push(request((r) => (r.usage.rights = ['operate', 'hold'])));
  corpus.push(request((r) => (r.usage.rights = ['operate', 'process-use', 'hold'])));
  for (const code of CheckCodes) {
    for (const result of CheckResults) corpus.push(request((r) => (r.compliance.checks = [{ code, result }])));
  }
  const manyChecks = request((r) => {
    r.compliance.checks = Array.from({ length: MAX_CHECKS }, (_, i) => ({ code: CheckCodes[i % CheckCodes.length]!, result: CheckResults[i % CheckResults.length]! }));
  });
  corpus.push(manyChecks);
  // Text at its limits, in UTF-16 code units: CJK, characters beyond the BMP, emoji with VS16.
  const atLimits = request((r) => {
    r.provider.name = '数'.repeat(TextLimits.name);
    r.consumer.name = '𠀀'.repeat(TextLimits.name / 2);
    r.compliance.assessor.name = `❤️${'a'.repeat(TextLimits.name - 2)}`;
    r.dataProduct.id = 'i'.repeat(TextLimits.reference);
    r.dataProduct.name = 'n'.repeat(TextLimits.name);
    r.dataProduct.version = 'v'.repeat(TextLimits.reference);
    r.usage.purpose = `${'用途 '.repeat(166)}终止`;
    r.compliance.reportRef = 'r'.repeat(TextLimits.reference);
    r.usage.crossBorder = { destination: 'ZW', assessmentRef: 'a'.repeat(TextLimits.reference) };
    r.transactionRef = 'A-z0._:/'.repeat(8);
  });
  corpus.push(atLimits);
  thorough.add(atLimits);
  // One-character text, unusual but valid amounts, dates and codes.
  const unusual = request((r) => {
    r.transactionRef = 'x';
    r.provider.name = 'A';
    r.dataProduct.version = '1';
    r.amount = { value: '123456789012345678.1234', currency: 'CLF' };
    r.tradedAt = '0000-01-01T00:00:00.123456789+14:00';
    r.compliance.assessedAt = '2028-02-29T23:59:59-12:59';
    r.usage.validFrom = '9999-12-31T23:59:59.9Z';
    r.usage.validUntil = '2026-11-20T08:30:00.000000000-00:00';
    r.provider.uscc = completeUscc('Y1000000XXXXXXXX');
    r.consumer.uscc = completeUscc('0A99999900000000');
  });
  corpus.push(unusual);
  thorough.add(unusual);
  for (const amount of [
    { value: '7', currency: 'JPY' },
    { value: '0.001', currency: 'KWD' },
    { value: '100.5', currency: 'CNY' },
    { value: '1.00', currency: 'USD' },
    { value: '0.01', currency: 'EUR' },
  ]) {
    corpus.push(request((r) => (r.amount = amount)));
  }
  // Members in another order than the schema's: zod's output has the schema's.
  const reordered: JsonObject = {};
  for (const key of Object.keys(full).reverse()) reordered[key] = full[key]!;
  reordered['usage'] = Object.fromEntries(Object.entries(full['usage'] as JsonObject).reverse());
  corpus.push(reordered);
  return { corpus, thorough };
}

const { corpus: GENUINE, thorough: THOROUGH } = genuineCorpus();

/** Keys added to each object besides the harness's: declared keys of other levels. */
const EXTRA_KEYS = ['supersedes', 'crossBorder', 'assessmentRef', 'validFrom', 'checks', 'usage'];

/** Refusals that only a cross-member refinement makes: fraction digits per currency, repeated rights. */
function* crossMemberCases(root: JsonObject): Generator<[string, Value]> {
  for (const amount of [
    { value: '1.5', currency: 'JPY' },
    { value: '1.0', currency: 'JPY' },
    { value: '1.000', currency: 'CNY' },
    { value: '1.0000', currency: 'KWD' },
    { value: '1.00000', currency: 'CLF' },
    { value: '1', currency: 'XAU' },
    { value: '0.00', currency: 'CNY' },
    { value: '1.5', currency: 'XXX' },
  ]) {
    yield tag({ ...root, amount });
  }
  for (const rights of [['hold', 'hold'], ['hold', 'operate', 'hold'], ['operate', 'process-use', 'hold', 'operate'], ['hold', 'process-use', 'operate', 'other']]) {
    yield tag({ ...root, usage: { ...(root['usage'] as JsonObject), rights } });
  }
  yield tag({ ...root, compliance: { ...(root['compliance'] as JsonObject), checks: Array.from({ length: MAX_CHECKS + 1 }, () => ({ code: 'traceability', result: 'pass' })) } });
}

describe('IssueRequestContract', () => {
  it('accepts every genuine request as zod parses it: the same output, defaults filled, in the schema order', () => {
    const before = parity.accepted;
    for (const genuine of GENUINE) expect(compare(genuine)).toBe(true);
    expectNoDisagreement();
    expect(parity.accepted - before).toBe(GENUINE.length);
    // The defaults, spelled out once: left out or undefined, each nullable member comes out null.
    const omitted = acceptIssueRequest(request((r) => {
      loose(r.usage)['crossBorder'] = { destination: 'US' };
      loose(r)['supersedes'] = undefined;
    }));
    expect(omitted).not.toBe(REFUSED);
    expect((omitted as IssueRequest).usage.crossBorder).toEqual({ destination: 'US', assessmentRef: null });
    expect((omitted as IssueRequest).supersedes).toBeNull();
  });

  it('agrees with zod on every systematic mutation of every genuine request', () => {
    const [accepted0, refused0] = [parity.accepted, parity.refused];
    for (const genuine of GENUINE) {
      for (const [label, mutated] of mutations(genuine, { thorough: THOROUGH.has(genuine), extraKeys: EXTRA_KEYS })) compare(mutated, label);
      for (const [label, mutated] of crossMemberCases(genuine)) compare(mutated, label);
    }
    expectNoDisagreement();
    const [acceptedN, refusedN] = [parity.accepted - accepted0, parity.refused - refused0];
    console.info(`issue-request-check parity, systematic mutations: ${acceptedN + refusedN} cases, ${acceptedN} accepted, ${refusedN} refused`);
    // Both verdicts occur in quantity: the mutations reach accepted values too, not only refusals.
    expect(acceptedN).toBeGreaterThan(1000);
    expect(refusedN).toBeGreaterThan(10_000);
  }, 180_000);

  it('agrees with zod on random JSON and random mutations (fast-check)', () => {
    const [accepted0, refused0] = [parity.accepted, parity.refused];
    fuzz(GENUINE, (value) => compare(value));
    expectNoDisagreement();
    console.info(`issue-request-check parity, fast-check: ${parity.accepted - accepted0 + parity.refused - refused0} cases, ${parity.accepted - accepted0} accepted, ${parity.refused - refused0} refused`);
  }, 120_000);

  it('loads the schema it answers for (start-ups never do: bundle-hygiene.test.ts)', async () => {
    expect(await IssueRequestContract.schema()).toBe(IssueRequestSchema);
  });
});
