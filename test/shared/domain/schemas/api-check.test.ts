import { describe, expect, it } from 'vitest';
import { certificateCheckDigit } from '#shared/domain/certificate-number.ts';
import { RevocationReasons } from '#shared/domain/records.ts';
import { TextLimits } from '#shared/domain/text.ts';
import {
  CertificateNumberPathSchema,
  CertificatePathSchema,
  CompactReferenceQuerySchema,
  ProofQuerySchema,
  RevokeRequestSchema,
  SdJwtRequestSchema,
  StatusListPathSchema,
  TilePathSchema,
  TransactionLookupQuerySchema,
  VerifyQuerySchema,
  VerifyRequestSchema,
  VocabularyPathSchema,
} from '#shared/domain/schemas/api.ts';
import {
  acceptCertificateNumberPath,
  acceptCertificatePath,
  acceptCompactReferenceQuery,
  acceptProofQuery,
  acceptProxyPath,
  acceptRevokeRequest,
  acceptSdJwtRequest,
  acceptStatusListPath,
  acceptTransactionLookupQuery,
  acceptVerifyQuery,
  acceptVerifyRequest,
  CertificateNumberPathContract,
  CertificatePathContract,
  CompactReferenceQueryContract,
  ProofQueryContract,
  RevokeRequestContract,
  SdJwtRequestContract,
  StatusListPathContract,
  TilePathContract,
  TransactionLookupQueryContract,
  VerifyQueryContract,
  VerifyRequestContract,
  VocabularyPathContract,
} from '#shared/domain/schemas/api-check.ts';
import { MAX_PROXY_LENGTH, MAX_TOKEN_LENGTH } from '#shared/domain/schemas/api-terms.ts';
import type { InputContract } from '#shared/domain/schemas/input-contract.ts';
import { contractParity, fuzz, type JsonObject, LENGTHS, mutations } from '../../../support/schema-parity.ts';

/**
 * Each contract of `api-check.ts` against its reference, the schema of `api.ts` it stands for:
 * the same verdict and, for an accepted value, the same output (`safeParse(value).data`: the
 * proof event defaulted, the check value upper-cased, the verify query's unknown members
 * dropped, members in the schema's order) on genuine values, on systematic mutations of each
 * and on random JSON and random edits. A disagreement is a defect of the predicate.
 */

const CERTIFICATE_ID = '0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b';
const X = 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU';
const Y = 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0';
const certificateNumber = (first19: string): string => first19 + certificateCheckDigit(first19);
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJpZCI6InVybjp1dWlkOngifQ.c2ln';

/** A contract, the schema it is held to, genuine values and the strings that come close to its members. */
interface Case {
  name: string;
  contract: InputContract<unknown>;
  schema: { safeParse(value: unknown): { success: boolean; data?: unknown } };
  accept: (value: unknown) => unknown;
  genuine: JsonObject[];
  nearMisses?: string[];
  lengths?: number[];
}

