import { DCC_CONTEXT_V1, VOCABULARY_PATHS, VOCABULARY_SRI } from '../credential-context.ts';

/**
 * The constants and cross-member rules of the certificate's shape that the zod schemas
 * (`common.ts`, `issue-request.ts`, `credential.ts`) and the credential predicate
 * (`credential-check.ts`) share. This module imports no zod, so that what only verifies
 * certificates (the predicate, `certificate.ts`) loads none of the schemas at start-up, and the
 * two validators read every limit, vocabulary and pattern from one place.
 */

/** The lower-case UUIDv7 that identifies a certificate (its record id). */
export const CERTIFICATE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Data classification under the Data Security Law: core data is never certified. */
export const DataClassifications = ['general', 'important', 'core'] as const;

/** Whether the product carries personal information, and whether it is sensitive (PIPL art. 28). */
export const PersonalInformationLevels = ['none', 'personal', 'sensitive'] as const;

/**
 * How the data reaches the consumer. A closed vocabulary, so that certificates from different
 * exchanges compare; `other` keeps the door open for a method the list does not name yet.
 */
export const DeliveryMethods = [
  'api',
  'file-transfer',
  'database-sync',
  'data-sandbox',
  'privacy-computing',
  'other',
] as const;

/** The three data property rights a transaction can grant (持有权, 加工使用权, 经营权). */
export const UsageRights = ['hold', 'process-use', 'operate'] as const;

/** The compliance checks an assessor reports, by stable code (`shared/i18n/messages/certificate.ts` names them). */
export const CheckCodes = [
  'source-legality',
  'usage-scope',
  'traceability',
  'risk-control',
  'pi-separate-consent',
  'cross-border-security-assessment',
] as const;

export const CheckResults = ['pass', 'fail', 'not-applicable'] as const;

export type CheckCode = (typeof CheckCodes)[number];

/** The four checks every certificate needs passed. */
export const BaselineCheckCodes = ['source-legality', 'usage-scope', 'traceability', 'risk-control'] as const satisfies readonly CheckCode[];

/** Upper bound of an issue request's `compliance.checks`: each code once, with room for the duplicates the rules report. */
export const MAX_CHECKS = 12;

/** Upper bound of a certificate's `compliance.checks`: each code at most once. */
export const MAX_CREDENTIAL_CHECKS = CheckCodes.length;

/** `id` of a certificate: `urn:uuid:` + the certificate id. */
const CREDENTIAL_ID_PREFIX = 'urn:uuid:';

/** The pattern of a credential id, as the published JSON Schema states it. */
export const CREDENTIAL_ID_PATTERN_SOURCE = `^${CREDENTIAL_ID_PREFIX}${CERTIFICATE_ID_PATTERN.source.slice(1)}`;

/** The credential `id` (and `supersedes`) that names the certificate `certificateId`. */
export function credentialIdOf(certificateId: string): string {
  return `${CREDENTIAL_ID_PREFIX}${certificateId}`;
}

/**
 * The certificate id a credential `id` names: the id without its `urn:uuid:` prefix. A value
 * without the prefix is returned as it is, so callers may accept either spelling.
 */
export function certificateIdOf(credentialId: string): string {
  return credentialId.startsWith(CREDENTIAL_ID_PREFIX) ? credentialId.slice(CREDENTIAL_ID_PREFIX.length) : credentialId;
}

/** Whether `value` is a credential id: `urn:uuid:` and a lower-case UUIDv7. */
export function isCredentialId(value: string): boolean {
  return value.startsWith(CREDENTIAL_ID_PREFIX) && CERTIFICATE_ID_PATTERN.test(value.slice(CREDENTIAL_ID_PREFIX.length));
}

/** The credential's `type`, in this order. */
export const CREDENTIAL_TYPES = ['VerifiableCredential', 'DataComplianceCertificate'] as const;

/** Status-list bit indexes stay below 2^31: far beyond any list size, small enough for every runtime. */
export const MAX_STATUS_LIST_INDEX = 2 ** 31 - 1;

