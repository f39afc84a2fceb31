import { OrderError } from './errors.js';

/**
 * Money is held as integer minor units (cents) so that totals are exact; the API speaks
 * decimals (`29.99`) as in the promotion plan's smoke tests.
 */

const SUPPORTED_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** True for an ISO 4217 code this runtime knows, e.g. `USD`, `ZAR`, `JPY`. */
export const isCurrency = (code: string): boolean =>
  /^[A-Z]{3}$/.test(code) && SUPPORTED_CURRENCIES.has(code);

/** Number of minor-unit digits of a currency (USD 2, JPY 0, BHD 3), from ICU data. */
export const currencyExponent = (currency: string): number =>
  new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
    .maximumFractionDigits ?? 2;

/**
 * Converts an API decimal to minor units, refusing values that cannot be represented
 * exactly (too many decimals, exponents, negatives, non-finite).
 *
 * @example toMinor(29.99, 'USD') // 2999
 */
export const toMinor = (amount: number, currency: string, field: string): number => {
  const text = String(amount);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  const exponent = currencyExponent(currency);
  if (!Number.isFinite(amount) || !match || (match[2]?.length ?? 0) > exponent) {
    throw new OrderError(
      'invalid',
      'invalid_amount',
      `${field} must be a non-negative amount with at most ${exponent} decimal places`,
      { field },
    );
  }
  const fraction = (match[2] ?? '').padEnd(exponent, '0');
  return Number(match[1]) * 10 ** exponent + Number(fraction || '0');
};

/** Converts minor units back to the API's decimal form. */
export const fromMinor = (minor: number, currency: string): number =>
  // Dividing an integer by a power of ten yields the double nearest the decimal, which
  // JSON prints in its shortest exact form (5998 / 100 → 59.98).
  minor / 10 ** currencyExponent(currency);
