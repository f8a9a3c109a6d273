import type * as z from 'zod/mini';
import { isValidCertificateNumber } from '../certificate-number.ts';
import { isCheckValue } from '../compact-reference.ts';
import { RevocationReasons, STATUS_LIST_ID_PATTERN } from '../records.ts';
import { TextLimits } from '../text.ts';
import { TRANSACTION_REF_PATTERN } from '../transaction-ref.ts';
import type {
  CertificateNumberPath,
  CertificatePath,
  CompactReferenceQuery,
  ProofQuery,
  ProxyPath,
  RevokeRequest,
  SdJwtRequest,
  StatusListPath,
  TransactionLookupQuery,
  VerifyQuery,
  VerifyRequest,
} from './api.ts';
import { MAX_PROXY_LENGTH, MAX_TOKEN_LENGTH, P256_COORDINATE_PATTERN, PROOF_EVENTS, VERIFY_LOG_VALUES } from './api-terms.ts';
import { fits, isOneOf, isStrictObject, isText, keys, type Members, optionalMember, when } from './shape-check.ts';
import { CERTIFICATE_ID_PATTERN } from './credential-terms.ts';
import { type InputContract, inputContract, REFUSED } from './input-contract.ts';
import { isRecord } from '../../support/record.ts';

/**
 * The inputs of the small routes as contracts (`input-contract.ts`): zod-free predicates that
 * give exactly what the schemas of `api.ts` give (`safeParse(value).data`), or {@link REFUSED}.
 * The routes import these, so their functions build no zod schema at start-up; a refused value
 * imports `api.ts`, whose issues make the 400.
 *
 * They follow zod 4's semantics as `credential-check.ts` does: strict objects refuse every key
 * `for...in` yields that they do not declare; declared members are read as `value[key]`; an
 * optional member may be absent or undefined, and an undefined one that is present (own or
 * inherited) stays in the output; the plain `z.object` of the verify query drops what it does
 * not declare; string lengths are counted in code points. The output is a fresh object with
 * the members in the schema's order, the proof event defaulted and the check value upper-cased.
 * The parity test (`test/shared/domain/schemas/api-check.test.ts`) holds each to its schema.
 */

/** `z.string().check(z.minLength(1), z.maxLength(max))`. */
function isBoundedString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length >= 1 && fits(value, max);
}

/** `z.string().check(z.regex(pattern))`. */
function matches(value: unknown, pattern: RegExp): value is string {
  return typeof value === 'string' && pattern.test(value);
}

const REVOKE_KEYS = keys('reason', 'comment');
const VERIFY_KEYS = keys('token', 'aud', 'nonce');
const SD_JWT_KEYS = keys('holderJwk');
const HOLDER_JWK_KEYS = keys('kty', 'crv', 'x', 'y', 'kid', 'alg', 'use');
const TRANSACTION_LOOKUP_KEYS = keys('transactionRef');
const CERTIFICATE_NUMBER_KEYS = keys('certificateNo');
const COMPACT_REFERENCE_KEYS = keys('check');
const CERTIFICATE_PATH_KEYS = keys('id');
const STATUS_LIST_KEYS = keys('listId');
const PROOF_QUERY_KEYS = keys('event');
const PROXY_KEYS = keys('proxy');

const isComment = (value: unknown): boolean => isText(value, TextLimits.comment);
const isAudience = (value: unknown): boolean => isBoundedString(value, TextLimits.url);
const isNonce = (value: unknown): boolean => isBoundedString(value, TextLimits.reference);
const isKid = (value: unknown): boolean => typeof value === 'string' && fits(value, TextLimits.reference);

/** `RevokeRequestSchema`. */
export function acceptRevokeRequest(value: unknown): RevokeRequest | typeof REFUSED {
  if (!isStrictObject(value, REVOKE_KEYS) || !isOneOf(value['reason'], RevocationReasons)) return REFUSED;
  const out: Members = { reason: value['reason'] };
  return optionalMember(value, 'comment', out, when(isComment)) ? (out as RevokeRequest) : REFUSED;
}

