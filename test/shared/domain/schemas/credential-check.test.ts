import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { certificateCheckDigit } from '#shared/domain/certificate-number.ts';
import { buildCredential } from '#shared/domain/credential-builder.ts';
import { DCC_CONTEXT_V1, VOCABULARY_SRI, vocabularyUrls } from '#shared/domain/credential-context.ts';
import { TextLimits } from '#shared/domain/text.ts';
import { completeUscc } from '#shared/domain/uscc.ts';
import { isCredential } from '#shared/domain/schemas/credential-check.ts';
import { CredentialSchema } from '#shared/domain/schemas/credential.ts';
import {
  CheckCodes,
  CheckResults,
  DataClassifications,
  DeliveryMethods,
  MAX_ISSUED_AT,
  MAX_STATUS_LIST_INDEX,
  MIN_ISSUED_AT,
  PersonalInformationLevels,
  SHA384_SRI_PATTERN,
  UsageRights,
} from '#shared/domain/schemas/credential-terms.ts';
import { fixtureIssuance, validIssueRequest } from '../../../fixtures/issue-request.ts';
import { clone, describeValue, fuzz, type JsonObject, labelEdit, mutations, NEAR_MISSES, predicateParity, resized, tag, type Value, withValue } from '../../../support/schema-parity.ts';

/**
 * `isCredential` against its reference, `CredentialSchema.safeParse`: the same verdict on genuine
 * credentials (with every optional member present and absent, every enumerated value, values at
 * their limits), on systematic mutations of each (every member of every object replaced by bad
 * and near-miss values, removed, joined by an unknown one, every array grown, shrunk and
 * duplicated, every string resized across the limits) and on random JSON and random mutations.
 * A disagreement is a defect of the predicate: it must be neither stricter nor laxer than zod.
 */

const parity = predicateParity(CredentialSchema, isCredential);
const { compare, expectNoDisagreement } = parity;

const BASE_URL = 'https://dcc.example.gov.cn';

async function build(mutateRequest: (request: ReturnType<typeof validIssueRequest>) => void = () => undefined, overrides = {}): Promise<JsonObject> {
  const request = validIssueRequest();
  mutateRequest(request);
  return clone(await buildCredential(request, fixtureIssuance(overrides))) as unknown as JsonObject;
}

const uscc = (first16: string) => completeUscc(first16);
const certificateNumber = (first19: string) => first19 + certificateCheckDigit(first19);

/**
 * Genuine credentials: every one must be accepted by zod (asserted), so the corpus is not only
 * refusals. The ones in `thorough` get every mutation; the others the cheaper ones (bad values,
 * removals, unknown members), which is enough for what only they vary.
 */
