import { createECDH, createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_KEY_TYPES,
  CLIENT_STATUSES,
  MAX_CLIENT_KEYS,
  MAX_CLIENT_NAME_LENGTH,
  MAX_KID_LENGTH,
  PRIVATE_KEY_MEMBERS,
  ROLE_CLIENT_ROLES,
  RSA_MAX_BITS,
  RSA_MIN_BITS,
} from '#shared/domain/client-registration.ts';
import {
  acceptClientJwks,
  acceptClientRegistration,
  acceptExchangePath,
  acceptExchangeRegistration,
  acceptRoleClientPath,
  ClientRegistrationRequestContract,
  ExchangePathContract,
  ExchangeRegistrationRequestContract,
  RoleClientPathContract,
} from '#shared/domain/schemas/client-registration-check.ts';
import {
  ClientJwksSchema,
  ClientRegistrationRequestSchema,
  ExchangePathSchema,
  ExchangeRegistrationRequestSchema,
  RoleClientPathSchema,
} from '#shared/domain/schemas/client-registration.ts';
import { REFUSED } from '#shared/domain/schemas/input-contract.ts';
import { clone, contractParity, fuzz, type JsonObject, LENGTHS, mutations, type ParityRecorder, tag, type Value } from '../../../support/schema-parity.ts';

/**
 * The registration routes' contracts against their references, the schemas of
 * `client-registration.ts`: the same verdict and, for an accepted value, the same output as
 * `safeParse(value).data` (the name trimmed, the status defaulted, members in the schema's order,
 * undeclared path members dropped), on genuine requests (keys of every type, with and without
 * `alg` and `use`, key sets of one to the most keys, every role and status, names, kids and RSA
 * moduli at their limits), on systematic mutations of each (with the key rules' own: private
 * members, other types' members, duplicate kids, points off the curve) and on random JSON and
 * random mutations. The keys are fixed, so every run judges the same values.
 */

type Jwk = Record<string, string>;

/** A P-256 public key from a fixed private scalar. */
function ecKey(seed: string, kid: string): Jwk {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(createHash('sha256').update(seed).digest());
  const point = ecdh.getPublicKey();
  return { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url'), kid };
}

/** An Ed25519 public key from a fixed seed, as node:crypto exports it (its member order). */
function okpKey(seed: string, kid: string): Jwk {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), createHash('sha256').update(seed).digest()]);
  const jwk = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({ format: 'jwk' });
  return { ...(jwk as Jwk), kid };
}

/** A real RSA key of 2048 bits: Wycheproof's RS256 test key. */
const RSA_2048 = (() => {
  const file = JSON.parse(readFileSync(new URL('../../../fixtures/wycheproof/json_web_signature_test.json', import.meta.url), 'utf8')) as {
    testGroups: { public?: Jwk }[];
  };
  const key = file.testGroups.map((group) => group.public).find((key) => key?.['kid'] === 'RS256_2048');
  if (!key?.['n']) throw new Error('the Wycheproof RS256 key is missing');
  return key['n'];
})();

/**
 * An RSA modulus of exactly `bits` bits (odd, top bit set, fixed bytes): what the size rule
 * judges, which no generator makes at the sizes just outside the limits.
 */
function modulus(bits: number): string {
  const length = Math.ceil(bits / 8);
  const bytes = Buffer.alloc(length);
  for (let i = 0; i * 32 < length; i++) createHash('sha256').update(`modulus ${bits} ${i}`).digest().copy(bytes, i * 32);
  const top = bits - (length - 1) * 8;
  bytes[0] = (bytes[0]! & ((1 << top) - 1)) | (1 << (top - 1));
  bytes[length - 1]! |= 1;
  return bytes.toString('base64url');
}

function rsaKey(n: string, kid: string): Jwk {
  return { kty: 'RSA', n, e: 'AQAB', kid };
}

/** RFC 7515 A.3's P-256 key, its public members only. */
const RFC7515_EC: Jwk = (() => {
  const { jwk } = JSON.parse(readFileSync(new URL('../../../fixtures/rfc7515/appendix-a3-es256.json', import.meta.url), 'utf8')) as { jwk: Jwk };
  return { kty: jwk['kty']!, crv: jwk['crv']!, x: jwk['x']!, y: jwk['y']!, kid: 'rfc7515-a3' };
})();

