import { isValidCertificateNumber } from '../certificate-number.ts';
import { DCC_CONTEXT_V1, VC_V2_CONTEXT, VOCABULARY_PATHS, VOCABULARY_SRI } from '../credential-context.ts';
import { decimalAmountProblem, fractionDigits } from '../decimal-amount.ts';
import { isSha256Hex, SHA256_DIGEST_ALG } from '../digest.ts';
import { isHttpUrl } from '../http-url.ts';
import { isIso3166Alpha2 } from '../iso3166.ts';
import { currencyMinorUnits } from '../iso4217.ts';
import { isRfc3339DateTime, RFC3339_MAX_LENGTH } from '../rfc3339.ts';
import { TextLimits } from '../text.ts';
import { TRANSACTION_REF_PATTERN } from '../transaction-ref.ts';
import { isValidUscc } from '../uscc.ts';
import type { Credential } from './credential.ts';
import {
  CheckCodes,
  CheckResults,
  CREDENTIAL_SCHEMA_TYPE,
  CREDENTIAL_TYPES,
  DataClassifications,
  DeliveryMethods,
  isCredentialId,
  MAX_CREDENTIAL_CHECKS,
  MAX_ISSUED_AT,
  MAX_STATUS_LIST_INDEX,
  MIN_ISSUED_AT,
  PersonalInformationLevels,
  SHA384_SRI_PATTERN,
  STATUS_ENTRY_TYPE,
  STATUS_LIST_INDEX_PATTERN,
  STATUS_PURPOSE,
  UsageRights,
} from './credential-terms.ts';
import { isRecord } from '../../support/record.ts';
import { fits, hasOnlyKeys, isOneOf, isOptional, isStrictObject, isText, keys, type Members } from './shape-check.ts';

/**
 * Whether a value is a certificate payload: exactly what `CredentialSchema.safeParse` accepts,
 * answered without building a copy or an issue list, and without loading zod. The verifier runs
 * it on every payload and asks zod only about one it refuses, for zod's detailed issues; the
 * parity test (`test/shared/domain/schemas/credential-check.test.ts`) holds the two to the same
 * verdict on genuine certificates, systematic mutations of them and random JSON.
 *
 * It follows zod 4's semantics, not just the JSON it is given:
 * - an object is any non-null, non-array object; a strict object refuses every key that
 *   `for...in` yields and the shape does not declare (so also an own `__proto__` member, which
 *   `JSON.parse` creates, and enumerable inherited keys), and reads each declared member as
 *   `value[key]`, inherited ones included;
 * - an optional member may be absent or `undefined`;
 * - a tuple needs exactly its length; an array's items are read by index up to its length;
 * - a string's length is counted in code points, as zod counts it (a surrogate pair is one, a
 *   lone surrogate one too); `iat` is a finite integer in range.
 * The rules themselves (text, dates, codes, URLs, amounts) are the domain predicates the
 * schemas call, and the limits and vocabularies are the constants they are built from.
 */
export function isCredential(value: unknown): value is Credential {
  if (!isRecord(value) || !hasOnlyKeys(value, CREDENTIAL_KEYS)) return false;
  const context = value['@context'];
  if (!Array.isArray(context) || context.length !== 2 || context[0] !== VC_V2_CONTEXT) return false;
  if (context[1] !== DCC_CONTEXT_V1 && !isVocabularyUrl(context[1], VOCABULARY_PATHS.context)) return false;
  const type = value['type'];
  if (!Array.isArray(type) || type.length !== 2 || type[0] !== CREDENTIAL_TYPES[0] || type[1] !== CREDENTIAL_TYPES[1]) return false;
  const id = value['id'];
  if (typeof id !== 'string' || !isCredentialId(id)) return false;
  const certificateNo = value['certificateNo'];
  const iat = value['iat'];
  return (
    isBoundedHttpUrl(value['issuer']) &&
    isDateTime(value['validFrom']) &&
    isDateTime(value['validUntil']) &&
    typeof certificateNo === 'string' &&
    isValidCertificateNumber(certificateNo) &&
    isSubject(value['credentialSubject']) &&
    isStatusEntry(value['credentialStatus']) &&
    isOptional(value['credentialSchema'], isCredentialSchemaLink) &&
    isOptional(value['relatedResource'], isRelatedResources) &&
    typeof iat === 'number' &&
    Number.isInteger(iat) &&
    iat >= MIN_ISSUED_AT &&
    iat <= MAX_ISSUED_AT
  );
}

