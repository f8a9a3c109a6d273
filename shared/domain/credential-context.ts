/**
 * The vocabulary of a certificate: the JSON-LD context of the data-compliance terms and the JSON
 * Schema of the credential. The service publishes both under its own public base URL at
 * versioned paths ({@link VOCABULARY_PATHS}); a certificate lists the context second in
 * `@context`, names the schema in `credentialSchema`, and pins both documents' bytes with
 * `relatedResource` digests, so that a JSON-LD processor or a JSON Schema validator anywhere
 * can read the certificate, and a verifier that knows version 1 can tell the documents were not
 * changed. A published version never changes: a change of terms or shape is a new version.
 *
 * Certificates issued before the vocabulary was published name the context
 * {@link DCC_CONTEXT_V1} and carry neither `credentialSchema` nor `relatedResource`; they still
 * verify.
 */

/** The VC Data Model 2.0 base context; always first. */
export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';

/** The context URL of certificates issued before the service published its vocabulary. */
export const DCC_CONTEXT_V1 = 'https://w3id.org/data-compliance/v1';

/** Where the vocabulary's documents are served, under the service's public base URL. */
export const VOCABULARY_PATHS = {
  context: '/ns/data-compliance/v1.jsonld',
  schema: '/ns/data-compliance/v1.schema.json',
} as const;

/** The vocabulary's URLs for one deployment. */
export interface VocabularyUrls {
  context: string;
  schema: string;
}

/** The vocabulary's URLs under `publicBaseUrl` (no trailing slash). */
export function vocabularyUrls(publicBaseUrl: string): VocabularyUrls {
  const base = publicBaseUrl.replace(/\/+$/, '');
  return { context: `${base}${VOCABULARY_PATHS.context}`, schema: `${base}${VOCABULARY_PATHS.schema}` };
}

/**
 * Subresource Integrity digests (SHA-384, base64) of the exact bytes served at the two paths:
 * {@link DCC_CONTEXT_V1_BYTES} and the JSON Schema that `credential-json-schema.ts` renders. A
 * test recomputes both, so neither document can change while it keeps its version.
 */
export const VOCABULARY_SRI = {
  context: 'sha384-UYzIgWsHyd+5FPlKhTWis/t3x4+A7RZM1YazOxfK3WXiEa9c3vQqq3Vm2IFGanwg',
  schema: 'sha384-JwbufYI6m1FIpm6PzWdLcug40/u1djzyZADTbMHcBgE/iBipUyXZaYhA0qFWogn3',
} as const;

/** The namespace the terms expand into. */
export const DCC_VOCABULARY = 'https://w3id.org/data-compliance#';

const dateTime = (term: string) => ({ '@id': `dcc:${term}`, '@type': 'xsd:dateTime' });

/**
 * The JSON-LD 1.1 document served at {@link VOCABULARY_PATHS}`.context`. Terms are protected.
 * `iat` is the VC 2.0 context's own term. `id` inside `exchange` and `dataProduct` is an
 * identifier of the exchange's or the provider's own (not an IRI), so those two terms scope it to
 * a plain string.
 */
export const DCC_CONTEXT_DOCUMENT = {
  '@context': {
    '@version': 1.1,
    '@protected': true,
    dcc: DCC_VOCABULARY,
    xsd: 'http://www.w3.org/2001/XMLSchema#',
    DataComplianceCertificate: 'dcc:DataComplianceCertificate',
    certificateNo: 'dcc:certificateNo',
    transaction: 'dcc:transaction',
    exchange: { '@id': 'dcc:exchange', '@context': { id: 'dcc:exchangeId' } },
    transactionRef: 'dcc:transactionRef',
    tradedAt: dateTime('tradedAt'),
    amount: 'dcc:amount',
    value: 'dcc:value',
    currency: 'dcc:currency',
    provider: 'dcc:provider',
    consumer: 'dcc:consumer',
    uscc: 'dcc:unifiedSocialCreditCode',
    dataProduct: { '@id': 'dcc:dataProduct', '@context': { id: 'dcc:dataProductId' } },
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

/** The bytes served as the context document: what {@link VOCABULARY_SRI}`.context` digests. */
export const DCC_CONTEXT_V1_BYTES = `${JSON.stringify(DCC_CONTEXT_DOCUMENT, null, 2)}\n`;

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
  'credentialSchema',
  'relatedResource',
  'digestSRI',
  'iat',
] as const;
