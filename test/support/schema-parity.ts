import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { expect } from 'vitest';
import { REFUSED } from '#shared/domain/schemas/input-contract.ts';
import {
  CheckCodes,
  CheckResults,
  DataClassifications,
  DeliveryMethods,
  PersonalInformationLevels,
  UsageRights,
} from '#shared/domain/schemas/credential-terms.ts';

/**
 * The parity harness: holds a zod-free predicate or input contract to its zod schema.
 *
 * What a test built on it guarantees: over every value it feeds `compare` (genuine values,
 * the systematic {@link mutations} of them, random JSON and random edits from {@link fuzz}, all
 * on a fixed seed), the predicate gives zod's verdict (a schema that throws on garbage counts as
 * refusing it), and, for a contract ({@link contractParity}), every accepted value comes out
 * exactly as `schema.safeParse(value).data` does: deeply and strictly equal (prototypes,
 * `undefined` members, holes) and with the same own keys in the same order at every level. A
 * predicate or `accept` that throws is a disagreement too. `expectNoDisagreement` fails the test
 * with the first disagreements, each labelled with the edit that made it.
 *
 * The mutations follow zod 4's semantics, not only JSON's: besides bad and near-miss values of
 * every type at every path, they remove members, add unknown ones (prototype names, an own
 * `__proto__`, enumerable inherited ones), set members to `undefined`, inherit declared ones,
 * give objects a null prototype, put holes and extra members on arrays and resize strings across
 * the limits in code points.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
export type Path = (string | number)[];

/** A value that is not JSON may also reach a predicate (signCertificate takes objects, an event carries anything). */
export type Value = unknown;

/**
 * The random cases are the same on every run, so that a failure reproduces; set `DCC_FC_SEED`
 * to explore others.
 */
export const FAST_CHECK_SEED = Number(process.env['DCC_FC_SEED'] ?? 20261201);

