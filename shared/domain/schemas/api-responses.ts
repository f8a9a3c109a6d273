import * as z from 'zod/mini';
import './zod-locale.ts';
import { isValidCertificateNumber } from '../certificate-number.ts';
import { CertificateIdSchema, DateTimeSchema, HttpUrlSchema, plainText, TextLimits } from './common.ts';
import { CredentialSchema, MAX_STATUS_LIST_INDEX } from './credential.ts';
import { DISCLOSABLE_CLAIMS } from './credential-terms.ts';
import { DisclosedCredentialSchema } from './disclosed-credential.ts';
import { MAX_TOKEN_LENGTH } from './api.ts';
import { RevocationReasons } from '../records.ts';

/**
 * Response shapes of the HTTP API. The response types the code returns are inferred from these
 * schemas, so the code and the tests that parse responses with them hold one contract. The
 * functions import this module for its types only (`import type`): its schemas, the whole
 * credential among them, are built by the OpenAPI rendering and the tests, never at a function's
 * cold start (test/bench/bundle-hygiene.test.ts holds the bundles to it). The request shapes the
 * routes parse are in `api.ts`.
 */

/** `POST /v1/certificates/{id}/sd-jwt` response: the issuer-signed JWT and every disclosure. */
export const SdJwtResponseSchema = z.strictObject({ sdJwt: z.string().check(z.minLength(1), z.maxLength(MAX_TOKEN_LENGTH)) });

/** What a compact reference opens: the certificate's id, number and signed token. */
export const CompactReferenceResponseSchema = z.strictObject({
  id: CertificateIdSchema,
  certificateNo: z.string(),
  token: z.string(),
});
export type CompactReferenceResponse = z.infer<typeof CompactReferenceResponseSchema>;

/** A revocation as responses show it: why, when, and the admin's comment. */
export const RevocationSchema = z.strictObject({
  reason: z.enum(RevocationReasons),
  revokedAt: DateTimeSchema,
  comment: z.nullable(plainText(TextLimits.comment)),
});

/** Indexes of a certificate's events in the transparency log, once integrated. */
export const LogIndexesSchema = z.strictObject({
  issued: z.int().check(z.nonnegative()),
  revoked: z.optional(z.int().check(z.nonnegative())),
});

/** The certificate record: the issue response and what get, lookup and revoke return. */
export const CertificateRecordSchema = z.strictObject({
  id: CertificateIdSchema,
  certificateNo: z.string().check(z.refine(isValidCertificateNumber, { message: 'must be a valid certificate number' })),
  status: z.enum(['active', 'revoked']),
  /** The compact JWS exactly as signed. */
  token: z.string().check(z.minLength(1), z.maxLength(MAX_TOKEN_LENGTH)),
  issuedAt: DateTimeSchema,
  statusListIndex: z.int().check(z.gte(0), z.lte(MAX_STATUS_LIST_INDEX)),
  statusListCredential: HttpUrlSchema,
  revocation: z.nullable(RevocationSchema),
  /** The certificate this one corrects, and the one that corrected it. */
  supersedes: z.nullable(CertificateIdSchema),
  supersededBy: z.nullable(CertificateIdSchema),
  log: z.optional(LogIndexesSchema),
});
/** The certificate record as the code builds it and the API returns it. */
export type CertificateRecord = z.output<typeof CertificateRecordSchema>;

/** `GET /v1/certificates?transactionRef=…` response: the transaction's certificate, if any. */
export const TransactionLookupResponseSchema = z.strictObject({
  items: z.array(CertificateRecordSchema).check(z.maxLength(1)),
});

export const VerificationStatuses = ['active', 'revoked', 'expired', 'not-yet-valid', 'invalid'] as const;

export const VerificationCheckSchema = z.strictObject({
  /** A stable kebab-case name such as `signature` or `status`. */
  name: z.string().check(z.regex(/^[a-z][a-z0-9-]{0,63}$/, { message: 'must be a kebab-case check name' })),
  ok: z.boolean(),
  detail: z.optional(z.string().check(z.minLength(1), z.maxLength(1000))),
});
/** One verification step and its outcome; `detail` says why it failed. */
export type VerificationCheck = z.output<typeof VerificationCheckSchema>;

/**
 * With `?log=true`: the certificate's log indexes (those integrated so far) and whether their
 * inclusion proofs check against the log's current checkpoint of `treeSize` entries.
 */
export const LogInclusionSchema = z.strictObject({
  issued: z.optional(z.int().check(z.nonnegative())),
  revoked: z.optional(z.int().check(z.nonnegative())),
  treeSize: z.int().check(z.nonnegative()),
  inclusionVerified: z.boolean(),
});
export type LogInclusion = z.output<typeof LogInclusionSchema>;