const EC = ecKey('ec one', 'ec-1');
const EC2 = ecKey('ec two', 'ec-2');
const OKP = okpKey('okp one', 'okp-1');
const OKP2 = okpKey('okp two', 'okp-2');
const RSA = rsaKey(RSA_2048, 'rsa-1');
const RSA_MAX = rsaKey(modulus(RSA_MAX_BITS), 'rsa-4096');
const RSA_MIN = rsaKey(modulus(RSA_MIN_BITS), 'rsa-2048');

/** Every visible ASCII character, the kid's alphabet. */
const VISIBLE_ASCII = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join('');

/** Key sets: one key of each type, with `alg` and `use` present, absent and undefined, up to the most keys. */
function keySets(): JsonObject[] {
  const sets: Jwk[][] = [
    [EC],
    [RSA],
    [OKP],
    [RFC7515_EC],
    [RSA_MAX],
    [RSA_MIN],
    [{ ...EC, alg: CLIENT_KEY_TYPES.EC.alg, use: 'sig' }],
    [{ ...RSA, alg: CLIENT_KEY_TYPES.RSA.alg, use: 'sig' }],
    [{ ...OKP, alg: CLIENT_KEY_TYPES.OKP.alg }],
    [{ ...OKP, use: 'sig' }],
    [EC, RSA],
    [OKP, EC, RSA_MAX],
    [EC, EC2, OKP, OKP2],
    [EC, EC2, OKP, OKP2, RSA].slice(0, MAX_CLIENT_KEYS),
    // The same key twice under two kids is allowed: only kids must differ.
    [EC, { ...EC, kid: 'ec-1-again' }],
    // Kids at their limits.
    [{ ...EC, kid: 'k' }, { ...OKP, kid: 'k'.repeat(MAX_KID_LENGTH) }, { ...RSA, kid: VISIBLE_ASCII }],
  ];
  const out: JsonObject[] = sets.map((keys) => ({ keys }));
  // Optional members present and undefined, and members in another order than the schema's.
  out.push({ keys: [{ ...EC, alg: undefined, use: undefined } as unknown as JsonObject] });
  out.push({ keys: [Object.fromEntries(Object.entries({ ...RSA, use: 'sig' }).reverse())] });
  return out;
}

const KEY_SETS = keySets();

/** Names at their limits, in code points after trimming: ASCII, CJK, beyond the BMP, and spaces around. */
const NAMES = [
  'Shanghai Data Exchange',
  '上海数据交易所',
  'x',
  'n'.repeat(MAX_CLIENT_NAME_LENGTH),
  '数'.repeat(MAX_CLIENT_NAME_LENGTH),
  '😀'.repeat(MAX_CLIENT_NAME_LENGTH),
  `  ${'a'.repeat(MAX_CLIENT_NAME_LENGTH)}\n\t`,
  '\u3000 上海 数据 \u00a0',
  'a\u0000b',
];

function exchangeBodies(): JsonObject[] {
  const bodies: JsonObject[] = [];
  for (const jwks of KEY_SETS) bodies.push({ name: 'Shanghai Data Exchange', jwks });
  for (const name of NAMES) bodies.push({ name, jwks: KEY_SETS[0]! });
  for (const status of CLIENT_STATUSES) bodies.push({ name: 'SDE', jwks: KEY_SETS[10]!, status });
  bodies.push({ status: 'suspended', jwks: KEY_SETS[1]!, name: ' SDE ' });
  bodies.push({ name: 'SDE', jwks: KEY_SETS[2]!, status: undefined } as unknown as JsonObject);
  return bodies;
}

function clientBodies(): JsonObject[] {
  const bodies: JsonObject[] = [];
  for (const role of ROLE_CLIENT_ROLES) {
    for (const status of [...CLIENT_STATUSES, undefined]) {
      bodies.push({ role, name: `${role} client`, jwks: KEY_SETS[6]!, ...(status === undefined ? {} : { status }) });
    }
  }
  for (const jwks of KEY_SETS) bodies.push({ role: 'auditor', name: 'Audit Office', jwks });
  for (const name of NAMES) bodies.push({ role: 'admin', name, jwks: KEY_SETS[2]! });
  bodies.push({ status: 'active', jwks: KEY_SETS[13]!, name: '审计署', role: 'auditor' });
  return bodies;
}