/** A deep copy of plain objects and arrays; other values (including non-JSON ones a mutation put in) are shared. */
export function clone<T>(value: T): T {
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

/** A short rendering of a value for a case's label. */
export const describeValue = (value: Value): string => {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 30)}…(${value.length})` : value);
  if (typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function') return String(typeof value);
  if (value === undefined) return 'undefined';
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.slice(0, 60);
};

/** Both verdicts, and what a comparison found. */
export interface ParityRecorder {
  /** Records the verdicts of both on `value`; returns zod's. `label` says which case it is, for the failure report. */
  compare(value: Value, label?: string): boolean;
  /** Fails with the first disagreements, if any. */
  expectNoDisagreement(): void;
  /** Cases zod accepted and refused so far (a test reads the difference over its own cases). */
  readonly accepted: number;
  readonly refused: number;
}

interface Disagreement {
  case: string;
  value: Value;
  zod: boolean;
  predicate: boolean;
  detail?: string;
}

/** What a schema's `safeParse` gives; zod's own type, kept structural so the harness imports no zod. */
interface SafeParsing {
  safeParse(value: unknown): { success: boolean; data?: unknown };
}

/** A recorder over one comparison: `judge` answers for zod and the predicate, or names a mismatch in output. */
function recorder(judge: (value: Value) => { zod: boolean; predicate: boolean; detail?: string }): ParityRecorder {
  let accepted = 0;
  let refused = 0;
  const disagreements: Disagreement[] = [];
  return {
    compare(value, label = '') {
      const { zod, predicate, detail } = judge(value);
      if (zod) accepted++;
      else refused++;
      if ((zod !== predicate || detail !== undefined) && disagreements.length < 20) disagreements.push({ case: label, value, zod, predicate, ...(detail === undefined ? {} : { detail }) });
      return zod;
    },
    expectNoDisagreement() {
      expect(disagreements.map((d) => ({ case: d.case, zod: d.zod, predicate: d.predicate, ...(d.detail === undefined ? {} : { detail: d.detail }), value: JSON.stringify(d.value)?.slice(0, 300) }))).toEqual([]);
    },
    get accepted() {
      return accepted;
    },
    get refused() {
      return refused;
    },
  };
}

/** zod's verdict and output; a refinement that throws on garbage counts as a refusal (the routes and the verifier report it as one). */
function zodParse(schema: SafeParsing, value: Value): { success: true; data: unknown } | { success: false } {
  try {
    const parsed = schema.safeParse(value);
    return parsed.success ? { success: true, data: parsed.data } : { success: false };
  } catch {
    return { success: false };
  }
}

/** A predicate against its schema's verdict alone. */
export function predicateParity(schema: SafeParsing, predicate: (value: Value) => boolean): ParityRecorder {
  return recorder((value) => {
    const zod = zodParse(schema, value).success;
    try {
      return { zod, predicate: predicate(value) };
    } catch (error) {
      return { zod, predicate: !zod, detail: `predicate threw ${String(error)}` };
    }
  });
}

/**
 * An input contract's `accept` against its schema: the same verdict, and for an accepted value
 * the same output as `safeParse(value).data`, equal and in the same key order.
 */
export function contractParity(schema: SafeParsing, accept: (value: Value) => unknown): ParityRecorder {
  return recorder((value) => {
    const parsed = zodParse(schema, value);
    let output: unknown;
    try {
      output = accept(value);
    } catch (error) {
      return { zod: parsed.success, predicate: !parsed.success, detail: `accept threw ${String(error)}` };
    }
    const predicate = output !== REFUSED;
    if (!parsed.success || !predicate) return { zod: parsed.success, predicate };
    const detail = outputMismatch(parsed.data, output);
    return detail === undefined ? { zod: true, predicate: true } : { zod: true, predicate: true, detail };
  });
}

/** Why `actual` is not exactly zod's `expected`, or undefined when it is. */
function outputMismatch(expected: unknown, actual: unknown): string | undefined {
  const shown = `zod gave ${describeValue(expected)}, accept gave ${describeValue(actual)}`;
  if (!isDeepStrictEqual(actual, expected)) return `output differs: ${shown}`;
  if (JSON.stringify(keyOrder(actual)) !== JSON.stringify(keyOrder(expected))) return `key order differs: ${shown}`;
  return undefined;
}

/** The own keys of every object and array in a value, in order, as a tree (values beyond the keys are compared apart). */
function keyOrder(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return null;
  return Reflect.ownKeys(value).map((key) => [String(key), keyOrder((value as Record<string | symbol, unknown>)[key])]);
}

/** Every path to a value inside `value` (the root excluded). */
export function paths(value: Json, prefix: Path = []): Path[] {
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

/** The value at `path`. */
export function get(root: Json, path: Path): Json {
  let node: Json = root;
  for (const step of path) node = (node as Record<string | number, Json>)[step]!;
  return node;
}

function parentOf(root: Json, path: Path): Record<string | number, Value> {
  return get(root, path.slice(0, -1)) as unknown as Record<string | number, Value>;
}

/** The last edit made, for the failure report of the case it made. */
let lastEdit = '(whole value)';

/** Names the next case (a test's own edits; {@link withValue} and {@link without} name theirs). */
export function labelEdit(label: string): void {
  lastEdit = label;
}

/** A case and the label of the edit that made it. */
export function tag(value: Value): [string, Value] {
  const label = lastEdit;
  lastEdit = '(whole value)';
  return [label, value];
}

/** A copy of `root` with the value at `path` replaced. */
export function withValue(root: JsonObject, path: Path, value: Value): Value {
  lastEdit = `/${path.join('/')} := ${describeValue(value)}`;
  const copy = clone(root);
  parentOf(copy, path)[path[path.length - 1]!] = value;
  return copy;
}

/** A copy of `root` without the value at `path` (an array item is spliced out). */
export function without(root: JsonObject, path: Path): Value {
  lastEdit = `/${path.join('/')} removed`;
  const copy = clone(root);
  const parent = parentOf(copy, path);
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return copy;
}

const LONG = 'a'.repeat(5000);

/** Bad values of every JSON type (and a few that JSON cannot carry), for every path. */
export const BAD_VALUES: Value[] = [
  null, true, false, 0, -0, 1, -1, 1.5, 2 ** 31, 2 ** 53, -1e308, '', ' ', 'x', LONG, '\u0000', '\u200b', 'a\u202eb', '\ud800', '\t',
  [], [null], ['x'], [1, 2], {}, { a: 1 }, { id: 'x' },
  // Not JSON: the predicate must still match zod on them (signCertificate takes any object).
  undefined, Number.NaN, Number.POSITIVE_INFINITY, 1n, Symbol('s'), () => 1, new Date(0), new String('x'), new Map(),
];

/** Strings close to something valid in this domain, tried at every string path. */
export const NEAR_MISSES: string[] = [
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

/** String lengths around the domain's limits (in code points): each, and one past it. */
export const LENGTHS = [1, 35, 36, 64, 65, 128, 129, 200, 201, 500, 501, 2048, 2049];

/** The string at a path, grown to each limit and one past it: plain, CJK and a pair beyond the BMP. */
export function resized(value: string, lengths: readonly number[] = LENGTHS): string[] {
  const out: string[] = [];
  for (const length of lengths) {
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

/** Keys to add to each object: unknown ones, prototype names and common member names. */
export const EXTRA_KEYS = ['extra', 'exp', 'proof', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '', 'id', 'name', 'type', 'value'];

/** What a schema's tests add to the generic mutations. */
export interface MutationOptions {
  /** Every mutation, or only the cheaper ones (bad values, removals, an unknown member). */
  thorough?: boolean;
  /** Keys added to each object besides {@link EXTRA_KEYS}: the declared keys of other levels, say. */
  extraKeys?: readonly string[];
  /** Numbers tried in place of each number besides ±1, +0.5 and its negation: the schema's limits. */
  numbers?: readonly number[];
  /** Strings tried at every string path besides {@link NEAR_MISSES}. */
  nearMisses?: readonly string[];
  /** Lengths strings are resized to (default {@link LENGTHS}): the schema's limits and one past each. */
  lengths?: readonly number[];
}

/** Variants of a string: edits around it, and the near misses. */
export function stringVariants(value: string, options: Pick<MutationOptions, 'nearMisses' | 'lengths'> = {}): string[] {
  return [
    `${value}x`, value.slice(0, -1), value.slice(1), value.toUpperCase(), value.toLowerCase(), ` ${value}`, `${value} `, `${value}\u200b`,
    `${value}\u0000`, value + value, ...resized(value, options.lengths), ...NEAR_MISSES, ...(options.nearMisses ?? []),
  ];
}

/** Every systematic mutation of one genuine value (an object), each with its label. */
export function* mutations(root: JsonObject, options: MutationOptions = {}): Generator<[string, Value]> {
  const { thorough = true, numbers = [] } = options;
  const extraKeys = [...EXTRA_KEYS, ...(options.extraKeys ?? [])];
  const all = paths(root);
  for (const path of all) {
    const current = get(root, path);
    for (const bad of BAD_VALUES) yield tag(withValue(root, path, bad));
    if (!thorough) {
      yield tag(without(root, path));
      if (current !== null && typeof current === 'object' && !Array.isArray(current)) yield tag(withValue(root, path, { ...current, extra: 'x' }));
      continue;
    }
    if (typeof current === 'string') for (const variant of stringVariants(current, options)) yield tag(withValue(root, path, variant));
    if (typeof current === 'number') {
      for (const n of [current + 1, current - 1, current + 0.5, -current, ...numbers]) yield tag(withValue(root, path, n));
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
    if (current !== null && typeof current === 'object' && !Array.isArray(current)) yield* objectMutations(current, (value) => withValue(root, path, value), extraKeys);
  }
  // The root itself.
  for (const key of extraKeys) if (!(key in root)) yield tag({ ...root, [key]: 'x' });
  yield tag(withOwnProto(root));
  yield tag(Object.assign(Object.create(null) as object, root));
  yield tag([root]);
  yield tag(JSON.stringify(root));
}

/** What JSON.parse makes of `value` with a `"__proto__"` member first: an own member by that name. */
function withOwnProto(value: JsonObject): Value {
  const json = JSON.stringify(value);
  return JSON.parse(`{"__proto__":{"x":1}${json === '{}' ? '' : ','}${json.slice(1)}`) as Value;
}

/** The object at one path replaced (by `put`) with objects that differ from it the ways zod 4 tells apart. */
function* objectMutations(current: JsonObject, put: (value: Value) => Value, extraKeys: readonly string[]): Generator<[string, Value]> {
  for (const key of extraKeys) {
    if (key in current) continue;
    yield tag(put({ ...current, [key]: 'x' }));
  }
  // What JSON.parse makes of a "__proto__" member: an own property, which zod refuses as unknown.
  yield tag(put(withOwnProto(current)));
  // Present and undefined: what zod accepts for an optional member and refuses for a required one.
  for (const key of Object.keys(current)) yield tag(put({ ...current, [key]: undefined }));
  // A declared member inherited rather than own, an unknown enumerable one inherited, and a null prototype.
  const keys = Object.keys(current);
  if (keys.length > 0) {
    const inherited = Object.create({ [keys[0]!]: current[keys[0]!] }) as Record<string, Value>;
    for (const key of keys.slice(1)) inherited[key] = current[key];
    yield tag(put(inherited));
  }
  const extraInherited = Object.create({ extra: 1 }) as Record<string, Value>;
  Object.assign(extraInherited, current);
  yield tag(put(extraInherited));
  yield tag(put(Object.assign(Object.create(null) as object, current)));
  // Array-likes and arrays in place of objects.
  yield tag(put(Object.values(current)));
}

/** Strings of this domain's shapes, for random replacements: codes, certificate numbers, dates, amounts, URLs. */
export function domainStrings(): fc.Arbitrary<string>[] {
  return [
    fc.stringMatching(/^[0-9A-HJ-NPQRTUWXY]{18}$/),
    fc.stringMatching(/^20[0-9]{2}(0[1-9]|1[0-2])[0-3][0-9][0-9]{12}$/),
    fc.stringMatching(/^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-6][0-9]:[0-6][0-9](\.[0-9]{1,10})?(Z|[+-][01][0-9]:[0-6][0-9])$/),
    fc.stringMatching(/^(0|[1-9][0-9]{0,19})(\.[0-9]{0,5})?$/),
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
  ];
}

/** What a schema's tests add to the random cases. */
export interface FuzzOptions {
  /** String shapes of the schema (default {@link domainStrings}). */
  strings?: fc.Arbitrary<string>[];
  /** Strings tried besides {@link NEAR_MISSES}. */
  nearMisses?: readonly string[];
  /** Other replacement values: numbers around the schema's limits, say. */
  values?: fc.Arbitrary<Value>[];
  /** Runs of random JSON, of random edits and of random string replacements. */
  runs?: { json?: number; edits?: number; replacements?: number };
}

/**
 * Random cases, each passed to `check`: random JSON (objects made of the genuine values' own
 * keys too), one to three random edits of a genuine value (replace, remove, add a member, an own
 * `__proto__` among them), and random strings at every path. Fixed seed: {@link FAST_CHECK_SEED}.
 */
export function fuzz(genuine: readonly JsonObject[], check: (value: Value) => void, options: FuzzOptions = {}): void {
  const { json = 3000, edits = 8000, replacements = 8000 } = options.runs ?? {};
  const declaredKeys = [...new Set(genuine.flatMap((c) => paths(c).map((p) => p[p.length - 1]).filter((k): k is string => typeof k === 'string')))];
  // Random JSON, with objects whose keys come from the values' own members.
  const keyed = declaredKeys.length > 0 ? [fc.dictionary(fc.constantFrom(...declaredKeys), fc.jsonValue(), { maxKeys: 14 })] : [];
  fc.assert(
    fc.property(fc.oneof(fc.jsonValue(), ...keyed), (value) => {
      check(value);
    }),
    { numRuns: json, seed: FAST_CHECK_SEED },
  );
  const allPaths = genuine.map((c) => paths(c));
  const stringish = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.constantFrom(...NEAR_MISSES, ...(options.nearMisses ?? [])),
    ...(options.strings ?? domainStrings()),
    fc.integer({ min: 1, max: 2100 }).map((n) => 'a'.repeat(n)),
  );
  const replacement = fc.oneof(stringish, fc.jsonValue(), fc.constantFrom(...BAD_VALUES), ...(options.values ?? []));
  // One to three random edits of a genuine value: replace a value, remove it, add a member.
  const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom('replace', 'replace', 'remove', 'add'), value: replacement, key: fc.constantFrom(...declaredKeys, 'extra', '__proto__') });
  fc.assert(
    fc.property(fc.nat({ max: genuine.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 3 }), (which, edits) => {
      let value: Value = clone(genuine[which]!);
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
      check(value);
    }),
    { numRuns: edits, seed: FAST_CHECK_SEED },
  );
  // Random single-member replacements from the strings that come close, across every path.
  fc.assert(
    fc.property(fc.nat({ max: genuine.length - 1 }), fc.nat(), stringish, (which, at, value) => {
      const root = genuine[which]!;
      const candidates = allPaths[which]!;
      if (candidates.length === 0) return;
      check(withValue(root, candidates[at % candidates.length]!, value));
    }),
    { numRuns: replacements, seed: FAST_CHECK_SEED },
  );
}
