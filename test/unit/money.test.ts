import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderError } from '../../service/domain/errors.js';
import { currencyExponent, fromMinor, isCurrency, toMinor } from '../../service/domain/money.js';

const refusal = (amount: number, currency: string): OrderError => {
  try {
    toMinor(amount, currency, 'total');
  } catch (error) {
    if (error instanceof OrderError) return error;
    throw error;
  }
  throw new Error(`toMinor(${amount}, ${currency}) was accepted`);
};

describe('money in minor units', () => {
  it('converts the plan price 29.99 USD to 2999 cents and back', () => {
    // Act
    const minor = toMinor(29.99, 'USD', 'price');

    // Assess
    expect(minor).toBe(2999);
    expect(fromMinor(minor, 'USD')).toBe(29.99);
    expect(toMinor(59.98, 'USD', 'total')).toBe(5998);
    expect(fromMinor(5998, 'USD')).toBe(59.98);
  });

  it('pads short fractions and accepts whole amounts', () => {
    // Assess
    expect(toMinor(29.9, 'USD', 'price')).toBe(2990);
    expect(toMinor(30, 'USD', 'price')).toBe(3000);
    expect(toMinor(0, 'USD', 'price')).toBe(0);
  });

  it('reads currency exponents from ICU: USD 2, JPY 0, BHD 3', () => {
    // Assess
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('BHD')).toBe(3);
  });

  it('uses whole yen and refuses fractional yen', () => {
    // Assess
    expect(toMinor(1500, 'JPY', 'total')).toBe(1500);
    expect(fromMinor(1500, 'JPY')).toBe(1500);
    const error = refusal(1.5, 'JPY');
    expect(error.kind).toBe('invalid');
    expect(error.code).toBe('invalid_amount');
    expect(error.details).toEqual({ field: 'total' });
  });

  it('uses three decimals for BHD', () => {
    // Assess
    expect(toMinor(1.234, 'BHD', 'total')).toBe(1234);
    expect(fromMinor(1234, 'BHD')).toBe(1.234);
    expect(refusal(1.2345, 'BHD').kind).toBe('invalid');
  });

  it('refuses more decimals than the currency has', () => {
    // Assess
    expect(refusal(29.999, 'USD').kind).toBe('invalid');
    expect(refusal(0.1 + 0.2, 'USD').kind).toBe('invalid');
  });

  it.each([
    ['negative', -1],
    ['negative fraction', -0.01],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['1e21 (exponent notation)', 1e21],
    ['1e-7 (exponent notation)', 1e-7],
  ])('refuses %s with kind invalid', (_label, amount) => {
    // Act
    const error = refusal(amount, 'USD');

    // Assess
    expect(error.kind).toBe('invalid');
    expect(error.code).toBe('invalid_amount');
    expect(error.message).toContain('total');
  });

  it('recognises ISO 4217 codes only in upper case', () => {
    // Assess
    expect(isCurrency('USD')).toBe(true);
    expect(isCurrency('ZAR')).toBe(true);
    expect(isCurrency('JPY')).toBe(true);
    expect(isCurrency('usd')).toBe(false);
    expect(isCurrency('XYZ')).toBe(false);
    expect(isCurrency('US')).toBe(false);
    expect(isCurrency('USDX')).toBe(false);
  });

  it('round-trips every whole number of cents up to 1e11 exactly', () => {
    // Assess
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e11 }), (minor) => {
        expect(toMinor(fromMinor(minor, 'USD'), 'USD', 'total')).toBe(minor);
      }),
      { numRuns: 2000 },
    );
  });
});