const EXCHANGE_BODIES = exchangeBodies();
const CLIENT_BODIES = clientBodies();
/** The bodies every mutation is run on; the others get the cheaper ones. */
const THOROUGH = new Set<JsonObject>([EXCHANGE_BODIES[13]!, EXCHANGE_BODIES[15]!, EXCHANGE_BODIES[16]!, CLIENT_BODIES[0]!, CLIENT_BODIES[CLIENT_BODIES.length - 1]!]);

const EXCHANGE_PATHS: JsonObject[] = [
  { exchangeId: 'sde' },
  { exchangeId: 'a1' },
  { exchangeId: `x${'-'.repeat(62)}` },
  { exchangeId: '0'.repeat(63) },
  // API Gateway hands over every path parameter: the schema keeps only its own.
  { exchangeId: 'sde', clientId: 'auditor.acme', proxy: 'v1/exchanges/sde' },
];

const CLIENT_PATHS: JsonObject[] = [
  { clientId: 'auditor.acme' },
  { clientId: 'admin:ops' },
  { clientId: 'a.' },
  { clientId: 'audit_office.cn-north-1:ops-01' },
  { clientId: `a${'.'.repeat(127)}` },
  { clientId: 'x:y', exchangeId: 'sde' },
];

/** Keys added to each object besides the harness's: the private members, other types' and other levels'. */
const EXTRA_KEYS = [...PRIVATE_KEY_MEMBERS, 'kty', 'crv', 'x', 'y', 'n', 'e', 'kid', 'alg', 'use', 'x5c', 'key_ops', 'keys', 'jwks', 'role', 'status', 'exchangeId', 'clientId'];

/** Strings near the values of this domain. */
const NEAR_MISSES = [
  'EC', 'ec', 'RSA', 'OKP', 'oct', 'P-256', 'P-384', 'secp256k1', 'Ed25519', 'Ed448', 'X25519', 'ES256', 'ES384', 'RS256', 'PS256', 'EdDSA', 'none',
  'sig', 'enc', 'SIG', 'AQAB', 'AQAA', 'Aw', 'AQABAA', ...CLIENT_STATUSES, 'Active', 'deleted', ...ROLE_CLIENT_ROLES, 'exchange', 'Auditor',
  'abc=', 'ab+c', 'ab/c', 'a b', 'kid with space', 'kid\u007f', 'kid\u00e9', 'sde', 'SDE', '-sde', 'a', 'a.b', 'A.b', '.ab', 'a..', 'a:b', 'a_b', 'a/b',
  RSA_2048, modulus(RSA_MIN_BITS - 1), modulus(RSA_MAX_BITS + 1), EC['x']!, EC['y']!, OKP['x']!, EC2['x']!,
];

/** Lengths strings are resized to: the harness's, and the ids' limits around them. */
const MUTATION_LENGTHS = [...LENGTHS, 2, 62, 63, 127, 342, 343, 344, 683, 684];

