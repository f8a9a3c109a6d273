/**
 * The JSON-LD context of the data-compliance terms. A certificate lists it second in
 * `@context`, after the VC 2.0 base context; it is a constant of the format (not of a
 * deployment), so verifiers can recognise it by value. The document below is what that URL
 * names: it is here so it can be served and so tests can hold the credential builder to it.
 */

/** The VC Data Model 2.0 base context; always first. */
export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';

/** The context of the data-compliance terms; always second. */
export const DCC_CONTEXT_V1 = 'https://w3id.org/data-compliance/v1';

/** The namespace the terms expand into. */
export const DCC_VOCABULARY = 'https://w3id.org/data-compliance#';

const dateTime = (term: string) => ({ '@id': `dcc:${term}`, '@type': 'xsd:dateTime' });

/** The JSON-LD 1.1 document served at {@link DCC_CONTEXT_V1}. Terms are protected. */
export const DCC_CONTEXT_DOCUMENT = {
  '@context': {
    '@version': 1.1,
    '@protected': true,
    dcc: DCC_VOCABULARY,
    xsd: 'http://www.w3.org/2001/XMLSchema#',
    DataComplianceCertificate: 'dcc:DataComplianceCertificate',
    certificateNo: 'dcc:certificateNo',
    iat: { '@id': 'dcc:issuedAtNumericDate', '@type': 'xsd:integer' },
    transaction: 'dcc:transaction',
    exchange: 'dcc:exchange',
    transactionRef: 'dcc:transactionRef',
    tradedAt: dateTime('tradedAt'),
    amount: 'dcc:amount',
    value: 'dcc:value',
    currency: 'dcc:currency',
    provider: 'dcc:provider',
    consumer: 'dcc:consumer',
    uscc: 'dcc:unifiedSocialCreditCode',
    dataProduct: 'dcc:dataProduct',
    version: 'dcc:version',
    classification: 'dcc:classification',
    personalInformation: 'dcc:personalInformation',
    deliveryMethod: 'dcc:deliveryMethod',
    digest: 'dcc:digest',
    alg: 'dcc:digestAlgorithm',
    usage: 'dcc:usage',
    purpose: 'dcc:purpose',
    rights: { '@id': 'dcc:rights', '@container': '@set' },
    crossBorder: 'dcc:crossBorder',
    destination: 'dcc:destination',
    assessmentRef: 'dcc:assessmentRef',
    compliance: 'dcc:compliance',
    assessor: 'dcc:assessor',
    reportRef: 'dcc:reportRef',
    reportDigest: 'dcc:reportDigest',
    assessedAt: dateTime('assessedAt'),
    checks: { '@id': 'dcc:checks', '@container': '@set' },
    code: 'dcc:checkCode',
    result: 'dcc:checkResult',
    supersedes: { '@id': 'dcc:supersedes', '@type': '@id' },
  },
} as const;

/**
 * Member names the VC 2.0 base context (or JSON-LD itself) defines that certificates use;
 * everything else a certificate contains must be a term of {@link DCC_CONTEXT_DOCUMENT}.
 */
export const VC_V2_TERMS_USED = [
  '@context',
  'id',
  'type',
  'name',
  'issuer',
  'validFrom',
  'validUntil',
  'credentialSubject',
  'credentialStatus',
  'statusPurpose',
  'statusListIndex',
  'statusListCredential',
] as const;
