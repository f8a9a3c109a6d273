import * as z from 'zod/mini';
import './zod-locale.ts';
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
import {
  CheckCodes,
  CheckResults,
  DataClassifications,
  DeliveryMethods,
  MAX_CHECKS,
  PersonalInformationLevels,
  UsageRights,
} from './credential-terms.ts';

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
  assessmentRef: z._default(z.nullable(plainText(TextLimits.reference)), null),
});

export const UsageSchema = z.strictObject({
  purpose: plainText(TextLimits.purpose),
  rights: z.array(z.enum(UsageRights)).check(
    z.minLength(1),
    z.maxLength(UsageRights.length),
    z.superRefine((rights, ctx) => {
      rights.forEach((right, i) => {
        if (rights.indexOf(right) !== i) {
          ctx.addIssue({ code: 'custom', path: [i], message: `repeats "${right}"`, input: right });
        }
      });
    }),
  ),
  validFrom: DateTimeSchema,
  validUntil: DateTimeSchema,
  /** Absent means the same as null: the data stays in China. */
  crossBorder: z._default(z.nullable(CrossBorderSchema), null),
});

export const ComplianceSchema = z.strictObject({
  assessor: PartySchema,
  reportRef: plainText(TextLimits.reference),
  reportDigest: Sha256DigestSchema,
  assessedAt: DateTimeSchema,
  checks: z.array(CheckSchema).check(z.minLength(1), z.maxLength(MAX_CHECKS)),
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
  supersedes: z._default(z.nullable(CertificateIdSchema), null),
});

/** A parsed, well-formed issue request (domain rules not yet checked). */
export type IssueRequest = z.infer<typeof IssueRequestSchema>;
export type Check = IssueRequest['compliance']['checks'][number];