// The declared members of each strict object, as the schemas in credential.ts, common.ts and
// issue-request.ts declare them (the parity test adds and removes each one).
const CREDENTIAL_KEYS = keys('@context', 'id', 'type', 'issuer', 'validFrom', 'validUntil', 'certificateNo', 'credentialSubject', 'credentialStatus', 'credentialSchema', 'relatedResource', 'iat');
const SUBJECT_KEYS = keys('transaction', 'provider', 'consumer', 'dataProduct', 'usage', 'compliance', 'supersedes');
const TRANSACTION_KEYS = keys('exchange', 'transactionRef', 'tradedAt', 'amount');
const ID_NAME_KEYS = keys('id', 'name');
const AMOUNT_KEYS = keys('value', 'currency');
const PARTY_KEYS = keys('name', 'uscc');
const DATA_PRODUCT_KEYS = keys('id', 'name', 'version', 'classification', 'personalInformation', 'deliveryMethod', 'digest');
const DIGEST_KEYS = keys('alg', 'value');
const USAGE_KEYS = keys('purpose', 'rights', 'crossBorder');
/** The members of `crossBorder` (the issue request's too). */
export const CROSS_BORDER_KEYS = keys('destination', 'assessmentRef');
/** The members of `compliance` (the issue request's too). */
const COMPLIANCE_KEYS = keys('assessor', 'reportRef', 'reportDigest', 'assessedAt', 'checks');
const CHECK_KEYS = keys('code', 'result');
const STATUS_KEYS = keys('id', 'type', 'statusPurpose', 'statusListIndex', 'statusListCredential');
const SCHEMA_LINK_KEYS = keys('id', 'type');
const RESOURCE_KEYS = keys('id', 'digestSRI');

/** `DateTimeSchema`: an RFC 3339 date-time of bounded length. */
export function isDateTime(value: unknown): value is string {
  return typeof value === 'string' && fits(value, RFC3339_MAX_LENGTH) && isRfc3339DateTime(value);
}

/** The last few strings a rule passed, replaced in turn: a rule that is a pure function of the string passes them again. */
class RecentlyPassed {
  private readonly slots: string[] = [];
  private next = 0;

  constructor(private readonly size: number) {}

  has(value: string): boolean {
    return this.slots.includes(value);
  }

  add(value: string): void {
    this.slots[this.next] = value;
    this.next = (this.next + 1) % this.size;
  }
}

/**
 * URLs that passed lately. A certificate names the same few URLs twice (the vocabulary's) and
 * an archive's certificates share the issuer, the status list and the vocabulary, while parsing
 * a URL is the dearest step here. Eight slots hold at most eight bounded strings.
 */
const recentUrls = new RecentlyPassed(8);

function isBoundedHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  if (recentUrls.has(value)) return true;
  if (!fits(value, TextLimits.url) || !isHttpUrl(value)) return false;
  recentUrls.add(value);
  return true;
}

/**
 * Status lists whose entry ids passed lately. Every entry id is its list's URL, `#` and a string
 * of ASCII digits, so each certificate's differs, but whether one is a URL does not depend on the
 * digits: the URL parser takes everything after the first `#` as the fragment, which accepts any
 * character, the digits are neither leading or trailing spaces or controls nor tabs or newlines
 * (what it strips before parsing), and the scheme and credentials lie before them. So the first
 * entry id of a list that parses stands for all of them, and a list whose entry ids do not (one
 * that ends in a space after its host, say) is parsed every time and refused every time.
 */
const listsWithUrlEntryIds = new RecentlyPassed(4);

