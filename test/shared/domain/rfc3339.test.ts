import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRfc3339DateTime, rfc3339ToEpochMillis, toRfc3339 } from '#shared/domain/rfc3339.ts';

describe('RFC 3339 date-times', () => {
  it.each([
    ['2026-11-20T08:30:00Z', Date.UTC(2026, 10, 20, 8, 30)],
    ['2026-11-20T16:30:00+08:00', Date.UTC(2026, 10, 20, 8, 30)],
    ['2026-11-20T03:30:00-05:00', Date.UTC(2026, 10, 20, 8, 30)],
    ['2026-11-20T08:30:00.5Z', Date.UTC(2026, 10, 20, 8, 30, 0, 500)],
    ['2026-11-20T08:30:00.123456789Z', Date.UTC(2026, 10, 20, 8, 30, 0, 123)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['2026-12-31T23:59:59+14:00', Date.UTC(2026, 11, 31, 9, 59, 59)],
    ['2026-01-01T00:00:00-00:00', Date.UTC(2026, 0, 1)],
  ])('accepts %s', (value, epoch) => {
    expect(isRfc3339DateTime(value)).toBe(true);
    expect(rfc3339ToEpochMillis(value)).toBe(epoch);
  });

  it('keeps years below 100 as written (no 19xx mapping)', () => {
    expect(rfc3339ToEpochMillis('0099-01-01T00:00:00Z')).toBe(new Date('0099-01-01T00:00:00Z').getTime());
  });

  it.each([
    '2026-02-30T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-11-00T00:00:00Z',
    '2026-11-20T24:00:00Z',
    '2026-11-20T23:60:00Z',
    '2026-12-31T23:59:60Z',
    '2026-11-20T08:30:00',
    '2026-11-20T08:30Z',
    '2026-11-20 08:30:00Z',
    '2026-11-20t08:30:00z',
    '2026-11-20T08:30:00+0800',
    '2026-11-20T08:30:00+08',
    '2026-11-20T08:30:00+15:00',
    '2026-11-20T08:30:00+14:30',
    '2026-11-20T08:30:00+08:60',
    '2026-11-20T08:30:00.Z',
    '2026-11-20T08:30:00.1234567890Z',
    '26-11-20T08:30:00Z',
    '+2026-11-20T08:30:00Z',
    '2026-11-20',
    ' 2026-11-20T08:30:00Z',
    '2026-11-20T08:30:00Z ',
    '２０２６-11-20T08:30:00Z',
    '',
  ])('refuses %j', (value) => {
    expect(isRfc3339DateTime(value)).toBe(false);
    expect(rfc3339ToEpochMillis(value)).toBeNull();
  });

  it('reads exactly what the profile\'s regular expression and range checks accept, to the millisecond (fixed seed)', () => {
    // The profile as a regular expression with its checks, as the module once read it: the
    // reference of the reader by character codes, around every place a character can go wrong.
    const pattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;
    const reference = (value: string): number | null => {
      const m = pattern.exec(value);
      if (!m) return null;
      const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
      const [, , , , , , , fraction, sign, oh, om] = m;
      // The calendar's own answer: a day that does not exist rolls over into another month.
      const date = new Date(0);
      date.setUTCFullYear(year, month - 1, day);
      if (month < 1 || month > 12 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return null;
      if (sign !== undefined && (Number(om) > 59 || Number(oh) > 14 || (Number(oh) === 14 && Number(om) !== 0))) return null;
      const offset = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
      date.setUTCHours(hour, minute, second, fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3)));
      return date.getTime() - offset * 60_000;
    };
    const near = fc.stringMatching(/^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-6][0-9]:[0-6][0-9](\.[0-9]{0,11})?(Z|[+-][01][0-9]:[0-6][0-9])$/);
    const edit = fc.tuple(fc.nat(), fc.constantFrom(...'09-:.TZtz+ ２\u0000a'.split('')), fc.constantFrom('replace', 'insert', 'delete'));
    fc.assert(
      fc.property(near, fc.array(edit, { maxLength: 2 }), (start, edits) => {
        let value = start;
        for (const [at, c, kind] of edits) {
          const i = at % (value.length + 1);
          value = value.slice(0, i) + (kind === 'delete' ? '' : c) + value.slice(kind === 'insert' ? i : i + 1);
        }
        expect(rfc3339ToEpochMillis(value), value).toBe(reference(value));
        expect(isRfc3339DateTime(value), value).toBe(reference(value) !== null);
      }),
      { numRuns: 20_000, seed: 20261201 },
    );
  });

  it('takes the milliseconds from the first three fraction digits, padded', () => {
    const at = (fraction: string) => rfc3339ToEpochMillis(`2026-11-20T08:30:00.${fraction}Z`)! - Date.UTC(2026, 10, 20, 8, 30);
    expect([at('5'), at('05'), at('005'), at('0059'), at('999999999'), at('000000001')]).toEqual([500, 50, 5, 5, 999, 0]);
  });

  it('formats a Date in UTC and round-trips it', () => {
    const value = toRfc3339(new Date(Date.UTC(2026, 10, 20, 8, 30, 0, 7)));
    expect(value).toBe('2026-11-20T08:30:00.007Z');
    expect(rfc3339ToEpochMillis(value)).toBe(Date.UTC(2026, 10, 20, 8, 30, 0, 7));
    expect(() => toRfc3339(new Date(Number.NaN))).toThrow(TypeError);
  });
});