async function genuineCorpus(): Promise<{ corpus: JsonObject[]; thorough: Set<JsonObject> }> {
  const corpus: JsonObject[] = [];
  const thorough = new Set<JsonObject>();
  const base = await build();
  corpus.push(base);
  // Optional members present: cross-border data and a correction.
  const full = await build((r) => {
    r.usage.crossBorder = { destination: 'SG', assessmentRef: 'CAC-2026-0099' };
    r.supersedes = '0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b';
    r.usage.rights = ['hold', 'process-use', 'operate'];
    r.compliance.checks = CheckCodes.map((code, i) => ({ code, result: CheckResults[i % CheckResults.length]! }));
  });
  corpus.push(full);
  thorough.add(full);
  // A certificate from before the vocabulary was published: the older context, no links.
  const older = clone(base);
  older['@context'] = [(base['@context'] as string[])[0]!, DCC_CONTEXT_V1];
  delete older['credentialSchema'];
  delete older['relatedResource'];
  corpus.push(older);
  thorough.add(older);
  // The shape alone accepts the new context without links (vocabularyLinksProblem refuses it later).
  const unlinked = clone(base);
  delete unlinked['relatedResource'];
  corpus.push(unlinked);
  const unlinked2 = clone(base);
  delete unlinked2['credentialSchema'];
  corpus.push(unlinked2);
  // Every enumerated value.
  for (const classification of DataClassifications) corpus.push(await build((r) => (r.dataProduct.classification = classification)));
  for (const level of PersonalInformationLevels) corpus.push(await build((r) => (r.dataProduct.personalInformation = level)));
  for (const method of DeliveryMethods) corpus.push(await build((r) => (r.dataProduct.deliveryMethod = method)));
  for (const right of UsageRights) corpus.push(await build((r) => (r.usage.rights = [right])));
  corpus.push(await build((r) => (r.usage.rights = ['operate', 'hold'])));
  for (const code of CheckCodes) {
    for (const result of CheckResults) corpus.push(await build((r) => (r.compliance.checks = [{ code, result }])));
  }
  // Text at its limits, in UTF-16 code units: CJK, characters beyond the BMP, emoji with VS16.
  const atLimits = await build(
      (r) => {
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
      },
      { exchange: { id: 'e'.repeat(TextLimits.reference), name: `Exchange ${'x'.repeat(TextLimits.name - 9)}` } },
    );
  corpus.push(atLimits);
  thorough.add(atLimits);
  // One-character text, short codes, unusual but valid amounts, dates and numbers.
  const unusual = await build((r) => {
      r.provider.name = 'A';
      r.dataProduct.version = '1';
      r.amount = { value: '123456789012345678.1234', currency: 'CLF' };
      r.tradedAt = '0000-01-01T00:00:00.123456789+14:00';
      r.compliance.assessedAt = '2028-02-29T23:59:59-12:59';
      r.usage.validFrom = '9999-12-31T23:59:59.9Z';
      r.usage.validUntil = '2026-11-20T08:30:00.000000000-00:00';
      r.provider.uscc = uscc('Y1000000XXXXXXXX');
      r.consumer.uscc = uscc('0A99999900000000');
    });
  corpus.push(unusual);
  thorough.add(unusual);
  corpus.push(await build((r) => (r.amount = { value: '7', currency: 'JPY' })));
  corpus.push(await build((r) => (r.amount = { value: '0.001', currency: 'KWD' })));
  corpus.push(await build((r) => (r.amount = { value: '100.5', currency: 'CNY' })));
  corpus.push(await build((r) => (r.amount = { value: '1.00', currency: 'USD' })));
  // Issuer and status list at the URL limit and odd but valid URLs, status indexes at both ends.
  const longList = `${BASE_URL}/${'l'.repeat(TextLimits.url - BASE_URL.length - 1 - 11)}`;
  corpus.push(await build(() => undefined, { status: { statusListCredential: longList, statusListIndex: MAX_STATUS_LIST_INDEX } }));
  corpus.push(await build(() => undefined, { issuer: `${BASE_URL}/${'i'.repeat(TextLimits.url - BASE_URL.length - 1)}` }));
  corpus.push(await build(() => undefined, { issuer: 'http://localhost:3000', status: { statusListCredential: 'http://127.0.0.1/s?x=1', statusListIndex: 0 } }));
  corpus.push(await build(() => undefined, { issuer: 'https://例え.jp/路径', vocabulary: vocabularyUrls('http://[::1]:8080/base') }));
  corpus.push(await build(() => undefined, { certificateNo: certificateNumber('2000010100000000000') }));
  corpus.push(await build(() => undefined, { certificateNo: certificateNumber('9999123199999999999') }));
  const early = clone(base);
  early['iat'] = MIN_ISSUED_AT;
  corpus.push(early);
  const late = clone(base);
  late['iat'] = MAX_ISSUED_AT;
  corpus.push(late);
  return { corpus, thorough };
}

const { corpus: GENUINE, thorough: THOROUGH } = await genuineCorpus();