/** Whether `id` is `${list}#${index}` (compared without building it) and a URL of bounded length; `list` passed {@link isBoundedHttpUrl}. */
function isStatusEntryId(id: unknown, list: string, index: string): boolean {
  if (typeof id !== 'string' || id.length !== list.length + 1 + index.length) return false;
  if (id.charCodeAt(list.length) !== 0x23 /* # */ || !id.startsWith(list) || !id.endsWith(index)) return false;
  if (!fits(id, TextLimits.url)) return false;
  if (listsWithUrlEntryIds.has(list)) return true;
  if (!isHttpUrl(id)) return false;
  listsWithUrlEntryIds.add(list);
  return true;
}

function isVocabularyUrl(value: unknown, path: string): boolean {
  return isBoundedHttpUrl(value) && value.endsWith(path);
}

/** `PartySchema`: a name and a valid unified social credit code. */
export function isParty(value: unknown): boolean {
  if (!isStrictObject(value, PARTY_KEYS)) return false;
  const uscc = value['uscc'];
  return isText(value['name'], TextLimits.name) && typeof uscc === 'string' && isValidUscc(uscc);
}

/** `Sha256DigestSchema`. */
function isDigest(value: unknown): boolean {
  if (!isStrictObject(value, DIGEST_KEYS)) return false;
  const hex = value['value'];
  return value['alg'] === SHA256_DIGEST_ALG && typeof hex === 'string' && isSha256Hex(hex);
}

/** A positive decimal amount with no more fraction digits than its currency's minor units. */
export function isAmount(value: unknown): boolean {
  if (!isStrictObject(value, AMOUNT_KEYS)) return false;
  const amount = value['value'];
  const currency = value['currency'];
  if (typeof amount !== 'string' || typeof currency !== 'string' || decimalAmountProblem(amount) !== null) return false;
  // null for a code that is not active and for one without minor units: both are refused.
  const minor = currencyMinorUnits(currency);
  return minor !== null && fractionDigits(amount) <= minor;
}

function isTransaction(value: unknown): boolean {
  if (!isStrictObject(value, TRANSACTION_KEYS)) return false;
  const exchange = value['exchange'];
  const ref = value['transactionRef'];
  return (
    isStrictObject(exchange, ID_NAME_KEYS) &&
    isText(exchange['id'], TextLimits.reference) &&
    isText(exchange['name'], TextLimits.name) &&
    typeof ref === 'string' &&
    TRANSACTION_REF_PATTERN.test(ref) &&
    isDateTime(value['tradedAt']) &&
    isAmount(value['amount'])
  );
}

/** `DataProductSchema`. */
export function isDataProduct(value: unknown): boolean {
  return (
    isStrictObject(value, DATA_PRODUCT_KEYS) &&
    isText(value['id'], TextLimits.reference) &&
    isText(value['name'], TextLimits.name) &&
    isText(value['version'], TextLimits.reference) &&
    isOneOf(value['classification'], DataClassifications) &&
    isOneOf(value['personalInformation'], PersonalInformationLevels) &&
    isOneOf(value['deliveryMethod'], DeliveryMethods) &&
    isDigest(value['digest'])
  );
}

/** 1 to `max` items, each passing `item`, no two with the same key (`sameKey`): rights and checks. */
export function isUniqueList(value: unknown, max: number, item: (value: unknown) => boolean, sameKey: (a: unknown, b: unknown) => boolean): boolean {
  if (!Array.isArray(value) || value.length < 1 || value.length > max) return false;
  for (let i = 0; i < value.length; i++) {
    if (!item(value[i])) return false;
    // At most six items: comparing pairs allocates nothing.
    for (let j = 0; j < i; j++) if (sameKey(value[j], value[i])) return false;
  }
  return true;
}

/** A usage right (`sameRight`: two are the same when equal). */
export const isRight = (value: unknown): boolean => isOneOf(value, UsageRights);
export const sameRight = (a: unknown, b: unknown): boolean => a === b;
/** `CheckSchema`: a check's code and result. */
const isCheck = (value: unknown): boolean =>
  isStrictObject(value, CHECK_KEYS) && isOneOf(value['code'], CheckCodes) && isOneOf(value['result'], CheckResults);
