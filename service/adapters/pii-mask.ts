/**
 * Masks personal data before anything is logged: the plan's "PII data masking in logs"
 * security item. Applied as the logger's JSON replacer so it covers every log line,
 * including error objects and attributes added later by someone else.
 */

const SENSITIVE_KEYS = new Set(
  [
    'authorization',
    'cookie',
    'set-cookie',
    'token',
    'id_token',
    'access_token',
    'refresh_token',
    'idempotency-key',
    'x-api-key',
    'password',
    'secret',
    'email',
    'phone',
    'phone_number',
    'full_name',
    'customer_name',
    'given_name',
    'family_name',
    'recipient_name',
    'address',
    'line1',
    'line2',
    'street',
    'postal_code',
    'shipping',
    'body',
    'claims',
  ].map((key) => key.toLowerCase()),
);

const MASK = '***';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
// International format only (leading +): a bare digit run would also eat dates and ids.
const PHONE = /\+\d[\d\s().-]{7,}\d/g;

/** Masks emails, bearer credentials, JWTs and phone numbers inside free text. */
export const maskText = (text: string): string =>
  text.replace(BEARER, `$1 ${MASK}`).replace(JWT, MASK).replace(EMAIL, MASK).replace(PHONE, MASK);

/** True for attribute names whose values are personal data or secrets. */
export const isSensitiveKey = (key: string): boolean => SENSITIVE_KEYS.has(key.toLowerCase());

/**
 * `JSON.stringify` replacer: drops the values of sensitive keys and scrubs strings.
 *
 * @example JSON.stringify({ email: 'a@b.co', note: 'call +27 82 555 0101' }, maskReplacer)
 * // → {"email":"***","note":"call ***"}
 */
export const maskReplacer = (key: string, value: unknown): unknown => {
  if (key !== '' && isSensitiveKey(key) && value !== undefined && value !== null) return MASK;
  if (typeof value === 'string') return maskText(value);
  return value;
};
