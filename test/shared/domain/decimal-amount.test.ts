import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  amountFitsCurrency,
  decimalAmountProblem,
  fractionDigits,
  isPositiveDecimalAmount,
} from '#shared/domain/decimal-amount.ts';

describe('decimal amounts', () => {
  it.each(['1', '0.01', '120000.00', '120000.5', '999999999999999999', '999999999999999999.9999', '0.0001', '10'])(
    'accepts %s',
    (value) => {
      expect(decimalAmountProblem(value)).toBeNull();
      expect(isPositiveDecimalAmount(value)).toBe(true);
    },
  );

  it.each(['', '01', '00.5', '-1', '+1', '1.', '.5', '1e3', '1E3', '1,000.00', ' 1', '1 ', '1.2.3', 'NaN', 'Infinity', '0x10', '１２', '1000000000000000000'])(
    'refuses the malformed %j',
    (value) => {
      expect(decimalAmountProblem(value)).toBe('format');
    },
  );

  it.each(['0', '0.0', '0.00', '0.0000'])('refuses the zero %s as not positive', (value) => {
    expect(decimalAmountProblem(value)).toBe('not-positive');
  });

  it('refuses fractions long enough to reach past the length bound', () => {
    expect(decimalAmountProblem(`1.${'0'.repeat(40)}`)).toBe('format');
  });

  it('counts fraction digits without parsing', () => {
    expect(fractionDigits('120000')).toBe(0);
    expect(fractionDigits('120000.00')).toBe(2);
    expect(fractionDigits('0.0001')).toBe(4);
  });

  it('cross-checks fraction digits against the currency minor units', () => {
    expect(amountFitsCurrency('120000.00', 'CNY')).toBe(true);
    expect(amountFitsCurrency('120000.5', 'CNY')).toBe(true);
    expect(amountFitsCurrency('120000.001', 'CNY')).toBe(false);
    expect(amountFitsCurrency('500', 'JPY')).toBe(true);
    expect(amountFitsCurrency('500.0', 'JPY')).toBe(false);
    expect(amountFitsCurrency('1.125', 'KWD')).toBe(true);
    expect(amountFitsCurrency('1.1250', 'KWD')).toBe(false);
    expect(amountFitsCurrency('1.1234', 'CLF')).toBe(true);
    expect(amountFitsCurrency('1', 'XAU')).toBe(false);
    expect(amountFitsCurrency('1', 'ABC')).toBe(false);
  });

  it('property: the string is kept exactly, digits beyond float precision included', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 18n - 1n }), fc.integer({ min: 0, max: 99 }), (whole, cents) => {
        const value = `${whole}.${String(cents).padStart(2, '0')}`;
        expect(isPositiveDecimalAmount(value)).toBe(true);
        expect(amountFitsCurrency(value, 'CNY')).toBe(true);
      }),
    );
  });
});
