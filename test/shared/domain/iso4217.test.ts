import { describe, expect, it } from 'vitest';
import { currencyMinorUnits, ISO_4217_CODES, isIso4217Code, isPricingCurrency } from '#shared/domain/iso4217.ts';

describe('ISO 4217', () => {
  it('holds the full current list: 178 codes, sorted and unique', () => {
    expect(ISO_4217_CODES).toHaveLength(178);
    expect(new Set(ISO_4217_CODES).size).toBe(178);
    expect([...ISO_4217_CODES].sort()).toEqual(ISO_4217_CODES);
    for (const code of ISO_4217_CODES) expect(code).toMatch(/^[A-Z]{3}$/);
  });

  it.each([
    ['CNY', 2],
    ['USD', 2],
    ['EUR', 2],
    ['HKD', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['ISK', 0],
    ['XOF', 0],
    ['BHD', 3],
    ['IQD', 3],
    ['KWD', 3],
    ['TND', 3],
    ['CLF', 4],
    ['UYW', 4],
    ['XCG', 2],
    ['ZWG', 2],
    ['XAD', 2],
  ])('%s has %i minor units', (code, units) => {
    expect(currencyMinorUnits(code)).toBe(units);
    expect(isPricingCurrency(code)).toBe(true);
  });

  it('lists units of account and metals without minor units, so they cannot price anything', () => {
    for (const code of ['XAU', 'XAG', 'XPT', 'XPD', 'XDR', 'XUA', 'XSU', 'XBA', 'XBB', 'XBC', 'XBD', 'XTS', 'XXX']) {
      expect(isIso4217Code(code), code).toBe(true);
      expect(currencyMinorUnits(code), code).toBeNull();
      expect(isPricingCurrency(code), code).toBe(false);
    }
  });

  it('refuses withdrawn codes and non-codes', () => {
    for (const code of ['ANG', 'BGN', 'CUC', 'HRK', 'SLL', 'ZWL', 'VEF', 'MRO', 'STD', 'LTL', 'cny', 'RMB', 'CN', 'CNYY', '', 'toString', '__proto__']) {
      expect(isIso4217Code(code), code).toBe(false);
      expect(currencyMinorUnits(code), code).toBeNull();
    }
  });
});
