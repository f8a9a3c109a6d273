import * as z from 'zod/mini';
import './zod-locale.ts';
import { isValidCertificateNumber } from '../certificate-number.ts';
import { DCC_CONTEXT_V1, VC_V2_CONTEXT, VOCABULARY_PATHS } from '../credential-context.ts';
import {
  AmountSchema,
  CountryCodeSchema,
  DateTimeSchema,
  HttpUrlSchema,
  PartySchema,
  plainText,
  Sha256DigestSchema,
  TextLimits,
  TransactionRefSchema,
} from './common.ts';
import {
  CREDENTIAL_ID_PATTERN_SOURCE,
  CREDENTIAL_SCHEMA_TYPE,
  CREDENTIAL_TYPES,
  isCredentialId,
  MAX_CREDENTIAL_CHECKS,
  MAX_ISSUED_AT,
  MAX_STATUS_LIST_INDEX,
  MIN_ISSUED_AT,
  SHA384_SRI_PATTERN,
  STATUS_ENTRY_TYPE,
  STATUS_LIST_INDEX_PATTERN,
  STATUS_PURPOSE,
  UsageRights,
} from './credential-terms.ts';
import { CheckSchema, DataProductSchema } from './issue-request.ts';

// Kept where callers always imported them from; defined without zod in credential-terms.ts, which
// the credential predicate (credential-check.ts) shares.
export { certificateIdOf, CREDENTIAL_TYPES, credentialIdOf, MAX_STATUS_LIST_INDEX, vocabularyLinksProblem } from './credential-terms.ts';

/**
 * The certificate: a W3C Verifiable Credential (VC Data Model 2.0), the payload of the
 * `vc+jwt` compact JWS. The verifier parses untrusted payloads with this schema,
 * so it is strict at every level: exact constants, bounded strings, no unknown members, and the
 * cross-field facts the issuer guarantees (status entry id, unique rights and checks).
 *
 * Besides the VC members the payload carries `iat`, the JWT "issued at" claim (RFC 7519,
 * NumericDate seconds): VC 2.0 dropped `issuanceDate`, and `validFrom` here is the start of the
 * usage window, which may lie before or after the issue. An invoice must say when it was issued,
 * under the signature; `iat` is the securing layer's own member for that, which JOSE tooling
 * already understands.
 */

const CredentialIdSchema = z.string().check(
  z.refine(isCredentialId, { message: 'must be urn:uuid: followed by a lower-case UUIDv7' }),
  z.meta({ pattern: CREDENTIAL_ID_PATTERN_SOURCE }),
);

/** `statusListIndex` is a decimal string in the W3C Bitstring Status List format. */
const StatusListIndexSchema = z.string().check(
  z.regex(STATUS_LIST_INDEX_PATTERN, { message: 'must be a decimal string without leading zeros' }),
  z.refine((s) => Number(s) <= MAX_STATUS_LIST_INDEX, { message: `must be at most ${MAX_STATUS_LIST_INDEX}` }),
);

export const CredentialStatusSchema = z
  .strictObject({
    id: HttpUrlSchema,
    type: z.literal(STATUS_ENTRY_TYPE),
    statusPurpose: z.literal(STATUS_PURPOSE),
    statusListIndex: StatusListIndexSchema,
    statusListCredential: HttpUrlSchema,
  })
  .check(
    z.refine((s) => s.id === `${s.statusListCredential}#${s.statusListIndex}`, {
      path: ['id'],
      message: 'must be the status list credential URL, "#", and the index',
    }),
  );

const ExchangeSchema = z.strictObject({
  id: plainText(TextLimits.reference),
  name: plainText(TextLimits.name),
});

const CredentialCrossBorderSchema = z.strictObject({
  destination: CountryCodeSchema,
  assessmentRef: plainText(TextLimits.reference),
});

function unique<T>(key: (item: T) => string, what: string) {
  return (items: T[], ctx: z.core.$RefinementCtx<T[]>) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const k = key(item);
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [i], message: `repeats ${what} "${k}"`, input: item });
      seen.add(k);
    });
  };
}