/** `VerifyRequestSchema`: a bounded token, and `aud` and `nonce` both or neither. */
export function acceptVerifyRequest(value: unknown): VerifyRequest | typeof REFUSED {
  if (!isStrictObject(value, VERIFY_KEYS)) return REFUSED;
  const token = value['token'];
  if (typeof token !== 'string' || !fits(token, MAX_TOKEN_LENGTH)) return REFUSED;
  const out: Members = { token };
  if (!optionalMember(value, 'aud', out, when(isAudience)) || !optionalMember(value, 'nonce', out, when(isNonce))) return REFUSED;
  // The schema's refinement, on its output.
  return (out['aud'] === undefined) === (out['nonce'] === undefined) ? (out as VerifyRequest) : REFUSED;
}

/** The `holderJwk` of `SdJwtRequestSchema`: a public P-256 key. */
function acceptHolderJwk(value: unknown): unknown {
  if (!isStrictObject(value, HOLDER_JWK_KEYS)) return REFUSED;
  const { kty, crv, x, y } = value;
  if (kty !== 'EC' || crv !== 'P-256' || !matches(x, P256_COORDINATE_PATTERN) || !matches(y, P256_COORDINATE_PATTERN)) return REFUSED;
  const out: Members = { kty, crv, x, y };
  return optionalMember(value, 'kid', out, when(isKid)) &&
    optionalMember(value, 'alg', out, when((alg) => alg === 'ES256')) &&
    optionalMember(value, 'use', out, when((use) => use === 'sig'))
    ? out
    : REFUSED;
}

/** `SdJwtRequestSchema`. */
export function acceptSdJwtRequest(value: unknown): SdJwtRequest | typeof REFUSED {
  if (!isStrictObject(value, SD_JWT_KEYS)) return REFUSED;
  const out: Members = {};
  return optionalMember(value, 'holderJwk', out, acceptHolderJwk) ? (out as SdJwtRequest) : REFUSED;
}

/** `TransactionLookupQuerySchema`. */
export function acceptTransactionLookupQuery(value: unknown): TransactionLookupQuery | typeof REFUSED {
  if (!isStrictObject(value, TRANSACTION_LOOKUP_KEYS)) return REFUSED;
  const transactionRef = value['transactionRef'];
  return matches(transactionRef, TRANSACTION_REF_PATTERN) ? { transactionRef } : REFUSED;
}

/** `CertificateNumberPathSchema`. */
export function acceptCertificateNumberPath(value: unknown): CertificateNumberPath | typeof REFUSED {
  if (!isStrictObject(value, CERTIFICATE_NUMBER_KEYS)) return REFUSED;
  const certificateNo = value['certificateNo'];
  return typeof certificateNo === 'string' && isValidCertificateNumber(certificateNo) ? { certificateNo } : REFUSED;
}

/** `CompactReferenceQuerySchema`: the check value, upper-cased, then judged. */
export function acceptCompactReferenceQuery(value: unknown): CompactReferenceQuery | typeof REFUSED {
  if (!isStrictObject(value, COMPACT_REFERENCE_KEYS)) return REFUSED;
  const given = value['check'];
  if (typeof given !== 'string') return REFUSED;
  const check = given.toUpperCase();
  return isCheckValue(check) ? { check } : REFUSED;
}

/** `CertificatePathSchema`. */
export function acceptCertificatePath(value: unknown): CertificatePath | typeof REFUSED {
  if (!isStrictObject(value, CERTIFICATE_PATH_KEYS)) return REFUSED;
  const id = value['id'];
  return matches(id, CERTIFICATE_ID_PATTERN) ? { id } : REFUSED;
}

/** `StatusListPathSchema`. */
export function acceptStatusListPath(value: unknown): StatusListPath | typeof REFUSED {
  if (!isStrictObject(value, STATUS_LIST_KEYS)) return REFUSED;
  const listId = value['listId'];
  return matches(listId, STATUS_LIST_ID_PATTERN) ? { listId } : REFUSED;
}

