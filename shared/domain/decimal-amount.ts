import { currencyMinorUnits } from './iso4217.ts';

/**
 * Money amounts as decimal strings: an integer part without leading zeros (at most 18 digits)
 * and an optional fraction, never parsed into a binary float, so `"120000.10"` stays exactly
 * what the exchange sent.
 */
const DECIMAL = /^(0|[1-9]\d{0,17})(?:\.(\d+))?$/;

// Module constants, not literals in the function: a literal builds a new RegExp at each call.
const NONZERO_DIGIT = /[1-9]/;

/** Longest accepted amount string; bounds the fraction before the currency is known. */
export const DECIMAL_AMOUNT_MAX_LENGTH = 32;

/** Why an amount string is refused, or `null` when it is a well-formed positive decimal. */
export type DecimalAmountProblem = 'format' | 'not-positive';

/** Checks the amount's form alone: a positive decimal string (see the module comment). */
export function decimalAmountProblem(value: string): DecimalAmountProblem | null {
  if (value.length > DECIMAL_AMOUNT_MAX_LENGTH || !DECIMAL.test(value)) return 'format';
  return NONZERO_DIGIT.test(value) ? null : 'not-positive';
}

/** Whether `value` is a well-formed, strictly positive decimal amount string. */
export function isPositiveDecimalAmount(value: string): boolean {
  return decimalAmountProblem(value) === null;
}

/** The number of digits after the decimal point (0 when there is none). */
export function fractionDigits(value: string): number {
  const dot = value.indexOf('.');
  return dot === -1 ? 0 : value.length - dot - 1;
}

/**
 * Whether a well-formed amount fits its currency: no more fraction digits than the currency's
 * ISO 4217 minor units (`"1.5"` and `"1.50"` fit CNY, `"1.505"` does not; JPY takes none).
 * Returns false for a currency without minor units or not in the list.
 */
export function amountFitsCurrency(value: string, currency: string): boolean {
  const minor = currencyMinorUnits(currency);
  return minor !== null && fractionDigits(value) <= minor;
}