export const CredentialSubjectSchema = z.strictObject({
  transaction: z.strictObject({
    exchange: ExchangeSchema,
    transactionRef: TransactionRefSchema,
    tradedAt: DateTimeSchema,
    amount: AmountSchema,
  }),
  provider: PartySchema,
  consumer: PartySchema,
  dataProduct: DataProductSchema,
  /** The usage window is the credential's own `validFrom` / `validUntil`. */
  usage: z.strictObject({
    purpose: plainText(TextLimits.purpose),
    rights: z
      .array(z.enum(UsageRights))
      .check(z.minLength(1), z.maxLength(UsageRights.length), z.superRefine(unique((r: string) => r, 'right'))),
    /** Present only when the data leaves China. */
    crossBorder: z.optional(CredentialCrossBorderSchema),
  }),
  compliance: z.strictObject({
    assessor: PartySchema,
    reportRef: plainText(TextLimits.reference),
    reportDigest: Sha256DigestSchema,
    assessedAt: DateTimeSchema,
    checks: z
      .array(CheckSchema)
      .check(z.minLength(1), z.maxLength(MAX_CREDENTIAL_CHECKS), z.superRefine(unique((c: { code: string }) => c.code, 'check'))),
  }),
  /** Present only on a correction: the credential id of the certificate it supersedes. */
  supersedes: z.optional(CredentialIdSchema),
});

/** A URL of the service's whose path ends with `path`: where one of its vocabulary documents is. */
const vocabularyUrl = (path: string) =>
  HttpUrlSchema.check(
    z.refine((url) => url.endsWith(path), { message: `must be the service's ${path}` }),
    z.meta({ pattern: `^https?://\\S*${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$` }),
  );

/**
 * A published vocabulary document and the digest of its bytes (VC 2.0 `relatedResource`). Which
 * digest is right is {@link vocabularyLinksProblem}'s check, not the shape's: the published JSON
 * Schema is rendered from this shape and cannot contain its own digest.
 */
const relatedResource = (path: string) =>
  z.strictObject({ id: vocabularyUrl(path), digestSRI: z.string().check(z.regex(SHA384_SRI_PATTERN, { message: 'must be a SHA-384 SRI digest' })) });

export const CredentialSchema = z.strictObject({
  '@context': z.tuple([z.literal(VC_V2_CONTEXT), z.union([vocabularyUrl(VOCABULARY_PATHS.context), z.literal(DCC_CONTEXT_V1)])]),
  id: CredentialIdSchema,
  type: z.tuple([z.literal(CREDENTIAL_TYPES[0]), z.literal(CREDENTIAL_TYPES[1])]),
  issuer: HttpUrlSchema,
  validFrom: DateTimeSchema,
  validUntil: DateTimeSchema,
  certificateNo: z.string().check(
    z.refine(isValidCertificateNumber, { message: 'must be a 20-digit certificate number with a valid check digit' }),
    z.meta({ pattern: '^[0-9]{20}$' }),
  ),
  credentialSubject: CredentialSubjectSchema,
  credentialStatus: CredentialStatusSchema,
  /** The published JSON Schema of this shape (absent on certificates older than it). */
  credentialSchema: z.optional(z.strictObject({ id: vocabularyUrl(VOCABULARY_PATHS.schema), type: z.literal(CREDENTIAL_SCHEMA_TYPE) })),
  /** The context and the schema, each with the digest of its bytes (absent with `credentialSchema`). */
  relatedResource: z.optional(z.tuple([relatedResource(VOCABULARY_PATHS.context), relatedResource(VOCABULARY_PATHS.schema)])),
  /** Issue time, seconds since the epoch (JWT `iat`). */
  iat: z.int().check(z.gte(MIN_ISSUED_AT), z.lte(MAX_ISSUED_AT)),
});

/** A data compliance certificate as signed (the JWS payload). */
export type Credential = z.infer<typeof CredentialSchema>;