/** `ProofQuerySchema`: the event, `issued` when absent or undefined. */
export function acceptProofQuery(value: unknown): ProofQuery | typeof REFUSED {
  if (!isStrictObject(value, PROOF_QUERY_KEYS)) return REFUSED;
  // zod's default stands for undefined only (absent, or present and undefined); null is judged.
  const given = value['event'];
  const event = given === undefined ? PROOF_EVENTS[0] : given;
  return isOneOf(event, PROOF_EVENTS) ? { event: event as ProofQuery['event'] } : REFUSED;
}

/** `VocabularyPathSchema` and `TilePathSchema`: a path of 1 to {@link MAX_PROXY_LENGTH} code points. */
export function acceptProxyPath(value: unknown): ProxyPath | typeof REFUSED {
  if (!isStrictObject(value, PROXY_KEYS)) return REFUSED;
  const proxy = value['proxy'];
  return isBoundedString(proxy, MAX_PROXY_LENGTH) ? { proxy } : REFUSED;
}

/** `VerifyQuerySchema`: a plain `z.object`, so members it does not declare are dropped, not refused. */
export function acceptVerifyQuery(value: unknown): VerifyQuery | typeof REFUSED {
  if (!isRecord(value)) return REFUSED;
  const out: Members = {};
  return optionalMember(value, 'log', out, when((log) => isOneOf(log, VERIFY_LOG_VALUES))) ? (out as VerifyQuery) : REFUSED;
}

/** A contract whose schema is one of `api.ts`'s, imported on the first refusal. */
function apiContract<T>(accept: InputContract<T>['accept'], schema: (api: typeof import('./api.ts')) => z.ZodMiniType<T>): InputContract<T> {
  return inputContract(accept, () => import('./api.ts').then(schema));
}

/** Body of `POST /v1/certificates/{id}/revoke`. */
export const RevokeRequestContract: InputContract<RevokeRequest> = apiContract(acceptRevokeRequest, (api) => api.RevokeRequestSchema);

/** Body of `POST /v1/verify`. */
export const VerifyRequestContract: InputContract<VerifyRequest> = apiContract(acceptVerifyRequest, (api) => api.VerifyRequestSchema);

/** Query of `POST /v1/verify`. */
export const VerifyQueryContract: InputContract<VerifyQuery> = apiContract(acceptVerifyQuery, (api) => api.VerifyQuerySchema);

/** Body of `POST /v1/certificates/{id}/sd-jwt`. */
export const SdJwtRequestContract: InputContract<SdJwtRequest> = apiContract(acceptSdJwtRequest, (api) => api.SdJwtRequestSchema);

/** Query of `GET /v1/certificates?transactionRef=…`. */
export const TransactionLookupQueryContract: InputContract<TransactionLookupQuery> = apiContract(acceptTransactionLookupQuery, (api) => api.TransactionLookupQuerySchema);

/** Path of `/v1/certificate-numbers/{certificateNo}`. */
export const CertificateNumberPathContract: InputContract<CertificateNumberPath> = apiContract(acceptCertificateNumberPath, (api) => api.CertificateNumberPathSchema);

/** Query of `/v1/certificate-numbers/{certificateNo}`. */
export const CompactReferenceQueryContract: InputContract<CompactReferenceQuery> = apiContract(acceptCompactReferenceQuery, (api) => api.CompactReferenceQuerySchema);

/** Path of `/v1/certificates/{id}` and its sub-resources. */
export const CertificatePathContract: InputContract<CertificatePath> = apiContract(acceptCertificatePath, (api) => api.CertificatePathSchema);

/** Path of `/v1/status-lists/{listId}`. */
export const StatusListPathContract: InputContract<StatusListPath> = apiContract(acceptStatusListPath, (api) => api.StatusListPathSchema);

/** Query of `GET /v1/certificates/{id}/proof`. */
export const ProofQueryContract: InputContract<ProofQuery> = apiContract(acceptProofQuery, (api) => api.ProofQuerySchema);

/** Path of `GET /ns/{proxy+}` (for `get-vocabulary`). */
export const VocabularyPathContract: InputContract<ProxyPath> = apiContract(acceptProxyPath, (api) => api.VocabularyPathSchema);

/** Path of `GET /v1/log/tile/{proxy+}`. */
export const TilePathContract: InputContract<ProxyPath> = apiContract(acceptProxyPath, (api) => api.TilePathSchema);
