import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  certificateCheckDigit,
  certificateNumberDate,
  isValidCertificateNumber,
  newCertificateNumber,
} from '#shared/domain/certificate-number.ts';

const NOW = new Date('2026-11-20T23:59:59.999Z');

/** A random source that replays `bytes`, then fails: makes the drawn digits predictable. */
function replay(...bytes: number[]): (n: number) => Uint8Array {
  let at = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = bytes[at++] ?? 0;
    return out;
  };
}

function singleDigitChanges(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    for (const d of '0123456789') if (d !== s[i]) out.push(s.slice(0, i) + d + s.slice(i + 1));
  }
  return out;
}

function adjacentTranspositions(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < s.length; i++) {
    if (s[i] !== s[i + 1]) out.push(s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2));
  }
  return out;
}

const numbers = fc
  .tuple(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }), fc.uint8Array({ minLength: 32, maxLength: 32 }))
  .map(([date, bytes]) => newCertificateNumber(date, replay(...bytes, ...new Array<number>(64).fill(1))));

describe('certificate numbers', () => {
  it('is 20 digits: the UTC issue date, 11 random digits, a check digit', () => {
    const no = newCertificateNumber(NOW, replay(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
    expect(no).toMatch(/^\d{20}$/);
    expect(no.slice(0, 8)).toBe('20261120');
    expect(no.slice(8, 19)).toBe('01234567890');
    expect(no[19]).toBe(certificateCheckDigit(no.slice(0, 19)));
    expect(isValidCertificateNumber(no)).toBe(true);
    expect(certificateNumberDate(no)).toBe('2026-11-20');
  });

  it('uses the UTC date, not the local one', () => {
    expect(newCertificateNumber(new Date('2026-11-20T16:30:00-08:00')).slice(0, 8)).toBe('20261121');
  });

  it('discards bytes of 250 and above so every digit is uniform', () => {
    const no = newCertificateNumber(NOW, replay(250, 255, 9, 251, 19, 29, 39, 49, 59, 69, 79, 89, 99, 109));
    expect(no.slice(8, 19)).toBe('99999999999');
  });

  it('gives up rather than loop forever on a source that only returns unusable bytes', () => {
    expect(() => newCertificateNumber(NOW, (n) => new Uint8Array(n).fill(255))).toThrow(/random source/);
  });

  it('computes the Damm check digit of the published example', () => {
    // Damm (2004) / the usual worked example: 572 → check digit 4.
    expect(certificateCheckDigit('572')).toBe('4');
  });

  it('draws from crypto by default: numbers differ and all validate', () => {
    const drawn = new Set(Array.from({ length: 200 }, () => newCertificateNumber(NOW)));
    expect(drawn.size).toBe(200);
    for (const no of drawn) expect(isValidCertificateNumber(no)).toBe(true);
  });

  it('detects every single-digit change and every adjacent transposition of distinct digits', () => {
    fc.assert(
      fc.property(numbers, (no) => {
        expect(isValidCertificateNumber(no)).toBe(true);
        for (const changed of singleDigitChanges(no)) expect(isValidCertificateNumber(changed), changed).toBe(false);
        for (const swapped of adjacentTranspositions(no)) expect(isValidCertificateNumber(swapped), swapped).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it('detects every adjacent transposition for every interim state, exhaustively', () => {
    // A transposition xy → yx after any prefix is caught exactly when the check sum differs,
    // whatever follows; so checking all 2-digit pairs after all 1- and 2-digit prefixes covers
    // every reachable interim state (0–9) of the algorithm.
    for (let prefix = 0; prefix < 100; prefix++) {
      for (let x = 0; x < 10; x++) {
        for (let y = 0; y < 10; y++) {
          if (x === y) continue;
          const p = String(prefix).padStart(2, '0');
          const a = `${p}${x}${y}`;
          const b = `${p}${y}${x}`;
          expect(certificateCheckDigit(a), `${a} vs ${b}`).not.toBe(certificateCheckDigit(b));
        }
      }
    }
  });

  it('refuses impossible dates, wrong lengths and non-digits', () => {
    const body = '2026022912345678901';
    expect(isValidCertificateNumber(body + certificateCheckDigit(body))).toBe(false);
    const before2000 = '1999123112345678901';
    expect(isValidCertificateNumber(before2000 + certificateCheckDigit(before2000))).toBe(false);
    const ok = newCertificateNumber(NOW);
    expect(isValidCertificateNumber(ok.slice(0, 19))).toBe(false);
    expect(isValidCertificateNumber(`${ok}0`)).toBe(false);
    expect(isValidCertificateNumber(` ${ok.slice(1)}`)).toBe(false);
    expect(isValidCertificateNumber(ok.replace(/\d$/, 'X'))).toBe(false);
  });

  it('accepts exactly the real dates from 2000 on, leap days included, as the calendar has them', () => {
    for (let year = 1998; year <= 2101; year++) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          const date = `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
          const real = year >= 2000 && new Date(`${year}-${date.slice(4, 6)}-${date.slice(6)}T00:00:00Z`).getUTCDate() === day;
          const body = `${date}12345678901`;
          expect(isValidCertificateNumber(body + certificateCheckDigit(body)), date).toBe(real);
        }
      }
    }
  });

  it('throws a TypeError for an invalid issue time', () => {
    expect(() => newCertificateNumber(new Date(Number.NaN))).toThrow(TypeError);
    expect(() => newCertificateNumber(new Date('1999-12-31T00:00:00Z'))).toThrow(TypeError);
    expect(() => certificateCheckDigit('12a')).toThrow(TypeError);
    expect(() => certificateNumberDate('123')).toThrow(TypeError);
  });
});
