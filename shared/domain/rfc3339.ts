/**
 * RFC 3339 date-times, restricted to the profile that is also a valid XML Schema
 * `dateTimeStamp` (what VC 2.0 requires for `validFrom` / `validUntil`):
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, upper-case `T` and `Z`, an offset always present
 * and within ±14:00, no leap second (`:60`) and no `24:00`. Calendar validity is checked, so
 * `2026-02-30T00:00:00Z` is refused.
 */

const PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** The longest accepted form: 19 characters, `.` and 9 fraction digits, and a 6-character offset. */
export const RFC3339_MAX_LENGTH = 35;

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * The instant an RFC 3339 date-time names, in milliseconds since the Unix epoch, or `null`
 * when the string is not an accepted date-time. Fraction digits beyond milliseconds are
 * truncated, so two strings that differ only below a millisecond compare equal.
 */
export function rfc3339ToEpochMillis(value: string): number | null {
  if (value.length > RFC3339_MAX_LENGTH) return null;
  const m = PATTERN.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, fraction, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (sign !== undefined) {
    const offHours = Number(oh);
    const offMinutes = Number(om);
    if (offMinutes > 59) return null;
    if (offHours > 14 || (offHours === 14 && offMinutes !== 0)) return null;
    offsetMinutes = (sign === '-' ? -1 : 1) * (offHours * 60 + offMinutes);
  }
  const millis = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  // Date.UTC maps years 0–99 onto 1900–1999; setUTCFullYear does not.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime() - offsetMinutes * 60_000;
}

/** Whether `value` is an accepted RFC 3339 date-time (see the module comment for the profile). */
export function isRfc3339DateTime(value: string): boolean {
  return rfc3339ToEpochMillis(value) !== null;
}

/** `date` as an RFC 3339 UTC date-time with millisecond precision, e.g. `2026-11-20T08:30:00.000Z`. */
export function toRfc3339(date: Date): string {
  const year = date.getUTCFullYear();
  if (Number.isNaN(year) || year < 0 || year > 9999) {
    throw new TypeError('toRfc3339: the date must be valid and within years 0000-9999');
  }
  return date.toISOString();
}
