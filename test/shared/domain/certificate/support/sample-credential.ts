import { newCertificateNumber } from '#shared/domain/certificate-number.ts';
import { DCC_CONTEXT_V1, VC_V2_CONTEXT } from '#shared/domain/credential-context.ts';
import { CredentialSchema, type Credential } from '#shared/domain/schemas/credential.ts';

/** The instant the sample certificates are issued at. */
export const SAMPLE_ISSUED_AT = new Date('2026-11-20T09:00:00Z');

/**
 * The clock of tests that verify sample certificates: inside their usage window (2026-12-01 to
 * 2027-11-30). Verifying them at the real clock would turn `active` into `expired` on the day the
 * window ends; judge them at this instant instead.
 */
export const SAMPLE_VALID_AT = new Date('2027-03-01T00:00:00Z');

const STATUS_LIST = 'https://dcc.example.gov.cn/v1/status-lists/0';

/**
 * A complete, schema-valid certificate payload, with non-ASCII names so that the UTF-8 path
 * of signing and verifying is exercised. `overrides` replaces top-level members.
 */
export function sampleCredential(overrides: Partial<Credential> = {}, index = 7): Credential {
  const credential: Credential = {
    '@context': [VC_V2_CONTEXT, DCC_CONTEXT_V1],
    id: `urn:uuid:0192f3a4-5b6c-7d8e-9f01-${String(index).padStart(12, '0')}`,
    type: ['VerifiableCredential', 'DataComplianceCertificate'],
    issuer: 'https://dcc.example.gov.cn',
    validFrom: '2026-12-01T00:00:00Z',
    validUntil: '2027-11-30T23:59:59Z',
    certificateNo: newCertificateNumber(SAMPLE_ISSUED_AT, (n) => new Uint8Array(n).fill(index)),
    credentialSubject: {
      transaction: {
        exchange: { id: 'sde', name: '上海数据交易所' },
        transactionRef: `SDE-2026-${String(index).padStart(6, '0')}`,
        tradedAt: '2026-11-20T08:30:00Z',
        amount: { value: '120000.00', currency: 'CNY' },
      },
      provider: { name: '阿里巴巴（中国）有限公司', uscc: '91330100799655058B' },
      consumer: { name: 'Tencent Technology (Shenzhen) Co., Ltd.', uscc: '91440300708461136T' },
      dataProduct: {
        id: 'DP-7781',
        name: 'Merchant credit features',
        version: '2026.3',
        classification: 'general',
        personalInformation: 'none',
        deliveryMethod: 'api',
        digest: { alg: 'sha-256', value: 'a'.repeat(64) },
      },
      usage: { purpose: 'credit risk modelling', rights: ['process-use'] },
      compliance: {
        assessor: { name: 'Zhejiang Data Compliance Center', uscc: '91110000802100433B' },
        reportRef: 'CA-2026-0456',
        reportDigest: { alg: 'sha-256', value: 'b'.repeat(64) },
        assessedAt: '2026-11-18T10:00:00Z',
        checks: [
          { code: 'source-legality', result: 'pass' },
          { code: 'usage-scope', result: 'pass' },
          { code: 'traceability', result: 'pass' },
          { code: 'risk-control', result: 'pass' },
        ],
      },
    },
    credentialStatus: {
      id: `${STATUS_LIST}#${index}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(index),
      statusListCredential: STATUS_LIST,
    },
    iat: Math.floor(SAMPLE_ISSUED_AT.getTime() / 1000),
    ...overrides,
  };
  // A sample the schema refuses would make every test below meaningless.
  return CredentialSchema.parse(credential);
}