/** `POST /v1/verify` response. */
export const VerificationResultSchema = z
  .strictObject({
    verified: z.boolean(),
    status: z.enum(VerificationStatuses),
    checks: z.array(VerificationCheckSchema).check(z.minLength(1), z.maxLength(32)),
    certificate: z.optional(CredentialSchema),
    /** A presentation (`vc+sd-jwt`): what it disclosed, what stayed hidden, and the claims it shows. */
    presentation: z.optional(
      z.strictObject({
        format: z.literal('vc+sd-jwt'),
        disclosed: z.array(z.enum(DISCLOSABLE_CLAIMS)),
        hidden: z.array(z.enum(DISCLOSABLE_CLAIMS)),
        holderBound: z.boolean(),
        claims: DisclosedCredentialSchema,
      }),
    ),
    revocation: z.optional(RevocationSchema),
    log: z.optional(LogInclusionSchema),
  })
  .check(
    z.refine((r) => !r.verified || r.status === 'active', { path: ['verified'], message: 'only an active certificate is verified' }),
    z.refine((r) => (r.status === 'revoked') === (r.revocation !== undefined), {
      path: ['revocation'],
      message: 'is present exactly when the status is revoked',
    }),
  );
/** The verification result as the code builds it and the API returns it. */
export type VerificationResult = z.output<typeof VerificationResultSchema>;

/** One entry of a certificate's audit trail, as the API shows it. */
export const AuditEventSchema = z.strictObject({
  certificateId: CertificateIdSchema,
  type: z.enum(['issued', 'revoked', 'superseded']),
  at: DateTimeSchema,
  /** The exchange id for issues, the admin subject for revocations. */
  actor: plainText(TextLimits.name),
  detail: z.record(z.string().check(z.maxLength(64)), z.nullable(z.string().check(z.maxLength(TextLimits.comment)))),
});
export type AuditEventBody = z.infer<typeof AuditEventSchema>;

/** `GET /v1/certificates/{id}/events` response: the trail, oldest first. */
export const AuditTrailSchema = z.strictObject({
  certificateId: CertificateIdSchema,
  events: z.array(AuditEventSchema),
});

/** One problem at one place in the input (an RFC 6901 pointer), with a rule code where there is one. */
export const FieldProblemSchema = z.strictObject({
  pointer: z.string().check(z.maxLength(1024), z.refine((p) => p === '' || p.startsWith('/'), { message: 'must be an RFC 6901 JSON pointer' })),
  message: z.string().check(z.minLength(1), z.maxLength(1000)),
  code: z.optional(z.string().check(z.regex(/^[a-z][a-z0-9-]{0,63}$/))),
});

/**
 * RFC 9457 problem document with the service's stable `code` and per-field `errors`
 * served as `application/problem+json`.
 */
export const ProblemDocumentSchema = z.strictObject({
  type: z.string().check(z.minLength(1), z.maxLength(TextLimits.url)),
  title: z.string().check(z.minLength(1), z.maxLength(200)),
  status: z.int().check(z.gte(400), z.lte(599)),
  detail: z.string().check(z.maxLength(2000)),
  code: z.string().check(z.regex(/^[a-z][a-z0-9-]{0,63}$/, { message: 'must be a kebab-case code' })),
  errors: z.array(FieldProblemSchema).check(z.maxLength(200)),
  instance: z.optional(z.string().check(z.maxLength(TextLimits.url))),
});
export type ProblemDocument = z.infer<typeof ProblemDocumentSchema>;

/** Base64url without padding, as JWK members are written. */
const Base64urlSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]+$/));

/**
 * `GET /.well-known/jwks.json` response: the certificate verification keys, P-256 (ES256) or SM2,
 * each with its RFC 7638 thumbprint as `kid` and only public members.
 */
export const VerificationJwksSchema = z.strictObject({
  keys: z
    .array(
      z.discriminatedUnion('crv', [
        z.strictObject({ kty: z.literal('EC'), crv: z.literal('P-256'), x: Base64urlSchema, y: Base64urlSchema, kid: Base64urlSchema, alg: z.literal('ES256'), use: z.literal('sig') }),
        z.strictObject({ kty: z.literal('EC'), crv: z.literal('SM2'), x: Base64urlSchema, y: Base64urlSchema, kid: Base64urlSchema, alg: z.literal('SM2'), use: z.literal('sig') }),
      ]),
    )
    .check(z.minLength(1)),
});
