import * as z from 'zod';
import {
  AmountSchema,
  CertificateIdSchema,
  CountryCodeSchema,
  DateTimeSchema,
  PartySchema,
  plainText,
  Sha256DigestSchema,
  TextLimits,
  TransactionRefSchema,
} from './common.ts';

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
export type CheckCode = (typeof CheckCodes)[number];

/** The four checks every certificate needs passed. */
export const BaselineCheckCodes = ['source-legality', 'usage-scope', 'traceability', 'risk-control'] as const satisfies readonly CheckCode[];

export const CheckResults = ['pass', 'fail', 'not-applicable'] as const;

/** Upper bound of `compliance.checks`: each code once, with room for the duplicates the rules report. */
export const MAX_CHECKS = 12;

export const CheckSchema = z.strictObject({
  code: z.enum(CheckCodes),
  result: z.enum(CheckResults),
});

export const DataProductSchema = z.strictObject({
  id: plainText(TextLimits.reference),
  name: plainText(TextLimits.name),
  version: plainText(TextLimits.reference),
  classification: z.enum(DataClassifications),
  personalInformation: z.enum(PersonalInformationLevels),
  deliveryMethod: z.enum(DeliveryMethods),
  digest: Sha256DigestSchema,
});

/**
 * Where the data goes when it leaves China. A missing `assessmentRef` is well-formed but
 * non-compliant, so it is a domain rule (422), not a schema error (400).
 */
export const CrossBorderSchema = z.strictObject({
  destination: CountryCodeSchema,
  assessmentRef: plainText(TextLimits.reference).nullable().default(null),
});

export const UsageSchema = z.strictObject({
  purpose: plainText(TextLimits.purpose),
  rights: z
    .array(z.enum(UsageRights))
    .min(1)
    .max(UsageRights.length)
    .superRefine((rights, ctx) => {
      rights.forEach((right, i) => {
        if (rights.indexOf(right) !== i) {
          ctx.addIssue({ code: 'custom', path: [i], message: `repeats "${right}"`, input: right });
        }
      });
    }),
  validFrom: DateTimeSchema,
  validUntil: DateTimeSchema,
  /** Absent means the same as null: the data stays in China. */
  crossBorder: CrossBorderSchema.nullable().default(null),
});

export const ComplianceSchema = z.strictObject({
  assessor: PartySchema,
  reportRef: plainText(TextLimits.reference),
  reportDigest: Sha256DigestSchema,
  assessedAt: DateTimeSchema,
  checks: z.array(CheckSchema).min(1).max(MAX_CHECKS),
});

/**
 * The issue request (`examples/issue-request.json` is a complete one), the contract exchanges
 * integrate against: field names are fixed and unknown members are refused. Parsing fills the
 * two nullable members that may be left out (`usage.crossBorder`, `supersedes`) with null, so a
 * request has one parsed form and one canonical hash whichever way it spelled "none".
 */
export const IssueRequestSchema = z.strictObject({
  transactionRef: TransactionRefSchema,
  tradedAt: DateTimeSchema,
  amount: AmountSchema,
  provider: PartySchema,
  consumer: PartySchema,
  dataProduct: DataProductSchema,
  usage: UsageSchema,
  compliance: ComplianceSchema,
  /** The id of the certificate this one corrects (it is revoked as `superseded`). */
  supersedes: CertificateIdSchema.nullable().default(null),
});

/** A parsed, well-formed issue request (domain rules not yet checked). */
export type IssueRequest = z.infer<typeof IssueRequestSchema>;
export type Check = IssueRequest['compliance']['checks'][number];