/** `statusListIndex` is a decimal string (W3C Bitstring Status List) without leading zeros. */
export const STATUS_LIST_INDEX_PATTERN = /^(0|[1-9]\d{0,9})$/;

/** `credentialStatus.type`: a W3C Bitstring Status List entry. */
export const STATUS_ENTRY_TYPE = 'BitstringStatusListEntry';

/** `credentialStatus.statusPurpose`: a certificate's status bit says whether it is revoked. */
export const STATUS_PURPOSE = 'revocation';

/** `credentialSchema.type`: the schema is a JSON Schema. */
export const CREDENTIAL_SCHEMA_TYPE = 'JsonSchema';

/** Bounds of `iat` (seconds since the epoch): 2000-01-01T00:00:00Z to 9999-12-31T23:59:59Z. */
export const MIN_ISSUED_AT = 946_684_800;
export const MAX_ISSUED_AT = 253_402_300_799;

/** A `digestSRI` of a vocabulary document: SHA-384, base64. */
export const SHA384_SRI_PATTERN = /^sha384-[A-Za-z0-9+/]{64}$/;

/** The members {@link vocabularyLinksProblem} reads, as a credential that passed the shape has them. */
export interface VocabularyLinks {
  readonly '@context': readonly [string, string];
  readonly credentialSchema?: { readonly id: string } | undefined;
  readonly relatedResource?: readonly [{ readonly id: string; readonly digestSRI: string }, { readonly id: string; readonly digestSRI: string }] | undefined;
}

/**
 * What is wrong with a parsed credential's links to its vocabulary, or `null`: the published
 * context comes with the schema and both digests, all under the same base URL; the older
 * context with neither. A cross-member rule, kept out of `CredentialSchema` so that the
 * schema stays an object other shapes can extend; the verifier applies both.
 */
export function vocabularyLinksProblem(credential: VocabularyLinks): { path: string; message: string } | null {
  const context = credential['@context'][1];
  const linked = credential.credentialSchema !== undefined || credential.relatedResource !== undefined;
  if (context === DCC_CONTEXT_V1) {
    return linked ? { path: '/credentialSchema', message: `must be absent with the context ${DCC_CONTEXT_V1}` } : null;
  }
  const schemaUrl = `${context.slice(0, -VOCABULARY_PATHS.context.length)}${VOCABULARY_PATHS.schema}`;
  if (credential.credentialSchema?.id !== schemaUrl) return { path: '/credentialSchema', message: `must name ${schemaUrl}` };
  const [contextResource, schemaResource] = credential.relatedResource ?? [];
  if (contextResource?.id !== context || schemaResource?.id !== schemaUrl) {
    return { path: '/relatedResource', message: 'must pin the context and the schema the credential names' };
  }
  // A certificate of this version names these exact documents: other bytes are other terms.
  if (contextResource.digestSRI !== VOCABULARY_SRI.context) return { path: '/relatedResource/0/digestSRI', message: 'is not the digest of version 1 of the context' };
  if (schemaResource.digestSRI !== VOCABULARY_SRI.schema) return { path: '/relatedResource/1/digestSRI', message: 'is not the digest of version 1 of the schema' };
  return null;
}

/** The claims a holder may disclose or keep hidden, by the names `dcc present --disclose` takes. */
export const DISCLOSABLE_CLAIMS = ['amount', 'provider', 'consumer', 'dataProduct', 'purpose'] as const;
export type DisclosableClaim = (typeof DISCLOSABLE_CLAIMS)[number];

/** Where each disclosable claim sits in the credential: the objects above it, and its member name. */
export const DISCLOSABLE_PLACES: Readonly<Record<DisclosableClaim, { readonly parent: readonly string[]; readonly name: string }>> = {
  amount: { parent: ['credentialSubject', 'transaction'], name: 'amount' },
  provider: { parent: ['credentialSubject'], name: 'provider' },
  consumer: { parent: ['credentialSubject'], name: 'consumer' },
  dataProduct: { parent: ['credentialSubject'], name: 'dataProduct' },
  purpose: { parent: ['credentialSubject', 'usage'], name: 'purpose' },
};
