import * as z from 'zod';
import { isValidCertificateNumber } from '../certificate-number.ts';
import { DCC_CONTEXT_V1, VC_V2_CONTEXT } from '../credential-context.ts';
import {
  AmountSchema,
  CERTIFICATE_ID_PATTERN,
  CountryCodeSchema,
  DateTimeSchema,
  HttpUrlSchema,
  PartySchema,
  plainText,
  Sha256DigestSchema,
  TextLimits,
  TransactionRefSchema,
} from './common.ts';
import { CheckSchema, DataProductSchema, UsageRights } from './issue-request.ts';

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

/** `id` of a certificate: `urn:uuid:` + the certificate id. */
const CREDENTIAL_ID_PREFIX = 'urn:uuid:';

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

/** The credential's `type`, in this order. */
export const CREDENTIAL_TYPES = ['VerifiableCredential', 'DataComplianceCertificate'] as const;

/** Status-list bit indexes stay below 2^31: far beyond any list size, small enough for every runtime. */
export const MAX_STATUS_LIST_INDEX = 2 ** 31 - 1;

const CredentialIdSchema = z
  .string()
  .refine((s) => s.startsWith(CREDENTIAL_ID_PREFIX) && CERTIFICATE_ID_PATTERN.test(s.slice(CREDENTIAL_ID_PREFIX.length)), {
    message: 'must be urn:uuid: followed by a lower-case UUIDv7',
  });

/** `statusListIndex` is a decimal string in the W3C Bitstring Status List format. */
const StatusListIndexSchema = z
  .string()
  .regex(/^(0|[1-9]\d{0,9})$/, { message: 'must be a decimal string without leading zeros' })
  .refine((s) => Number(s) <= MAX_STATUS_LIST_INDEX, { message: `must be at most ${MAX_STATUS_LIST_INDEX}` });

export const CredentialStatusSchema = z
  .strictObject({
    id: HttpUrlSchema,
    type: z.literal('BitstringStatusListEntry'),
    statusPurpose: z.literal('revocation'),
    statusListIndex: StatusListIndexSchema,
    statusListCredential: HttpUrlSchema,
  })
  .refine((s) => s.id === `${s.statusListCredential}#${s.statusListIndex}`, {
    path: ['id'],
    message: 'must be the status list credential URL, "#", and the index',
  });

const ExchangeSchema = z.strictObject({
  id: plainText(TextLimits.reference),
  name: plainText(TextLimits.name),
});

const CredentialCrossBorderSchema = z.strictObject({
  destination: CountryCodeSchema,
  assessmentRef: plainText(TextLimits.reference),
});

function unique<T>(key: (item: T) => string, what: string) {
  return (items: T[], ctx: z.RefinementCtx) => {
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
      .min(1)
      .max(UsageRights.length)
      .superRefine(unique((r: string) => r, 'right')),
    /** Present only when the data leaves China. */
    crossBorder: CredentialCrossBorderSchema.optional(),
  }),
  compliance: z.strictObject({
    assessor: PartySchema,
    reportRef: plainText(TextLimits.reference),
    reportDigest: Sha256DigestSchema,
    assessedAt: DateTimeSchema,
    checks: z
      .array(CheckSchema)
      .min(1)
      .max(6)
      .superRefine(unique((c: { code: string }) => c.code, 'check')),
  }),
  /** Present only on a correction: the credential id of the certificate it supersedes. */
  supersedes: CredentialIdSchema.optional(),
});

export const CredentialSchema = z.strictObject({
  '@context': z.tuple([z.literal(VC_V2_CONTEXT), z.literal(DCC_CONTEXT_V1)]),
  id: CredentialIdSchema,
  type: z.tuple([z.literal(CREDENTIAL_TYPES[0]), z.literal(CREDENTIAL_TYPES[1])]),
  issuer: HttpUrlSchema,
  validFrom: DateTimeSchema,
  validUntil: DateTimeSchema,
  certificateNo: z
    .string()
    .refine(isValidCertificateNumber, { message: 'must be a 20-digit certificate number with a valid check digit' }),
  credentialSubject: CredentialSubjectSchema,
  credentialStatus: CredentialStatusSchema,
  /** Issue time, seconds since the epoch (JWT `iat`). */
  iat: z.number().int().min(946_684_800).max(253_402_300_799),
});

/** A data compliance certificate as signed (the JWS payload). */
export type Credential = z.infer<typeof CredentialSchema>;