/** Keys added to each object besides the harness's: declared keys of other levels. */
const EXTRA_KEYS = ['credentialSubject', 'supersedes', 'crossBorder'];

/** Numbers tried in place of each number (`iat` only): its limits and one past each. */
const NUMBERS = [MIN_ISSUED_AT - 1, MAX_ISSUED_AT + 1, MIN_ISSUED_AT, MAX_ISSUED_AT];

/** Status entries and vocabulary links kept consistent, so each member's own rule is tested apart from the cross-member one. */
function* consistentMutations(root: JsonObject): Generator<[string, Value]> {
  const status = root['credentialStatus'] as JsonObject;
  const list = status['statusListCredential'] as string;
  const index = status['statusListIndex'] as string;
  for (const candidate of [...NEAR_MISSES, ...resized(list), `${list}#x`, `${list}/`, list.toUpperCase(), `${list}?q=1`]) {
    const copy = clone(root);
    (copy['credentialStatus'] as JsonObject)['statusListCredential'] = candidate;
    (copy['credentialStatus'] as JsonObject)['id'] = `${candidate}#${index}`;
    labelEdit(`status list := ${describeValue(candidate)}`);
    yield tag(copy);
  }
  for (const candidate of [...NEAR_MISSES, String(MAX_STATUS_LIST_INDEX), String(MAX_STATUS_LIST_INDEX + 1), '0', '1'.repeat(11), '９']) {
    const copy = clone(root);
    (copy['credentialStatus'] as JsonObject)['statusListIndex'] = candidate;
    (copy['credentialStatus'] as JsonObject)['id'] = `${list}#${candidate}`;
    labelEdit(`status index := ${describeValue(candidate)}`);
    yield tag(copy);
  }
  // Vocabulary URLs under other bases, each member alone and all together.
  for (const base of ['https://other.example', 'http://x', 'ftp://x', 'https://u:p@x', `https://${'b'.repeat(TextLimits.url)}`, 'https://x/a b', '']) {
    const urls = vocabularyUrls(base);
    const copy = clone(root);
    if (Array.isArray(copy['@context'])) copy['@context'][1] = urls.context;
    if (copy['credentialSchema']) (copy['credentialSchema'] as JsonObject)['id'] = urls.schema;
    if (Array.isArray(copy['relatedResource'])) {
      (copy['relatedResource'][0] as JsonObject)['id'] = urls.context;
      (copy['relatedResource'][1] as JsonObject)['id'] = urls.schema;
    }
    labelEdit(`vocabulary base := ${describeValue(base)}`);
    yield tag(copy);
    yield tag(withValue(root, ['@context', 1], urls.context));
    if (root['credentialSchema']) yield tag(withValue(root, ['credentialSchema', 'id'], urls.schema));
    if (root['relatedResource']) {
      yield tag(withValue(root, ['relatedResource', 0, 'id'], urls.context));
      yield tag(withValue(root, ['relatedResource', 1, 'id'], urls.schema));
      yield tag(withValue(root, ['relatedResource', 0, 'id'], urls.schema));
    }
  }
}

/** A copy of `root` with its status entry's list, index and id set. */
function withStatus(root: JsonObject, list: string, index: string, id: string): JsonObject {
  const copy = clone(root);
  const status = copy['credentialStatus'] as JsonObject;
  status['statusListCredential'] = list;
  status['statusListIndex'] = index;
  status['id'] = id;
  return copy;
}