/** The key rules' own refusals and near acceptances, on a copy of a body with a key set at `/jwks` (or a key set itself). */
function* keyRuleCases(root: JsonObject, at: (jwks: JsonObject) => JsonObject): Generator<[string, Value]> {
  const sets: [string, Value][] = [
    ['no key', { keys: [] }],
    ['one key too many', { keys: [EC, EC2, OKP, OKP2, RSA, RSA_MAX].map((key, i) => ({ ...key, kid: `k${i}` })) }],
    ['the most keys', { keys: [EC, EC2, OKP, OKP2, RSA].map((key, i) => ({ ...key, kid: `k${i}` })) }],
    ['a kid twice', { keys: [EC, { ...OKP, kid: EC['kid']! }] }],
    ['a kid twice, far apart', { keys: [EC, EC2, OKP, OKP2, { ...RSA, kid: EC2['kid']! }] }],
    ['a point off the curve', { keys: [{ ...EC, y: EC['x']! }] }],
    ['another key\'s y', { keys: [{ ...EC, y: EC2['y']! }] }],
    ['a short Ed25519 key', { keys: [{ ...OKP, x: OKP['x']!.slice(0, -2) }] }],
    ['an Ed25519 key as EC', { keys: [{ ...OKP, kty: 'EC', crv: 'P-256' }] }],
    ['an EC key as Ed25519', { keys: [{ ...EC, kty: 'OKP', crv: 'Ed25519', y: undefined }] }],
    ['a modulus one bit short', { keys: [rsaKey(modulus(RSA_MIN_BITS - 1), 'r')] }],
    ['a modulus one bit long', { keys: [rsaKey(modulus(RSA_MAX_BITS + 1), 'r')] }],
    ['a modulus of 3072 bits', { keys: [rsaKey(modulus(3072), 'r')] }],
    ['an empty modulus', { keys: [rsaKey('', 'r')] }],
    ['a modulus with a leading zero byte', { keys: [rsaKey(Buffer.concat([Buffer.alloc(1), Buffer.from(RSA_2048, 'base64url')]).toString('base64url'), 'r')] }],
    ['a key in a list of keys', { keys: [[EC]] }],
  ];
  for (const [label, jwks] of sets) yield [label, at(jwks as JsonObject)];
  // A private member that for...in does not see: own and not enumerable (refused), inherited and not enumerable (accepted).
  for (const member of PRIVATE_KEY_MEMBERS) {
    const hidden = { ...OKP };
    Object.defineProperty(hidden, member, { value: 'c2VjcmV0', enumerable: false });
    yield [`a hidden own "${member}"`, at({ keys: [hidden] } as unknown as JsonObject)];
    const inherited = Object.create(Object.defineProperty({}, member, { value: 'c2VjcmV0', enumerable: false })) as Jwk;
    Object.assign(inherited, EC);
    yield [`an inherited hidden "${member}"`, at({ keys: [inherited] } as unknown as JsonObject)];
  }
  // Optional members inherited: zod reads them, and keeps them in its output.
  const inheritedAlg = Object.assign(Object.create({ alg: 'ES256' }) as Jwk, EC);
  yield ['an inherited alg', at({ keys: [inheritedAlg] } as unknown as JsonObject)];
  const inheritedUndefinedUse = Object.assign(Object.create(Object.defineProperty({}, 'use', { value: undefined, enumerable: false })) as Jwk, RSA);
  yield ['an inherited undefined use', at({ keys: [inheritedUndefinedUse] } as unknown as JsonObject)];
  yield tag(root);
}

/** Runs the genuine values, every mutation and the key rules' cases through one contract. */
function systematic(parity: ParityRecorder, genuine: readonly JsonObject[], thorough: (value: JsonObject) => boolean, keyRules?: (root: JsonObject) => Generator<[string, Value]>): void {
  const [accepted0, refused0] = [parity.accepted, parity.refused];
  for (const value of genuine) {
    for (const [label, mutated] of mutations(value, { thorough: thorough(value), extraKeys: EXTRA_KEYS, nearMisses: NEAR_MISSES, lengths: MUTATION_LENGTHS })) parity.compare(mutated, label);
    if (keyRules) for (const [label, mutated] of keyRules(value)) parity.compare(mutated, label);
  }
  parity.expectNoDisagreement();
  const [acceptedN, refusedN] = [parity.accepted - accepted0, parity.refused - refused0];
  console.info(`client-registration-check parity, systematic mutations: ${acceptedN + refusedN} cases, ${acceptedN} accepted, ${refusedN} refused`);
  // Both verdicts occur in quantity: the mutations reach accepted values too, not only refusals.
  expect(acceptedN).toBeGreaterThan(50);
  expect(refusedN).toBeGreaterThan(1000);
}

function acceptsEveryGenuine(parity: ParityRecorder, genuine: readonly JsonObject[]): void {
  const before = parity.accepted;
  for (const value of genuine) expect(parity.compare(value)).toBe(true);
  parity.expectNoDisagreement();
  expect(parity.accepted - before).toBe(genuine.length);
}

const withJwks = (root: JsonObject) => (jwks: JsonObject): JsonObject => ({ ...clone(root), jwks });

describe('acceptClientJwks', () => {
  const parity = contractParity(ClientJwksSchema, acceptClientJwks);

  it('accepts every genuine key set as zod parses it', () => {
    acceptsEveryGenuine(parity, KEY_SETS);
  });

  it('agrees with zod on every systematic mutation of every genuine key set, and on the key rules', () => {
    systematic(parity, KEY_SETS, () => true, (root) => keyRuleCases(root, (jwks) => jwks));
  }, 180_000);
});