const sameCheck = (a: unknown, b: unknown): boolean => (a as Members)['code'] === (b as Members)['code'];

function isCrossBorder(value: unknown): boolean {
  if (!isStrictObject(value, CROSS_BORDER_KEYS)) return false;
  const destination = value['destination'];
  return typeof destination === 'string' && isIso3166Alpha2(destination) && isText(value['assessmentRef'], TextLimits.reference);
}

function isUsage(value: unknown): boolean {
  return (
    isStrictObject(value, USAGE_KEYS) &&
    isText(value['purpose'], TextLimits.purpose) &&
    isUniqueList(value['rights'], UsageRights.length, isRight, sameRight) &&
    isOptional(value['crossBorder'], isCrossBorder)
  );
}

/**
 * `compliance`, the credential's and the issue request's: they differ only in how many checks
 * they hold (`maxChecks`) and which two checks may not both appear (`sameCheck`).
 */
export function isComplianceOf(value: unknown, maxChecks: number, same: (a: unknown, b: unknown) => boolean): boolean {
  return (
    isStrictObject(value, COMPLIANCE_KEYS) &&
    isParty(value['assessor']) &&
    isText(value['reportRef'], TextLimits.reference) &&
    isDigest(value['reportDigest']) &&
    isDateTime(value['assessedAt']) &&
    isUniqueList(value['checks'], maxChecks, isCheck, same)
  );
}

const isCompliance = (value: unknown): boolean => isComplianceOf(value, MAX_CREDENTIAL_CHECKS, sameCheck);

function isSubject(value: unknown): boolean {
  if (!isStrictObject(value, SUBJECT_KEYS)) return false;
  const supersedes = value['supersedes'];
  return (
    isTransaction(value['transaction']) &&
    isParty(value['provider']) &&
    isParty(value['consumer']) &&
    isDataProduct(value['dataProduct']) &&
    isUsage(value['usage']) &&
    isCompliance(value['compliance']) &&
    (supersedes === undefined || (typeof supersedes === 'string' && isCredentialId(supersedes)))
  );
}

/** The status entry, whose `id` is the list credential's URL, `#` and the index. */
function isStatusEntry(value: unknown): boolean {
  if (!isStrictObject(value, STATUS_KEYS)) return false;
  const { id, statusListIndex: index, statusListCredential: list } = value;
  // The same conjunction as the schema's, cheapest members first: the id is compared before it is parsed.
  return (
    value['type'] === STATUS_ENTRY_TYPE &&
    value['statusPurpose'] === STATUS_PURPOSE &&
    typeof index === 'string' &&
    STATUS_LIST_INDEX_PATTERN.test(index) &&
    Number(index) <= MAX_STATUS_LIST_INDEX &&
    isBoundedHttpUrl(list) &&
    isStatusEntryId(id, list, index)
  );
}

function isCredentialSchemaLink(value: unknown): boolean {
  return isStrictObject(value, SCHEMA_LINK_KEYS) && isVocabularyUrl(value['id'], VOCABULARY_PATHS.schema) && value['type'] === CREDENTIAL_SCHEMA_TYPE;
}

function isResource(value: unknown, path: string): boolean {
  if (!isStrictObject(value, RESOURCE_KEYS)) return false;
  const sri = value['digestSRI'];
  return isVocabularyUrl(value['id'], path) && typeof sri === 'string' && isSha384Sri(sri);
}

/** The published digests match the pattern (a test says so), and genuine certificates carry them: compared, not matched. */
function isSha384Sri(sri: string): boolean {
  return sri === VOCABULARY_SRI.context || sri === VOCABULARY_SRI.schema || SHA384_SRI_PATTERN.test(sri);
}

function isRelatedResources(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    isResource(value[0], VOCABULARY_PATHS.context) &&
    isResource(value[1], VOCABULARY_PATHS.schema)
  );
}