const CASES: Case[] = [
  {
    name: 'RevokeRequest',
    contract: RevokeRequestContract as InputContract<unknown>,
    schema: RevokeRequestSchema,
    accept: acceptRevokeRequest,
    genuine: [
      ...RevocationReasons.map((reason) => ({ reason })),
      { reason: 'superseded', comment: '重复签发，已更正' },
      { reason: 'data-breach', comment: 'x' },
      { reason: 'unspecified', comment: '数'.repeat(TextLimits.comment) },
      { reason: 'key-compromise', comment: `${'😀'.repeat(TextLimits.comment - 1)}a` },
    ],
    nearMisses: [...RevocationReasons, 'Superseded', 'superseded ', 'revoked', 'compromised'],
  },
  {
    name: 'VerifyRequest',
    contract: VerifyRequestContract as InputContract<unknown>,
    schema: VerifyRequestSchema,
    accept: acceptVerifyRequest,
    genuine: [
      { token: TOKEN },
      { token: '' },
      { token: `${TOKEN}~WyJzYWx0IiwibmFtZSIsIngiXQ~` },
      { token: 'x'.repeat(MAX_TOKEN_LENGTH) },
      { token: '😀'.repeat(MAX_TOKEN_LENGTH) },
      { token: TOKEN, aud: 'https://verifier.example', nonce: 'n-0S6_WzA2Mj' },
      { token: TOKEN, aud: 'a'.repeat(TextLimits.url), nonce: '数'.repeat(TextLimits.reference) },
      { token: TOKEN, aud: 'x', nonce: ' ' },
    ],
    lengths: [...LENGTHS, MAX_TOKEN_LENGTH, MAX_TOKEN_LENGTH + 1],
  },
  {
    name: 'SdJwtRequest',
    contract: SdJwtRequestContract as InputContract<unknown>,
    schema: SdJwtRequestSchema,
    accept: acceptSdJwtRequest,
    genuine: [
      {},
      { holderJwk: { kty: 'EC', crv: 'P-256', x: X, y: Y } },
      { holderJwk: { kty: 'EC', crv: 'P-256', x: X, y: Y, kid: 'holder-1', alg: 'ES256', use: 'sig' } },
      { holderJwk: { kty: 'EC', crv: 'P-256', x: Y, y: X, kid: '' } },
      { holderJwk: { kty: 'EC', crv: 'P-256', x: X, y: Y, kid: '钥'.repeat(TextLimits.reference), use: 'sig' } },
    ],
    nearMisses: ['EC', 'ec', 'RSA', 'OKP', 'P-256', 'P-384', 'secp256k1', 'ES256', 'ES384', 'EdDSA', 'sig', 'enc', `${X}=`, X.slice(1), `${X.slice(1)}+`, `${X.slice(1)}/`],
  },
  {
    name: 'TransactionLookupQuery',
    contract: TransactionLookupQueryContract as InputContract<unknown>,
    schema: TransactionLookupQuerySchema,
    accept: acceptTransactionLookupQuery,
    genuine: [{ transactionRef: 'SDE-2026-000123' }, { transactionRef: 'a' }, { transactionRef: 'A-z0._:/'.repeat(8) }, { transactionRef: '.' }],
    nearMisses: ['SDE 2026', 'SDE-2026-000123#', 'SDE%2D2026', 'ＳＤＥ', 'a\\b', 'a+b'],
  },
  {
    name: 'CertificateNumberPath',
    contract: CertificateNumberPathContract as InputContract<unknown>,
    schema: CertificateNumberPathSchema,
    accept: acceptCertificateNumberPath,
    genuine: [
      { certificateNo: certificateNumber('2026112000000000000') },
      { certificateNo: certificateNumber('2000010100000000000') },
      { certificateNo: certificateNumber('9999123199999999999') },
      { certificateNo: certificateNumber('2028022912345678901') },
    ],
  },
  {
    name: 'CompactReferenceQuery',
    contract: CompactReferenceQueryContract as InputContract<unknown>,
    schema: CompactReferenceQuerySchema,
    accept: acceptCompactReferenceQuery,
    genuine: [{ check: '0123456789' }, { check: 'ABCDEFGHJK' }, { check: 'mnpqrstvwx' }, { check: 'Yz0aB9cD8e' }],
    // Characters whose upper case is another character, or two: the rule judges the upper-cased value.
    nearMisses: ['ABCDEFGHJI', 'ABCDEFGHJL', 'ABCDEFGHJO', 'ABCDEFGHJU', 'abcdefghji', 'ABCDEFGHJ', 'ABCDEFGHJKM', 'ABCDEFGHJß', 'ABCDEFGHıK', 'ＡBCDEFGHJK', 'ABCDEFGHJ\u0345', 'ǆBCDEFGHJK'],
  },
  {
    name: 'CertificatePath',
    contract: CertificatePathContract as InputContract<unknown>,
    schema: CertificatePathSchema,
    accept: acceptCertificatePath,
    genuine: [{ id: CERTIFICATE_ID }, { id: '01890000-0000-7000-8000-000000000000' }, { id: 'ffffffff-ffff-7fff-bfff-ffffffffffff' }],
    nearMisses: [CERTIFICATE_ID.toUpperCase(), `urn:uuid:${CERTIFICATE_ID}`, CERTIFICATE_ID.replace('-7', '-4'), CERTIFICATE_ID.replace('-9', '-c'), `${CERTIFICATE_ID}\n`],
  },
  {
    name: 'StatusListPath',
    contract: StatusListPathContract as InputContract<unknown>,
    schema: StatusListPathSchema,
    accept: acceptStatusListPath,
    genuine: [{ listId: '0' }, { listId: '7' }, { listId: '999999999' }, { listId: '100000000' }],
    nearMisses: ['1000000000', '0x1', '１', '7\n', '-0', '1.0'],
  },
  {
    name: 'ProofQuery',
    contract: ProofQueryContract as InputContract<unknown>,
    schema: ProofQuerySchema,
    accept: acceptProofQuery,
    genuine: [{}, { event: 'issued' }, { event: 'revoked' }],
    nearMisses: ['issued', 'revoked', 'superseded', 'ISSUED', 'issued '],
  },
  {
    name: 'VocabularyPath',
    contract: VocabularyPathContract as InputContract<unknown>,
    schema: VocabularyPathSchema,
    accept: acceptProxyPath,
    genuine: [{ proxy: 'data-compliance/v1.jsonld' }, { proxy: 'data-compliance/v1.schema.json' }, { proxy: 'x' }, { proxy: '路'.repeat(MAX_PROXY_LENGTH) }],
  },
  {
    name: 'TilePath',
    contract: TilePathContract as InputContract<unknown>,
    schema: TilePathSchema,
    accept: acceptProxyPath,
    genuine: [{ proxy: 'tile/0/000' }, { proxy: 'tile/entries/x001/234.p/17' }, { proxy: `${'😀'.repeat(MAX_PROXY_LENGTH - 1)}a` }],
  },
  {
    name: 'VerifyQuery',
    contract: VerifyQueryContract as InputContract<unknown>,
    schema: VerifyQuerySchema,
    accept: acceptVerifyQuery,
    // A plain `z.object`: members it does not declare are dropped from the output.
    genuine: [{}, { log: 'true' }, { log: 'false' }, { log: 'true', other: 'x' }, { lang: 'zh', log: 'false' }],
    nearMisses: ['true', 'false', 'TRUE', '1', 'yes', 'true '],
  },
];

