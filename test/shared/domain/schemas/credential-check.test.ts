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

/**
 * `isCredential` against its reference, `CredentialSchema.safeParse`: the same verdict on genuine
 * credentials (with every optional member present and absent, every enumerated value, values at
 * their limits), on systematic mutations of each (every member of every object replaced by bad
 * and near-miss values, removed, joined by an unknown one, every array grown, shrunk and
 * duplicated, every string resized across the limits) and on random JSON and random mutations.
 * A disagreement is a defect of the predicate: it must be neither stricter nor laxer than zod.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Path = (string | number)[];

/** A value that is not JSON may also reach the predicate (signCertificate takes objects). */
type Value = unknown;

/** A deep copy of plain objects and arrays; other values (including non-JSON ones a mutation put in) are shared. */
function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => clone(item)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      // defineProperty, so that an own "__proto__" member stays a member.
      Object.defineProperty(copy, key, { value: clone((value as Record<string, unknown>)[key]), enumerable: true, configurable: true, writable: true });
    }
    return copy as T;
  }
  return value;
}

/** zod's verdict; a refinement that throws on garbage counts as a refusal (the verifier reports it as one). */
function zodAccepts(value: Value): boolean {
  try {
    return CredentialSchema.safeParse(value).success;
  } catch {
    return false;
  }
}

let accepted = 0;
let refused = 0;
const disagreements: { case: string; value: Value; zod: boolean; predicate: boolean }[] = [];

/** Records the verdicts of both; returns zod's. `label` says which case it is, for the failure report. */
function compare(value: Value, label = ''): boolean {
  const zod = zodAccepts(value);
  const predicate = isCredential(value);
  if (zod) accepted++;
  else refused++;
  if (zod !== predicate && disagreements.length < 20) disagreements.push({ case: label, value, zod, predicate });
  return zod;
}

function expectNoDisagreement(): void {
  expect(disagreements.map((d) => ({ case: d.case, zod: d.zod, predicate: d.predicate, value: JSON.stringify(d.value)?.slice(0, 300) }))).toEqual([]);
}

