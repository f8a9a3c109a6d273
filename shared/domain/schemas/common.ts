import * as z from 'zod/mini';
import './zod-locale.ts';
import { DECIMAL_AMOUNT_MAX_LENGTH, decimalAmountProblem, fractionDigits } from '../decimal-amount.ts';
import { isSha256Hex, SHA256_DIGEST_ALG } from '../digest.ts';
import { isIso3166Alpha2 } from '../iso3166.ts';
import { currencyMinorUnits, isIso4217Code } from '../iso4217.ts';
import { isRfc3339DateTime, RFC3339_MAX_LENGTH } from '../rfc3339.ts';
import { plainTextProblem, TextLimits } from '../text.ts';
import { TRANSACTION_REF_PATTERN } from '../transaction-ref.ts';
import { isValidUscc } from '../uscc.ts';
import { isHttpUrl } from '../http-url.ts';
import { CERTIFICATE_ID_PATTERN } from './credential-terms.ts';

// Kept where the schemas always imported it from; defined beside the text rule, without zod, for
// the credential predicate (credential-check.ts) too.
export { TextLimits };

/**
 * The building blocks shared by the request, credential and response schemas. Every string has
 * an upper bound, so nothing unbounded reaches the table or the signed payload.
 */

const TEXT_MESSAGES = {
  'ill-formed': 'must be well-formed Unicode',
  'control-character': 'must not contain control or invisible formatting characters',
  'surrounding-whitespace': 'must not start or end with whitespace',
} as const;

/** Free text of 1 to `max` characters (see `text.ts` for what is refused). */
export function plainText(max: number) {
  return z.string().check(
    z.minLength(1),
    z.maxLength(max),
    z.superRefine((value, ctx) => {
      const problem = plainTextProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: TEXT_MESSAGES[problem], input: value });
    }),
  );
}

/** RFC 3339 date-time with an offset (the profile of `rfc3339.ts`). */
export const DateTimeSchema = z.string().check(
  z.maxLength(RFC3339_MAX_LENGTH, { message: 'must be an RFC 3339 date-time such as 2026-11-20T08:30:00Z' }),
  z.refine(isRfc3339DateTime, {
    message: 'must be an RFC 3339 date-time with Z or an offset, such as 2026-11-20T08:30:00Z, naming a real date',
  }),
  // What a JSON Schema (the published credential schema, the API description) can say of it.
  z.meta({ format: 'date-time' }),
);

/** An 18-character unified social credit code with valid check characters. */
export const UsccSchema = z.string().check(
  z.refine(isValidUscc, { message: 'must be an 18-character unified social credit code (GB 32100-2015) with valid check characters' }),
  z.meta({ pattern: '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$' }),
);

/** A legal person: its registered name and unified social credit code. */
export const PartySchema = z.strictObject({
  name: plainText(TextLimits.name),
  uscc: UsccSchema,
});

/** `{ alg: "sha-256", value: <64 lower-case hex> }`. */
export const Sha256DigestSchema = z.strictObject({
  alg: z.literal(SHA256_DIGEST_ALG),
  value: z.string().check(z.refine(isSha256Hex, { message: 'must be 64 lower-case hexadecimal characters' }), z.meta({ pattern: '^[0-9a-f]{64}$' })),
});

/** 1–64 characters of `A–Z a–z 0–9 . _ : / -`. */
export const TransactionRefSchema = z.string().check(z.regex(TRANSACTION_REF_PATTERN, { message: 'must be 1-64 characters of A-Z a-z 0-9 . _ : / -' }));

/** An officially assigned ISO 3166-1 alpha-2 country code. */
export const CountryCodeSchema = z.string().check(
  z.refine(isIso3166Alpha2, { message: 'must be an assigned ISO 3166-1 alpha-2 country code' }),
  z.meta({ pattern: '^[A-Z]{2}$' }),
);

/** An active ISO 4217 code that has minor units (so can state a price). */
export const CurrencySchema = z.string().check(
  z.superRefine((code, ctx) => {
    if (!isIso4217Code(code)) {
      ctx.addIssue({ code: 'custom', message: 'must be an active ISO 4217 currency code', input: code });
    } else if (currencyMinorUnits(code) === null) {
      ctx.addIssue({ code: 'custom', message: `${code} has no minor unit in ISO 4217 and cannot price a transaction`, input: code });
    }
  }),
  z.meta({ pattern: '^[A-Z]{3}$' }),
);

/**
 * A price: a positive decimal string with no more fraction digits than the currency's minor
 * units. The cross-field problem is reported at `value`.
 */
export const AmountSchema = z
  .strictObject({
    value: z.string().check(
      z.superRefine((value, ctx) => {
        const problem = decimalAmountProblem(value);
        if (problem === 'format') {
          ctx.addIssue({ code: 'custom', message: 'must be a decimal string such as "120000.00" (no sign, exponent or leading zeros)', input: value });
        } else if (problem === 'not-positive') {
          ctx.addIssue({ code: 'custom', message: 'must be greater than zero', input: value });
        }
      }),
      z.meta({ pattern: '^(0|[1-9][0-9]{0,17})(\\.[0-9]+)?$', maxLength: DECIMAL_AMOUNT_MAX_LENGTH }),
    ),
    currency: CurrencySchema,
  })
  .check(z.superRefine((amount, ctx) => {
    // zod runs this even when a member failed; judge only an amount whose parts are valid.
    const minor = currencyMinorUnits(amount.currency);
    if (minor !== null && decimalAmountProblem(amount.value) === null && fractionDigits(amount.value) > minor) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message:
          minor === 0
            ? `must be a whole number: ${amount.currency} has no minor unit`
            : `must have at most ${minor} fraction digit${minor === 1 ? '' : 's'} for ${amount.currency}`,
        input: amount.value,
      });
    }
  }));

/** A certificate id: a lower-case UUIDv7, as `newCertificateId` makes them. */
export const CertificateIdSchema = z.string().check(z.regex(CERTIFICATE_ID_PATTERN, { message: 'must be a certificate id (a lower-case UUIDv7)' }));

/** An absolute `https:` or `http:` URL of bounded length. */
export const HttpUrlSchema = z.string().check(
  z.maxLength(TextLimits.url),
  z.refine(isHttpUrl, { message: 'must be an absolute http(s) URL without credentials' }),
  z.meta({ format: 'uri', pattern: '^https?://' }),
);
