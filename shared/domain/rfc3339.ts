/**
 * RFC 3339 date-times, restricted to the profile that is also a valid XML Schema
 * `dateTimeStamp` (what VC 2.0 requires for `validFrom` / `validUntil`):
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, upper-case `T` and `Z`, an offset always present
 * and within ±14:00, no leap second (`:60`) and no `24:00`. Calendar validity is checked, so
 * `2026-02-30T00:00:00Z` is refused.
 */

/** The longest accepted form: 19 characters, `.` and 9 fraction digits, and a 6-character offset. */
export const RFC3339_MAX_LENGTH = 35;

/** The shortest: `YYYY-MM-DDTHH:MM:SSZ`. */
const MIN_LENGTH = 20;

/** The number of days of `month` (1–12) of `year` in the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// Read by character codes rather than with a regular expression: the credential predicate checks
// five date-times per certificate, and a match array with ten substrings and their conversions
// per date-time was most of what a check cost. `value.charCodeAt` past the end is NaN, which no
// comparison below accepts.

/** The ASCII digit at `i` as a number, or -1 (`\d` without the `u` flag: `0`–`9` only). */
function digitAt(value: string, i: number): number {
  const d = value.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

/** The two-digit number at `i`, or -1. */
function twoDigitsAt(value: string, i: number): number {
  const tens = digitAt(value, i);
  const ones = digitAt(value, i + 1);
  return tens < 0 || ones < 0 ? -1 : tens * 10 + ones;
}

const HYPHEN = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const PLUS = 0x2b;
const MILLIS_PLACES = [100, 10, 1] as const;

/**
 * `null` when `value` is not an accepted date-time; otherwise the instant it names when
 * `instant` is set, and 0 when it is not (the date arithmetic costs as much as the reading).
 */
function read(value: string, instant: boolean): number | null {
  const length = value.length;
  if (length < MIN_LENGTH || length > RFC3339_MAX_LENGTH) return null;
  // `YYYY-MM-DDTHH:MM:SS` at fixed places.
  const century = twoDigitsAt(value, 0);
  const yy = twoDigitsAt(value, 2);
  const month = twoDigitsAt(value, 5);
  const day = twoDigitsAt(value, 8);
  const hour = twoDigitsAt(value, 11);
  const minute = twoDigitsAt(value, 14);
  const second = twoDigitsAt(value, 17);
  if ((century | yy | month | day | hour | minute | second) < 0) return null;
  if (value.charCodeAt(4) !== HYPHEN || value.charCodeAt(7) !== HYPHEN || value.charCodeAt(10) !== 0x54 /* T */) return null;
  if (value.charCodeAt(13) !== COLON || value.charCodeAt(16) !== COLON) return null;
  const year = century * 100 + yy;
  if (month < 1 || month > 12) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  // `[.fraction]`: every digit that follows the dot, 1 to 9 of them; milliseconds from the first three.
  let i = 19;
  let millis = 0;
  if (value.charCodeAt(i) === DOT) {
    const start = ++i;
    for (let d = digitAt(value, i); d >= 0; d = digitAt(value, ++i)) if (i - start < 3) millis += d * MILLIS_PLACES[i - start]!;
    if (i === start || i - start > 9) return null;
  }
  // `Z` or `±HH:MM`, and nothing after it.
  let offsetMinutes = 0;
  const sign = value.charCodeAt(i);
  if (sign === 0x5a /* Z */) {
    if (length !== i + 1) return null;
  } else if (sign === PLUS || sign === HYPHEN) {
    if (length !== i + 6 || value.charCodeAt(i + 3) !== COLON) return null;
    const offHours = twoDigitsAt(value, i + 1);
    const offMinutes = twoDigitsAt(value, i + 4);
    if (offHours < 0 || offMinutes < 0 || offMinutes > 59) return null;
    if (offHours > 14 || (offHours === 14 && offMinutes !== 0)) return null;
    offsetMinutes = (sign === HYPHEN ? -1 : 1) * (offHours * 60 + offMinutes);
  } else {
    return null;
  }
  if (!instant) return 0;
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  // Date.UTC maps years 0–99 onto 1900–1999; setUTCFullYear does not.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime() - offsetMinutes * 60_000;
}

/**
 * The instant an RFC 3339 date-time names, in milliseconds since the Unix epoch, or `null`
 * when the string is not an accepted date-time. Fraction digits beyond milliseconds are
 * truncated, so two strings that differ only below a millisecond compare equal.
 */
export function rfc3339ToEpochMillis(value: string): number | null {
  return read(value, true);
}

/** Whether `value` is an accepted RFC 3339 date-time (see the module comment for the profile). */
export function isRfc3339DateTime(value: string): boolean {
  return read(value, false) !== null;
}

/** `date` as an RFC 3339 UTC date-time with millisecond precision, e.g. `2026-11-20T08:30:00.000Z`. */
export function toRfc3339(date: Date): string {
  const year = date.getUTCFullYear();
  if (Number.isNaN(year) || year < 0 || year > 9999) {
    throw new TypeError('toRfc3339: the date must be valid and within years 0000-9999');
  }
  return date.toISOString();
}
