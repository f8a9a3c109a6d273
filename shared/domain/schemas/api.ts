import * as z from 'zod/mini';
import './zod-locale.ts';
import { isValidCertificateNumber } from '../certificate-number.ts';
import { CHECK_VALUE_LENGTH, isCheckValue } from '../compact-reference.ts';
import { CertificateIdSchema, plainText, TextLimits, TransactionRefSchema } from './common.ts';
import { RevocationReasons, STATUS_LIST_ID_PATTERN } from '../records.ts';
import { MAX_PROXY_LENGTH, MAX_TOKEN_LENGTH, P256_COORDINATE_PATTERN, PROOF_EVENTS, VERIFY_LOG_VALUES } from './api-terms.ts';

/**
 * Request shapes of the HTTP API (path, query and body), other than the issue request: what the
 * routes accept. The response shapes are in `api-responses.ts`, apart, because a
 * function's bundle builds every schema of every module it imports as a value at its cold start
 * (esbuild cannot know a top-level `z.…()` call is pure), and the responses bring the whole
 * credential schema with them; the routes need them only as types, the OpenAPI rendering and
 * the tests as values. Nothing here imports `credential.ts`.
 *
 * The routes import none of these: they hold the contracts of `api-check.ts`, zod-free predicates
 * that give what these give, and import a schema only to explain a refusal.
 */

export { CertificateIdSchema, MAX_TOKEN_LENGTH, RevocationReasons, STATUS_LIST_ID_PATTERN };

/** `POST /v1/certificates/{id}/revoke` body. */
export const RevokeRequestSchema = z.strictObject({
  reason: z.enum(RevocationReasons),
  comment: z.optional(plainText(TextLimits.comment)),
});

/**
 * `POST /v1/verify` body: any string is a token to judge (an empty one is simply invalid): a
 * certificate, or a presentation of its selectively disclosable form. `aud` and `nonce` are what
 * the verifier expects a holder-bound presentation's Key Binding JWT to carry; both or neither.
 */
export const VerifyRequestSchema = z
  .strictObject({
    token: z.string().check(z.maxLength(MAX_TOKEN_LENGTH)),
    aud: z.optional(z.string().check(z.minLength(1), z.maxLength(TextLimits.url))),
    nonce: z.optional(z.string().check(z.minLength(1), z.maxLength(TextLimits.reference))),
  })
  .check(z.refine((b) => (b.aud === undefined) === (b.nonce === undefined), { path: ['nonce'], message: 'aud and nonce go together' }));

/**
 * `POST /v1/certificates/{id}/sd-jwt` body (optional): the holder's public P-256 key, to bind the
 * form to (`cnf`); without it the form is bound to no key.
 */
export const SdJwtRequestSchema = z.strictObject({
  holderJwk: z.optional(
    z.strictObject({
      kty: z.literal('EC'),
      crv: z.literal('P-256'),
      x: z.string().check(z.regex(P256_COORDINATE_PATTERN, { message: 'must be a base64url P-256 coordinate' })),
      y: z.string().check(z.regex(P256_COORDINATE_PATTERN, { message: 'must be a base64url P-256 coordinate' })),
      kid: z.optional(z.string().check(z.maxLength(TextLimits.reference))),
      alg: z.optional(z.literal('ES256')),
      use: z.optional(z.literal('sig')),
    }),
  ),
});

/** `GET /v1/certificates?transactionRef=…` query parameters. */
export const TransactionLookupQuerySchema = z.strictObject({
  transactionRef: TransactionRefSchema,
});

/** Path parameters of `/v1/certificate-numbers/{certificateNo}`. */
export const CertificateNumberPathSchema = z.strictObject({
  certificateNo: z.string().check(z.refine(isValidCertificateNumber, { message: 'must be a 20-digit certificate number with a valid check digit' })),
});

/** Query of `/v1/certificate-numbers/{certificateNo}`: the check value of a compact reference. */
export const CompactReferenceQuerySchema = z.strictObject({
  check: z
    .pipe(
      z.string(),
      z.transform((value: string) => value.toUpperCase()),
    )
    .check(z.refine(isCheckValue, { message: `must be a check value: ${CHECK_VALUE_LENGTH} characters of Crockford base32` })),
});

/** Path parameters of `/v1/certificates/{id}` and its sub-resources. */
export const CertificatePathSchema = z.strictObject({ id: CertificateIdSchema });

/** Path parameters of `/v1/status-lists/{listId}`. */
export const StatusListPathSchema = z.strictObject({
  listId: z.string().check(z.regex(STATUS_LIST_ID_PATTERN, { message: 'must be a status list id (a decimal number)' })),
});

/** `?log=true` on `POST /v1/verify` asks for the transparency log's view too (a few more reads, so only on request). */
export const VerifyQuerySchema = z.object({ log: z.optional(z.enum(VERIFY_LOG_VALUES)) });

/** Query of `GET /v1/certificates/{id}/proof`: which change to prove, the issuance unless named. */
export const ProofQuerySchema = z.strictObject({ event: z._default(z.enum(PROOF_EVENTS), PROOF_EVENTS[0]) });

/** Path parameters of `GET /ns/{proxy+}`: a vocabulary document's path under `/ns/`. */
export const VocabularyPathSchema = z.strictObject({ proxy: z.string().check(z.minLength(1), z.maxLength(MAX_PROXY_LENGTH)) });

/** Path parameters of `GET /v1/log/tile/{proxy+}`: a tile's path under `/v1/log/tile/`. */
export const TilePathSchema = z.strictObject({ proxy: z.string().check(z.minLength(1), z.maxLength(MAX_PROXY_LENGTH)) });

/** `POST /v1/certificates/{id}/revoke` body, as parsed. */
export type RevokeRequest = z.output<typeof RevokeRequestSchema>;
/** `POST /v1/verify` body, as parsed. */
export type VerifyRequest = z.output<typeof VerifyRequestSchema>;
/** `POST /v1/verify` query, as parsed. */
export type VerifyQuery = z.output<typeof VerifyQuerySchema>;
/** `POST /v1/certificates/{id}/sd-jwt` body, as parsed. */
export type SdJwtRequest = z.output<typeof SdJwtRequestSchema>;
/** `GET /v1/certificates?transactionRef=…` query, as parsed. */
export type TransactionLookupQuery = z.output<typeof TransactionLookupQuerySchema>;
/** Path of `/v1/certificate-numbers/{certificateNo}`, as parsed. */
export type CertificateNumberPath = z.output<typeof CertificateNumberPathSchema>;
/** Query of `/v1/certificate-numbers/{certificateNo}`, as parsed (the check value upper-cased). */
export type CompactReferenceQuery = z.output<typeof CompactReferenceQuerySchema>;
/** Path of `/v1/certificates/{id}` and its sub-resources, as parsed. */
export type CertificatePath = z.output<typeof CertificatePathSchema>;
/** Path of `/v1/status-lists/{listId}`, as parsed. */
export type StatusListPath = z.output<typeof StatusListPathSchema>;
/** Query of `GET /v1/certificates/{id}/proof`, as parsed (the event defaulted). */
export type ProofQuery = z.output<typeof ProofQuerySchema>;
/** Path of `GET /ns/{proxy+}` and `GET /v1/log/tile/{proxy+}`, as parsed. */
export type ProxyPath = z.output<typeof TilePathSchema>;
