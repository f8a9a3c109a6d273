import { fillRandom } from './random-pool.ts';
import { daysInMonth } from './rfc3339.ts';

/**
 * Certificate numbers: 20 digits, read and typed by people like an invoice number.
 * `YYYYMMDD` (UTC issue date) + 11 random digits + 1 check digit.
 *
 * The check digit is the Damm algorithm's (a totally anti-symmetric quasigroup of order 10).
 * It detects every single-digit error and every transposition of two adjacent distinct digits,
 * including those involving the check digit itself. ISO/IEC 7064 MOD 11,10 was considered and
 * refused: it misses some adjacent transpositions (for example `…45…` ↔ `…54…` after a prefix
 * that leaves its running value at 1), and an issue date such as `20201012` has its own
 * undetectable swap (`20201102`), so no choice of the random digits could make up for it.
 */

/** Damm's quasigroup (H. M. Damm, 2004): row = interim digit, column = next digit. */
const DAMM = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
] as const;

const RANDOM_DIGITS = 11;
const FORMAT = /^\d{20}$/;

function dammInterim(digits: string): number {
  let interim = 0;
  for (let i = 0; i < digits.length; i++) {
    interim = DAMM[interim]![digits.charCodeAt(i) - 48]!;
  }
  return interim;
}

/**
 * The check digit that makes `digits` + check valid.
 * @throws TypeError when `digits` is empty or not all decimal digits.
 */
export function certificateCheckDigit(digits: string): string {
  if (!/^\d+$/.test(digits)) throw new TypeError('certificateCheckDigit: expected decimal digits');
  // The diagonal of the table is zero, so the interim value itself is the digit that closes it.
  return String(dammInterim(digits));
}

/** The number spelt by the ASCII digits from `start` to `end` of `value` (known to be digits). */
function digitsValue(value: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) n = n * 10 + value.charCodeAt(i) - 48;
  return n;
}

/** Whether the first 8 digits of `value` are a real date `YYYYMMDD`, year 2000 or later (read without slices or a Date: the verifier asks at every certificate). */
function isCalendarDate(value: string): boolean {
  const year = digitsValue(value, 0, 4);
  const month = digitsValue(value, 4, 6);
  const day = digitsValue(value, 6, 8);
  return year >= 2000 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Whether `value` is a certificate number: 20 digits, a real date (year ≥ 2000), a valid check digit. */
export function isValidCertificateNumber(value: string): boolean {
  return FORMAT.test(value) && isCalendarDate(value) && dammInterim(value) === 0;
}

/** The UTC issue date (`YYYY-MM-DD`) a valid certificate number carries. */
export function certificateNumberDate(value: string): string {
  if (!isValidCertificateNumber(value)) throw new TypeError('certificateNumberDate: not a certificate number');
  return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
}

/** A source of `n` uniformly random bytes. */
export type RandomBytes = (n: number) => Uint8Array;

// From the shared pool (WebCrypto): a call into the random generator per number cost more than
// the rest of the number.
const defaultRandom: RandomBytes = (n) => fillRandom(new Uint8Array(n));

/**
 * A fresh certificate number for an issue at `now`. The 11 random digits are drawn by rejection
 * sampling (bytes ≥ 250 are discarded), so each digit is exactly uniform; uniqueness is still
 * the store's to enforce.
 * @param random source of uniformly random bytes (crypto by default; tests pass their own).
 * @throws TypeError when `now` is invalid or not within years 2000–9999.
 */
export function newCertificateNumber(now: Date, random: RandomBytes = defaultRandom): string {
  const year = now.getUTCFullYear();
  if (Number.isNaN(year) || year < 2000 || year > 9999) {
    throw new TypeError('newCertificateNumber: now must be a valid date within years 2000-9999');
  }
  const date =
    String(year).padStart(4, '0') +
    String(now.getUTCMonth() + 1).padStart(2, '0') +
    String(now.getUTCDate()).padStart(2, '0');
  let digits = '';
  // A bounded loop: an honest source rejects 6 in 256 bytes; a broken one must not hang us.
  for (let round = 0; digits.length < RANDOM_DIGITS; round++) {
    if (round >= 64) throw new Error('newCertificateNumber: the random source keeps returning unusable bytes');
    const bytes = random(RANDOM_DIGITS - digits.length + 4);
    for (const byte of bytes) {
      if (byte < 250) digits += String(byte % 10);
      if (digits.length === RANDOM_DIGITS) break;
    }
  }
  const body = date + digits;
  return body + certificateCheckDigit(body);
}