/** Every member any of these schemas declares, added to the objects of every other. */
const DECLARED_KEYS = [...new Set(CASES.flatMap((c) => c.genuine.flatMap((g) => Object.keys(g))))];

describe('api-check contracts', () => {
  it.each(CASES)('$name loads the schema it is held to', async ({ contract, schema }) => {
    expect(await contract.schema()).toBe(schema);
  });

  it.each(CASES)('$name agrees with zod, verdict and output, on genuine values, systematic mutations and random values', ({ name, schema, accept, genuine, nearMisses, lengths }) => {
    const parity = contractParity(schema, accept);
    for (const value of genuine) expect(parity.compare(value, 'genuine')).toBe(true);
    for (const value of genuine) {
      for (const [label, mutated] of mutations(value, { extraKeys: DECLARED_KEYS, ...(nearMisses ? { nearMisses } : {}), ...(lengths ? { lengths } : {}) })) parity.compare(mutated, label);
    }
    fuzz(genuine, (value) => parity.compare(value), { ...(nearMisses ? { nearMisses } : {}), runs: { json: 1000, edits: 2000, replacements: 2000 } });
    parity.expectNoDisagreement();
    console.info(`${name} parity: ${parity.accepted + parity.refused} cases, ${parity.accepted} accepted, ${parity.refused} refused`);
    // Both verdicts occur, beyond the genuine values: the mutations reach accepted values too.
    expect(parity.accepted).toBeGreaterThan(genuine.length);
    expect(parity.refused).toBeGreaterThan(500);
  }, 120_000);
});
