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

  it('formats a Date in UTC and round-trips it', () => {
    const value = toRfc3339(new Date(Date.UTC(2026, 10, 20, 8, 30, 0, 7)));
    expect(value).toBe('2026-11-20T08:30:00.007Z');
    expect(rfc3339ToEpochMillis(value)).toBe(Date.UTC(2026, 10, 20, 8, 30, 0, 7));
    expect(() => toRfc3339(new Date(Number.NaN))).toThrow(TypeError);
  });
});