const describeValue = (value: Value): string => {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 30)}…(${value.length})` : value);
  if (typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function') return String(typeof value);
  if (value === undefined) return 'undefined';
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.slice(0, 60);
};

const BASE_URL = 'https://dcc.example.gov.cn';

function build(mutateRequest: (request: ReturnType<typeof validIssueRequest>) => void = () => undefined, overrides = {}): JsonObject {
  const request = validIssueRequest();
  mutateRequest(request);
  return clone(buildCredential(request, fixtureIssuance(overrides))) as unknown as JsonObject;
}

const uscc = (first16: string) => completeUscc(first16);
const certificateNumber = (first19: string) => first19 + certificateCheckDigit(first19);

/**
 * Genuine credentials: every one must be accepted by zod (asserted), so the corpus is not only
 * refusals. The ones in `thorough` get every mutation; the others the cheaper ones (bad values,
 * removals, unknown members), which is enough for what only they vary.
 */
function genuineCorpus(): { corpus: JsonObject[]; thorough: Set<JsonObject> } {
  const corpus: JsonObject[] = [];
  const thorough = new Set<JsonObject>();
  const base = build();
  corpus.push(base);
  // Optional members present: cross-border data and a correction.
  const full = build((r) => {
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
  for (const classification of DataClassifications) corpus.push(build((r) => (r.dataProduct.classification = classification)));
  for (const level of PersonalInformationLevels) corpus.push(build((r) => (r.dataProduct.personalInformation = level)));
  for (const method of DeliveryMethods) corpus.push(build((r) => (r.dataProduct.deliveryMethod = method)));
  for (const right of UsageRights) corpus.push(build((r) => (r.usage.rights = [right])));
  corpus.push(build((r) => (r.usage.rights = ['operate', 'hold'])));
  for (const code of CheckCodes) {
    for (const result of CheckResults) corpus.push(build((r) => (r.compliance.checks = [{ code, result }])));
  }
  // Text at its limits, in UTF-16 code units: CJK, characters beyond the BMP, emoji with VS16.
  const atLimits = build(
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
  const unusual = build((r) => {
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
  corpus.push(build((r) => (r.amount = { value: '7', currency: 'JPY' })));
  corpus.push(build((r) => (r.amount = { value: '0.001', currency: 'KWD' })));
  corpus.push(build((r) => (r.amount = { value: '100.5', currency: 'CNY' })));
  corpus.push(build((r) => (r.amount = { value: '1.00', currency: 'USD' })));
  // Issuer and status list at the URL limit and odd but valid URLs, status indexes at both ends.
  const longList = `${BASE_URL}/${'l'.repeat(TextLimits.url - BASE_URL.length - 1 - 11)}`;
  corpus.push(build(() => undefined, { status: { statusListCredential: longList, statusListIndex: MAX_STATUS_LIST_INDEX } }));
  corpus.push(build(() => undefined, { issuer: `${BASE_URL}/${'i'.repeat(TextLimits.url - BASE_URL.length - 1)}` }));
  corpus.push(build(() => undefined, { issuer: 'http://localhost:3000', status: { statusListCredential: 'http://127.0.0.1/s?x=1', statusListIndex: 0 } }));
  corpus.push(build(() => undefined, { issuer: 'https://例え.jp/路径', vocabulary: vocabularyUrls('http://[::1]:8080/base') }));
  corpus.push(build(() => undefined, { certificateNo: certificateNumber('2000010100000000000') }));
  corpus.push(build(() => undefined, { certificateNo: certificateNumber('9999123199999999999') }));
  const early = clone(base);
  early['iat'] = MIN_ISSUED_AT;
  corpus.push(early);
  const late = clone(base);
  late['iat'] = MAX_ISSUED_AT;
  corpus.push(late);
  return { corpus, thorough };
}

const { corpus: GENUINE, thorough: THOROUGH } = genuineCorpus();

/** Every path to a value inside `value` (the root excluded). */
function paths(value: Json, prefix: Path = []): Path[] {
  const out: Path[] = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push([...prefix, i], ...paths(item, [...prefix, i]));
    });
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) out.push([...prefix, key], ...paths(item, [...prefix, key]));
  }
  return out;
}

/**
 * A JSON object, not one of the non-JSON values the mutations put in (a `String` object has index
 * members, but they cannot be assigned): only these and arrays are walked into.
 */
function isPlainObject(value: unknown): value is Record<string, Json> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function get(root: Json, path: Path): Json {
  let node: Json = root;
  for (const step of path) node = (node as Record<string | number, Json>)[step]!;
  return node;
}

function parentOf(root: Json, path: Path): Record<string | number, Value> {
  return get(root, path.slice(0, -1)) as unknown as Record<string | number, Value>;
}

/** The last edit made, for the failure report of the case it made. */
let lastEdit = '(whole value)';

function tag(value: Value): [string, Value] {
  const label = lastEdit;
  lastEdit = '(whole value)';
  return [label, value];
}

/** A copy of `root` with the value at `path` replaced. */
function withValue(root: JsonObject, path: Path, value: Value): Value {
  lastEdit = `/${path.join('/')} := ${describeValue(value)}`;
  const copy = clone(root);
  parentOf(copy, path)[path[path.length - 1]!] = value;
  return copy;
}

function without(root: JsonObject, path: Path): Value {
  lastEdit = `/${path.join('/')} removed`;
  const copy = clone(root);
  const parent = parentOf(copy, path);
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return copy;
}

const LONG = 'a'.repeat(5000);

/**
 * The random cases are the same on every run, so that a failure reproduces; set `DCC_FC_SEED`
 * to explore others.
 */
const FAST_CHECK_SEED = Number(process.env['DCC_FC_SEED'] ?? 20261201);

/** Bad values of every JSON type (and a few that JSON cannot carry), for every path. */
const BAD_VALUES: Value[] = [
  null, true, false, 0, -0, 1, -1, 1.5, 2 ** 31, 2 ** 53, -1e308, '', ' ', 'x', LONG, '\u0000', '\u200b', 'a\u202eb', '\ud800', '\t',
  [], [null], ['x'], [1, 2], {}, { a: 1 }, { id: 'x' },
  // Not JSON: the predicate must still match zod on them (signCertificate takes any object).
  undefined, Number.NaN, Number.POSITIVE_INFINITY, 1n, Symbol('s'), () => 1, new Date(0), new String('x'), new Map(),
];

/** Strings close to something valid, tried at every string path. */
const NEAR_MISSES: string[] = [
  // Dates.
  '2026-02-30T00:00:00Z', '2026-02-29T00:00:00Z', '2028-02-29T00:00:00Z', '2100-02-29T00:00:00Z', '2000-02-29T00:00:00Z',
  '2026-11-20T24:00:00Z', '2026-11-20T23:59:60Z', '2026-11-20t08:30:00z', '2026-11-20T08:30:00+14:01', '2026-11-20T08:30:00-14:00',
  '2026-11-20T08:30:00+15:00', '2026-11-20T08:30:00+05:60', '2026-11-20 08:30:00Z', '2026-11-20T08:30:00', '2026-11-20',
  '2026-11-20T08:30:00.1234567890Z', '2026-11-20T08:30:00.Z', '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '+02026-11-20T08:30:00Z',
  '2026-11-20T08:30:00.123456789+14:00', '２026-11-20T08:30:00Z',
  // URLs.
  'ftp://x', 'https://', 'http://', 'http://a b', 'https://user:pw@x.example', 'https://user@x.example', 'HTTPS://X.EXAMPLE', 'https:x',
  '//x.example', 'javascript:alert(1)', 'https://x.example/#', 'https://[::1]', 'https://x.example/ns/data-compliance/v1.jsonld',
  'https://x.example/ns/data-compliance/v1.schema.json', 'http://x/ns/data-compliance/v1.jsonld?', 'https://x.example/ns/data-compliance/v1.JSONLD',
  'https://w3id.org/data-compliance/v1', 'https://w3id.org/data-compliance/v1/', 'https://www.w3.org/ns/credentials/v2', 'https://www.w3.org/ns/credentials/v1',
  ' https://x.example', 'https://x.example ', 'https://x.example\n', 'https://%zz', 'https://x.example:99999',
  // Codes.
  '91330100799655058B', '91330100799655058C', '91330100799655058b', '9133010079965505', '913301007996550580', 'I1330100799655058B',
  '20261120000000000000', '20261120000000000001', '20260230000000000009', '19991231000000000008', '2026112000000000000', '2026112000000000000x',
  'urn:uuid:0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b', 'urn:uuid:0192A3B4-C5D6-7E8F-9A0B-1C2D3E4F5A6B', 'urn:uuid:3b241101-e2bb-4255-8caf-4136c566a962',
  'URN:UUID:0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b', '0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b', 'urn:uuid:0192a3b4-c5d6-7e8f-ca0b-1c2d3e4f5a6b',
  'CNY', 'cny', 'XAU', 'XXX', 'JPY', 'ZWL', 'KWD', 'CLF', 'CN', 'cn', 'XK', 'UK', 'EU', 'SG',
  '0', '00', '01', '-1', '1e3', ' 1', '2147483647', '2147483648', '9999999999', '12',
  '120000.00', '120000.000', '0.00', '-1', '+1', '1.', '.5', '1e5', '01.5', '1234567890123456789', '123456789012345678.12345678901234',
  'sha-256', 'SHA-256', 'sha256', 'sha384-UYzIgWsHyd+5FPlKhTWis/t3x4+A7RZM1YazOxfK3WXiEa9c3vQqq3Vm2IFGanwg', 'sha384-abc', 'sha384-' + 'A'.repeat(65),
  '7929612117791959e03f247f20c00c45c7d092aed54dadd2b323bb12763ab0ff', '7929612117791959E03F247F20C00C45C7D092AED54DADD2B323BB12763AB0FF',
  'BitstringStatusListEntry', 'StatusList2021Entry', 'revocation', 'suspension', 'JsonSchema', 'JsonSchema2023',
  'VerifiableCredential', 'DataComplianceCertificate',
  ...DataClassifications, ...PersonalInformationLevels, ...DeliveryMethods, ...UsageRights, ...CheckCodes, ...CheckResults,
  // Text.
  'a b', ' a', 'a ', 'a\u00a0', '\u3000a', 'a\u3000b', 'a\nb', 'a\u0085', 'a\u2028b', 'a\u00adb', 'a\u200db', 'a\ufe0f', '❤\ufe0f', 'a\u034fb', 'ㅤ', 'a\udc00',
  '👨‍👩‍👧', 'SDE-2026-000123', 'SDE 2026', 'x'.repeat(65), 'x'.repeat(64),
  // Around the text rule's shortcut for common characters: its ranges' neighbours, format
  // characters and lone surrogates among CJK, whitespace other than ASCII's at either end.
  '阿里巴巴（中国）有限公司', '数据\u200b', '数据\u3000', '\u3000数据', '\u00a0Ltd.', 'Ltd.\u1680', '\u2000x', 'é\u00ad', '“数据”—…·',
  '数\ufe0f', '数\ud800', '\udfff数', 'x\u2029', 'ÿ\u0100', '\u303f\u3040', '\uff5e\uff5f', '\uffa0', '数\u200e据', '\ufeff数据',
];

const LENGTHS = [1, 35, 36, 64, 65, 128, 129, 200, 201, 500, 501, 2048, 2049];

/** The string at a path, grown to each limit and one past it: plain, CJK and a pair beyond the BMP. */
function resized(value: string): string[] {
  const out: string[] = [];
  for (const length of LENGTHS) {
    if (length > value.length) {
      out.push(value + 'a'.repeat(length - value.length), value + '数'.repeat(length - value.length));
      const pairs = Math.floor((length - value.length) / 2);
      if (pairs > 0) out.push(value + '😀'.repeat(pairs), `${value}${'😀'.repeat(pairs)}a`);
    } else if (length < value.length) {
      out.push(value.slice(0, length));
    }
  }
  return out;
}

/** Variants of a string: edits around it, and the near misses. */
function stringVariants(value: string): string[] {
  return [
    `${value}x`, value.slice(0, -1), value.slice(1), value.toUpperCase(), value.toLowerCase(), ` ${value}`, `${value} `, `${value}\u200b`,
    `${value}\u0000`, value + value, ...resized(value), ...NEAR_MISSES,
  ];
}

/** Keys to add to each object: unknown ones, prototype names, and every declared key of another level. */
const EXTRA_KEYS = ['extra', 'exp', 'proof', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '', 'id', 'name', 'type', 'value', 'credentialSubject', 'supersedes', 'crossBorder'];

/** Every systematic mutation of one genuine credential. */
function* mutations(root: JsonObject, thorough: boolean): Generator<[string, Value]> {
  const all = paths(root);
  for (const path of all) {
    const current = get(root, path);
    for (const bad of BAD_VALUES) yield tag(withValue(root, path, bad));
    if (!thorough) {
      yield tag(without(root, path));
      if (current !== null && typeof current === 'object' && !Array.isArray(current)) yield tag(withValue(root, path, { ...current, extra: 'x' }));
      continue;
    }
    if (typeof current === 'string') for (const variant of stringVariants(current)) yield tag(withValue(root, path, variant));
    if (typeof current === 'number') {
      for (const n of [current + 1, current - 1, current + 0.5, -current, MIN_ISSUED_AT - 1, MAX_ISSUED_AT + 1, MIN_ISSUED_AT, MAX_ISSUED_AT]) {
        yield tag(withValue(root, path, n));
      }
      yield tag(withValue(root, path, String(current)));
    }
    yield tag(without(root, path));
    if (Array.isArray(current)) {
      yield tag(withValue(root, path, [...current, current[0]!]));
      yield tag(withValue(root, path, [current[0]!, ...current]));
      yield tag(withValue(root, path, [...current].reverse()));
      yield tag(withValue(root, path, current.slice(1)));
      yield tag(withValue(root, path, [...current, ...current]));
      // Holes and extra non-index members are not JSON, but arrays can carry them.
      const holed: Value[] = [...current];
      holed.length += 1;
      yield tag(withValue(root, path, holed));
      const tagged: Value[] & { extra?: number } = [...current];
      tagged.extra = 1;
      yield tag(withValue(root, path, tagged));
    }
    if (current !== null && typeof current === 'object' && !Array.isArray(current)) {
      for (const key of EXTRA_KEYS) {
        if (key in current) continue;
        yield tag(withValue(root, path, { ...current, [key]: 'x' }));
      }
      // What JSON.parse makes of a "__proto__" member: an own property, which zod refuses as unknown.
      yield tag(withValue(root, path, JSON.parse(JSON.stringify(current).replace(/^\{/, '{"__proto__":{"x":1},'))));
      // Present and undefined: what zod accepts for an optional member and refuses for a required one.
      for (const key of Object.keys(current)) yield tag(withValue(root, path, { ...current, [key]: undefined }));
      // A declared member inherited rather than own, an unknown enumerable one inherited, and a null prototype.
      const keys = Object.keys(current);
      const inherited = Object.create({ [keys[0]!]: current[keys[0]!] }) as Record<string, Value>;
      for (const key of keys.slice(1)) inherited[key] = current[key];
      yield tag(withValue(root, path, inherited));
      const extraInherited = Object.create({ extra: 1 }) as Record<string, Value>;
      Object.assign(extraInherited, current);
      yield tag(withValue(root, path, extraInherited));
      yield tag(withValue(root, path, Object.assign(Object.create(null) as object, current)));
      // Array-likes and arrays in place of objects.
      yield tag(withValue(root, path, Object.values(current)));
    }
  }
  // The root itself.
  for (const key of EXTRA_KEYS) if (!(key in root)) yield tag({ ...root, [key]: 'x' });
  yield tag(JSON.parse(JSON.stringify(root).replace(/^\{/, '{"__proto__":{"x":1},')));
  yield tag(Object.assign(Object.create(null) as object, root));
  yield tag([root]);
  yield tag(JSON.stringify(root));
}

/** Status entries and vocabulary links kept consistent, so each member's own rule is tested apart from the cross-member one. */
function* consistentMutations(root: JsonObject): Generator<[string, Value]> {
  const status = root['credentialStatus'] as JsonObject;
  const list = status['statusListCredential'] as string;
  const index = status['statusListIndex'] as string;
  for (const candidate of [...NEAR_MISSES, ...resized(list), `${list}#x`, `${list}/`, list.toUpperCase(), `${list}?q=1`]) {
    const copy = clone(root);
    (copy['credentialStatus'] as JsonObject)['statusListCredential'] = candidate;
    (copy['credentialStatus'] as JsonObject)['id'] = `${candidate}#${index}`;
    lastEdit = `status list := ${describeValue(candidate)}`;
    yield tag(copy);
  }
  for (const candidate of [...NEAR_MISSES, String(MAX_STATUS_LIST_INDEX), String(MAX_STATUS_LIST_INDEX + 1), '0', '1'.repeat(11), '９']) {
    const copy = clone(root);
    (copy['credentialStatus'] as JsonObject)['statusListIndex'] = candidate;
    (copy['credentialStatus'] as JsonObject)['id'] = `${list}#${candidate}`;
    lastEdit = `status index := ${describeValue(candidate)}`;
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
    lastEdit = `vocabulary base := ${describeValue(base)}`;
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
    const before = accepted;
    for (const credential of GENUINE) expect(compare(credential)).toBe(true);
    expectNoDisagreement();
    expect(accepted - before).toBe(GENUINE.length);
  });

  it('agrees with zod on every systematic mutation of every genuine credential', () => {
    const [accepted0, refused0] = [accepted, refused];
    for (const credential of GENUINE) {
      for (const [label, mutated] of mutations(credential, THOROUGH.has(credential))) compare(mutated, label);
      for (const [label, mutated] of consistentMutations(credential)) compare(mutated, label);
    }
    expectNoDisagreement();
    const [acceptedN, refusedN] = [accepted - accepted0, refused - refused0];
    console.info(`credential-check parity, systematic mutations: ${acceptedN + refusedN} cases, ${acceptedN} accepted, ${refusedN} refused`);
    // Both verdicts occur in quantity: the mutations reach accepted values too, not only refusals.
    expect(acceptedN).toBeGreaterThan(1000);
    expect(refusedN).toBeGreaterThan(10_000);
  }, 180_000);

  it('agrees with zod on status entries in turn: ids sharing a list, lists whose entry ids are no URLs, odd fragments', () => {
    // The predicate parses one entry id per status list and lets it stand for the list's others:
    // run in order, every list after lists that passed and failed, each index after others.
    const [accepted0, refused0] = [accepted, refused];
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
    expect(accepted - accepted0).toBeGreaterThan(70);
    expect(refused - refused0).toBeGreaterThan(30);
  });

  it('compares the vocabulary digests it knows instead of matching them: both match the pattern', () => {
    for (const sri of Object.values(VOCABULARY_SRI)) expect(sri).toMatch(SHA384_SRI_PATTERN);
  });

  it('agrees with zod on random JSON and random mutations (fast-check)', () => {
    const [accepted0, refused0] = [accepted, refused];
    const declaredKeys = [...new Set(GENUINE.flatMap((c) => paths(c).map((p) => p[p.length - 1]).filter((k): k is string => typeof k === 'string')))];
    // Random JSON, with objects whose keys come from the credential's own members.
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom(...declaredKeys), fc.jsonValue(), { maxKeys: 14 })), (value) => {
        compare(value);
      }),
      { numRuns: 3000, seed: FAST_CHECK_SEED },
    );
    const allPaths = GENUINE.map((c) => paths(c));
    const stringish = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.constantFrom(...NEAR_MISSES),
      fc.stringMatching(/^[0-9A-HJ-NPQRTUWXY]{18}$/),
      fc.stringMatching(/^20[0-9]{2}(0[1-9]|1[0-2])[0-3][0-9][0-9]{12}$/),
      fc.stringMatching(/^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-6][0-9]:[0-6][0-9](\.[0-9]{1,10})?(Z|[+-][01][0-9]:[0-6][0-9])$/),
      fc.stringMatching(/^(0|[1-9][0-9]{0,19})(\.[0-9]{0,5})?$/),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.integer({ min: 1, max: 2100 }).map((n) => 'a'.repeat(n)),
    );
    const replacement = fc.oneof(stringish, fc.jsonValue(), fc.constantFrom(...BAD_VALUES), fc.integer({ min: MIN_ISSUED_AT - 2, max: MIN_ISSUED_AT + 2 }));
    // One to three random edits of a genuine credential: replace a value, remove it, add a member.
    const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom('replace', 'replace', 'remove', 'add'), value: replacement, key: fc.constantFrom(...declaredKeys, 'extra', '__proto__') });
    fc.assert(
      fc.property(fc.nat({ max: GENUINE.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 3 }), (which, edits) => {
        let value: Value = clone(GENUINE[which]!);
        for (const e of edits) {
          const candidates = paths(value as JsonObject);
          if (candidates.length === 0) break;
          const path = candidates[e.at % candidates.length]!;
          if (e.kind === 'replace') value = withValue(value as JsonObject, path, e.value);
          else if (e.kind === 'remove') value = without(value as JsonObject, path);
          else {
            const target = get(value as Json, path);
            if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
              const copy = clone(value as JsonObject);
              const node = get(copy, path) as Record<string, Value>;
              if (e.key === '__proto__') Object.defineProperty(node, '__proto__', { value: e.value, enumerable: true, configurable: true, writable: true });
              else node[e.key] = e.value;
              value = copy;
            }
          }
        }
        compare(value);
      }),
      { numRuns: 8000, seed: FAST_CHECK_SEED },
    );
    // Random single-member replacements from the strings that come close, across every path.
    fc.assert(
      fc.property(fc.nat({ max: GENUINE.length - 1 }), fc.nat(), stringish, (which, at, value) => {
        const root = GENUINE[which]!;
        const candidates = allPaths[which]!;
        compare(withValue(root, candidates[at % candidates.length]!, value));
      }),
      { numRuns: 8000, seed: FAST_CHECK_SEED },
    );
    expectNoDisagreement();
    console.info(`credential-check parity, fast-check: ${accepted - accepted0 + refused - refused0} cases, ${accepted - accepted0} accepted, ${refused - refused0} refused`);
  }, 120_000);
});