describe('ExchangeRegistrationRequestContract', () => {
  const parity = contractParity(ExchangeRegistrationRequestSchema, acceptExchangeRegistration);

  it('accepts every genuine request as zod parses it: the name trimmed, the status defaulted, in the schema order', () => {
    acceptsEveryGenuine(parity, EXCHANGE_BODIES);
    const accepted = acceptExchangeRegistration({ jwks: { keys: [{ ...OKP, alg: undefined }] }, name: '  SDE \n' });
    expect(accepted).toEqual({ name: 'SDE', jwks: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: OKP['x'], kid: 'okp-1', alg: undefined }] }, status: 'active' });
    expect(Object.keys((accepted as { jwks: { keys: object[] } }).jwks.keys[0]!)).toEqual(['kty', 'crv', 'x', 'kid', 'alg']);
  });

  it('agrees with zod on every systematic mutation of every genuine request', () => {
    systematic(parity, EXCHANGE_BODIES, (body) => THOROUGH.has(body), (root) => keyRuleCases(root, withJwks(root)));
  }, 300_000);

  it('agrees with zod on random JSON and random mutations (fast-check)', () => {
    fuzz(EXCHANGE_BODIES, (value) => parity.compare(value), { nearMisses: NEAR_MISSES });
    parity.expectNoDisagreement();
  }, 180_000);

  it('loads the schema it answers for (start-ups never do: bundle-hygiene.test.ts)', async () => {
    expect(await ExchangeRegistrationRequestContract.schema()).toBe(ExchangeRegistrationRequestSchema);
  });
});

describe('ClientRegistrationRequestContract', () => {
  const parity = contractParity(ClientRegistrationRequestSchema, acceptClientRegistration);

  it('accepts every genuine request as zod parses it', () => {
    acceptsEveryGenuine(parity, CLIENT_BODIES);
  });

  it('agrees with zod on every systematic mutation of every genuine request', () => {
    systematic(parity, CLIENT_BODIES, (body) => THOROUGH.has(body), (root) => keyRuleCases(root, withJwks(root)));
  }, 300_000);

  it('agrees with zod on random JSON and random mutations (fast-check)', () => {
    fuzz(CLIENT_BODIES, (value) => parity.compare(value), { nearMisses: NEAR_MISSES });
    parity.expectNoDisagreement();
  }, 180_000);

  it('loads the schema it answers for (start-ups never do: bundle-hygiene.test.ts)', async () => {
    expect(await ClientRegistrationRequestContract.schema()).toBe(ClientRegistrationRequestSchema);
  });
});

describe('ExchangePathContract and RoleClientPathContract', () => {
  const exchange = contractParity(ExchangePathSchema, acceptExchangePath);
  const client = contractParity(RoleClientPathSchema, acceptRoleClientPath);

  it('accept every genuine path as zod parses it, without the members they do not declare', () => {
    acceptsEveryGenuine(exchange, EXCHANGE_PATHS);
    acceptsEveryGenuine(client, CLIENT_PATHS);
    expect(acceptExchangePath({ exchangeId: 'sde', clientId: 'auditor.acme' })).toEqual({ exchangeId: 'sde' });
    expect(acceptRoleClientPath({ clientId: 'sde' })).toBe(REFUSED);
  });

  it('agree with zod on every systematic mutation, on the other route\'s ids and on random values', () => {
    systematic(exchange, [...EXCHANGE_PATHS, ...CLIENT_PATHS.map((p) => ({ exchangeId: p['clientId']! }))], () => true);
    systematic(client, [...CLIENT_PATHS, ...EXCHANGE_PATHS.map((p) => ({ clientId: p['exchangeId']! }))], () => true);
    const runs = { json: 1000, edits: 3000, replacements: 3000 };
    fuzz(EXCHANGE_PATHS, (value) => exchange.compare(value), { nearMisses: NEAR_MISSES, runs });
    fuzz(CLIENT_PATHS, (value) => client.compare(value), { nearMisses: NEAR_MISSES, runs });
    exchange.expectNoDisagreement();
    client.expectNoDisagreement();
  }, 180_000);

  it('load the schemas they answer for (start-ups never do: bundle-hygiene.test.ts)', async () => {
    expect(await ExchangePathContract.schema()).toBe(ExchangePathSchema);
    expect(await RoleClientPathContract.schema()).toBe(RoleClientPathSchema);
  });
});
