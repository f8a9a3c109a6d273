import type * as z from 'zod/mini';
import { isIso3166Alpha2 } from '../iso3166.ts';
import { TextLimits } from '../text.ts';
import { isTransactionRef } from '../transaction-ref.ts';
import {
  CROSS_BORDER_KEYS,
  isAmount,
  isComplianceOf,
  isDataProduct,
  isDateTime,
  isParty,
  isRight,
  isUniqueList,
  sameRight,
} from './credential-check.ts';
import { isStrictObject, isText, keys } from './shape-check.ts';
import { CERTIFICATE_ID_PATTERN, MAX_CHECKS, UsageRights } from './credential-terms.ts';
import { type InputContract, inputContract, REFUSED } from './input-contract.ts';
// Only types: the schema module is imported on the first refusal (IssueRequestContract).
import type { IssueRequest, IssueRequestSchema } from './issue-request.ts';

/**
 * The issue request as `IssueRequestSchema.safeParse` gives it, or {@link REFUSED}: the same
 * verdict, judged without zod, and for an accepted request the same value zod builds (a fresh
 * object in the schema's member order, arrays copied, and the three nullable members that may be
 * left out, `usage.crossBorder`, its `assessmentRef` and `supersedes`, filled with null whether
 * absent or `undefined`). It follows zod 4's semantics as `isCredential` does, and reuses its
 * member predicates for what a request shares with the credential; the parity test
 * (`test/shared/domain/schemas/issue-request-check.test.ts`) holds the two together.
 */
export function acceptIssueRequest(value: unknown): IssueRequest | typeof REFUSED {
  return isIssueRequest(value) ? parsedRequest(value) : REFUSED;
}

/** `POST /v1/certificates`' body: the predicate on every request, the schema to explain a refusal. */
export const IssueRequestContract: InputContract<IssueRequest> = inputContract(acceptIssueRequest, () =>
  import('./issue-request.ts').then((m) => m.IssueRequestSchema),
);

/** A request that passed {@link isIssueRequest}: members are read as zod reads them, inherited ones too. */
type RequestInput = z.input<typeof IssueRequestSchema>;

const REQUEST_KEYS = keys('transactionRef', 'tradedAt', 'amount', 'provider', 'consumer', 'dataProduct', 'usage', 'compliance', 'supersedes');
const USAGE_KEYS = keys('purpose', 'rights', 'validFrom', 'validUntil', 'crossBorder');

function isIssueRequest(value: unknown): value is RequestInput {
  if (!isStrictObject(value, REQUEST_KEYS)) return false;
  const ref = value['transactionRef'];
  const supersedes = value['supersedes'];
  return (
    typeof ref === 'string' &&
    isTransactionRef(ref) &&
    isDateTime(value['tradedAt']) &&
    isAmount(value['amount']) &&
    isParty(value['provider']) &&
    isParty(value['consumer']) &&
    isDataProduct(value['dataProduct']) &&
    isUsage(value['usage']) &&
    isCompliance(value['compliance']) &&
    isNullable(supersedes, (id) => typeof id === 'string' && CERTIFICATE_ID_PATTERN.test(id))
  );
}

/** `z._default(z.nullable(schema), null)`: absent, `undefined` and null pass, anything else must satisfy `check`. */
function isNullable(value: unknown, check: (value: unknown) => boolean): boolean {
  return value === undefined || value === null || check(value);
}

function isUsage(value: unknown): boolean {
  return (
    isStrictObject(value, USAGE_KEYS) &&
    isText(value['purpose'], TextLimits.purpose) &&
    isUniqueList(value['rights'], UsageRights.length, isRight, sameRight) &&
    isDateTime(value['validFrom']) &&
    isDateTime(value['validUntil']) &&
    isNullable(value['crossBorder'], isCrossBorder)
  );
}

/** Unlike a certificate's, a request's `assessmentRef` may be left out: its absence is a rule violation (422), not a malformed request. */
function isCrossBorder(value: unknown): boolean {
  if (!isStrictObject(value, CROSS_BORDER_KEYS)) return false;
  const destination = value['destination'];
  return typeof destination === 'string' && isIso3166Alpha2(destination) && isNullable(value['assessmentRef'], (ref) => isText(ref, TextLimits.reference));
}

/** A request may repeat a check (the rules report it as `duplicate-check`), so no two checks are "the same" here. */
const neverSame = (): boolean => false;

const isCompliance = (value: unknown): boolean => isComplianceOf(value, MAX_CHECKS, neverSame);

type Party = IssueRequest['provider'];
type Digest = IssueRequest['dataProduct']['digest'];

/** zod's output for an accepted request: fresh objects and arrays, members in the schema's order, defaults filled. */
function parsedRequest(request: RequestInput): IssueRequest {
  const { amount, dataProduct: product, usage, compliance } = request;
  const crossBorder = usage.crossBorder ?? null;
  return {
    transactionRef: request.transactionRef,
    tradedAt: request.tradedAt,
    amount: { value: amount.value, currency: amount.currency },
    provider: partyOf(request.provider),
    consumer: partyOf(request.consumer),
    dataProduct: {
      id: product.id,
      name: product.name,
      version: product.version,
      classification: product.classification,
      personalInformation: product.personalInformation,
      deliveryMethod: product.deliveryMethod,
      digest: digestOf(product.digest),
    },
    usage: {
      purpose: usage.purpose,
      rights: listOf(usage.rights, (right) => right),
      validFrom: usage.validFrom,
      validUntil: usage.validUntil,
      crossBorder: crossBorder === null ? null : { destination: crossBorder.destination, assessmentRef: crossBorder.assessmentRef ?? null },
    },
    compliance: {
      assessor: partyOf(compliance.assessor),
      reportRef: compliance.reportRef,
      reportDigest: digestOf(compliance.reportDigest),
      assessedAt: compliance.assessedAt,
      checks: listOf(compliance.checks, (check) => ({ code: check.code, result: check.result })),
    },
    supersedes: request.supersedes ?? null,
  };
}

function partyOf(party: Party): Party {
  return { name: party.name, uscc: party.uscc };
}

function digestOf(digest: Digest): Digest {
  return { alg: digest.alg, value: digest.value };
}

/** A plain array of the items, read by index as zod reads them (whatever the input's class or extra members). */
function listOf<T, U>(items: readonly T[], item: (value: T) => U): U[] {
  const out: U[] = [];
  for (let i = 0; i < items.length; i++) out.push(item(items[i]!));
  return out;
}