describe('isCredential', () => {
  it('accepts every genuine credential, as zod does', () => {
    const before = parity.accepted;
    for (const credential of GENUINE) expect(compare(credential)).toBe(true);
    expectNoDisagreement();
    expect(parity.accepted - before).toBe(GENUINE.length);
  });

  it('agrees with zod on every systematic mutation of every genuine credential', () => {
    const [accepted0, refused0] = [parity.accepted, parity.refused];
    for (const credential of GENUINE) {
      for (const [label, mutated] of mutations(credential, { thorough: THOROUGH.has(credential), extraKeys: EXTRA_KEYS, numbers: NUMBERS })) compare(mutated, label);
      for (const [label, mutated] of consistentMutations(credential)) compare(mutated, label);
    }
    expectNoDisagreement();
    const [acceptedN, refusedN] = [parity.accepted - accepted0, parity.refused - refused0];
    console.info(`credential-check parity, systematic mutations: ${acceptedN + refusedN} cases, ${acceptedN} accepted, ${refusedN} refused`);
    // Both verdicts occur in quantity: the mutations reach accepted values too, not only refusals.
    expect(acceptedN).toBeGreaterThan(1000);
    expect(refusedN).toBeGreaterThan(10_000);
  }, 180_000);

  it('agrees with zod on status entries in turn: ids sharing a list, lists whose entry ids are no URLs, odd fragments', () => {
    // The predicate parses one entry id per status list and lets it stand for the list's others:
    // run in order, every list after lists that passed and failed, each index after others.
    const [accepted0, refused0] = [parity.accepted, parity.refused];
    const base = GENUINE[0]!;
    const genuineList = (base['credentialStatus'] as JsonObject)['statusListCredential'] as string;
    const lists = [
      genuineList,
      // The list parses and its entry ids do not: what follows the host up to `#` is the host.
      'https://x.example ', 'https://x.example:443 ', 'http://[::1] ',
      // Unusual but valid: a fragment or an empty query there already, a newline, tab or space
      // that the parser strips or encodes, upper case, an international host, a query.
      'https://x.example/s#frag', 'https://x.example/s?q#', 'https://x.example/s\n', 'https://x.example/s\t', 'https://x.example/a ',
      ' https://x.example/s', 'HTTPS://X.EXAMPLE/S', 'https://例え.jp/状态/0', 'http://127.0.0.1:8080/s?x=1&y=#',
    ];
    for (let round = 0; round < 2; round++) {
      for (const list of lists) {
        for (const index of ['0', '7', String(MAX_STATUS_LIST_INDEX), '7']) compare(withStatus(base, list, index, `${list}#${index}`), `status ${describeValue(list)} #${index}`);
      }
    }
    // Ids that are not the list, `#` and the index, after ids of the same list passed.
    for (const id of [
      `${genuineList}#07`, `${genuineList}#7 `, `${genuineList}# 7`, `${genuineList}##7`, `${genuineList}#+7`, `${genuineList}#７`, `${genuineList}/#7`,
      `${genuineList}#70`, `${genuineList}7`, `${genuineList}%237`, genuineList, `${genuineList.toUpperCase()}#7`, `${genuineList}#7#7`, ` ${genuineList}#7`,
    ]) {
      compare(withStatus(base, genuineList, '7', id), `status id ${describeValue(id)}`);
    }
    expectNoDisagreement();
    // Both verdicts, for lists that pass and for each kind of refusal.
    expect(parity.accepted - accepted0).toBeGreaterThan(70);
    expect(parity.refused - refused0).toBeGreaterThan(30);
  });

  it('compares the vocabulary digests it knows instead of matching them: both match the pattern', () => {
    for (const sri of Object.values(VOCABULARY_SRI)) expect(sri).toMatch(SHA384_SRI_PATTERN);
  });

  it('agrees with zod on random JSON and random mutations (fast-check)', () => {
    const [accepted0, refused0] = [parity.accepted, parity.refused];
    fuzz(GENUINE, (value) => compare(value), { values: [fc.integer({ min: MIN_ISSUED_AT - 2, max: MIN_ISSUED_AT + 2 })] });
    expectNoDisagreement();
    console.info(`credential-check parity, fast-check: ${parity.accepted - accepted0 + parity.refused - refused0} cases, ${parity.accepted - accepted0} accepted, ${parity.refused - refused0} refused`);
  }, 120_000);
});
