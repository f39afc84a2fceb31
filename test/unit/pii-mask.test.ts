import { describe, expect, it } from 'vitest';
import { maskReplacer } from '../../service/adapters/pii-mask.js';
import { OrderError } from '../../service/domain/errors.js';

const mask = (value: unknown): unknown => JSON.parse(JSON.stringify(value, maskReplacer));

// A syntactically JWT-shaped token (header.payload.signature), not a real credential.
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

describe('maskReplacer', () => {
  it.each([
    ['authorization', `Bearer ${JWT}`],
    ['Authorization', 'Basic dXNlcjpwYXNz'],
    ['email', 'jane@example.com'],
    ['phone', '+27 82 555 0101'],
    ['recipient_name', 'Jane Doe'],
    ['line1', '1 Main Road'],
    ['postal_code', '8001'],
    ['Idempotency-Key', 'abc-123'],
  ])('masks the value of the %s key', (key, value) => {
    // Act
    const out = mask({ [key]: value, keep: 'visible' });

    // Assess
    expect(out).toEqual({ [key]: '***', keep: 'visible' });
  });

  it('masks a whole shipping object, not just its fields', () => {
    // Act
    const out = mask({
      order_id: 'ord_01JH0000000000000000000000',
      shipping: { recipient_name: 'Jane Doe', city: 'Cape Town', postal_code: '8001' },
    });

    // Assess
    expect(out).toEqual({ order_id: 'ord_01JH0000000000000000000000', shipping: '***' });
  });

  it('masks sensitive keys at any depth, including inside arrays', () => {
    // Act
    const out = mask({ request: { headers: { authorization: 'x' } }, list: [{ email: 'a@b.co' }] });

    // Assess
    expect(out).toEqual({
      request: { headers: { authorization: '***' } },
      list: [{ email: '***' }],
    });
  });

  it('leaves null and absent sensitive values as they are', () => {
    // Act
    const out = mask({ email: null, phone: undefined });

    // Assess
    expect(out).toEqual({ email: null });
  });

  it.each([
    ['an email', 'contact jane.doe+orders@example.co.za now', 'contact *** now'],
    ['a bearer token', `header was Bearer ${JWT} end`, 'header was Bearer *** end'],
    ['a lower-case bearer token', 'bearer abc.def-ghi', 'bearer ***'],
    ['a bare JWT', `token=${JWT}`, 'token=***'],
    ['an international phone number', 'call +27 82 555 0101 today', 'call *** today'],
    ['a compact phone number', 'sms +14155550123', 'sms ***'],
  ])('masks %s inside free text', (_label, text, expected) => {
    // Act
    const out = mask({ message: text });

    // Assess
    expect(out).toEqual({ message: expected });
  });

  it('masks free text given directly as the root value', () => {
    // Assess
    expect(JSON.stringify('mail jane@example.com', maskReplacer)).toBe('"mail ***"');
  });

  it.each([
    ['an ISO timestamp', '2025-03-01T10:00:00.000Z'],
    ['an ISO timestamp with an offset', '2025-03-01T12:00:00.000+02:00'],
    ['a date', '2025-03-01'],
    ['an order id', 'ord_01JH8Z3K4M5N6P7Q8R9S0TVWXY'],
    ['an event id', 'evt_01JH8Z3K4M5N6P7Q8R9S0TVWXY'],
    ['a request id', 'c0a8012e-7f3b-4b5e-9d2a-3f1e5c6d7a8b'],
    ['a decimal total', '59.98'],
    ['a customer id', 'cust_test_001'],
  ])('keeps %s', (_label, value) => {
    // Act
    const out = mask({ value });

    // Assess
    expect(out).toEqual({ value });
  });

  it('keeps numbers, booleans and non-sensitive keys', () => {
    // Act
    const out = mask({ total: 59.98, version: 2, ok: true, status: 'pending' });

    // Assess
    expect(out).toEqual({ total: 59.98, version: 2, ok: true, status: 'pending' });
  });

  it('keeps an error name while scrubbing its message', () => {
    // Prepare
    const error = new OrderError('invalid', 'validation_failed', 'bad email jane@example.com');

    // Act
    const out = mask({ error: { name: error.name, message: error.message, code: error.code } });

    // Assess
    expect(out).toEqual({
      error: { name: 'OrderError', message: 'bad email ***', code: 'validation_failed' },
    });
  });
});
