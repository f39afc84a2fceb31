import { describe, expect, it } from 'vitest';
import { OrderError } from '../../service/domain/errors.js';
import {
  createSchema,
  fulfillSchema,
  listQuerySchema,
  parseWith,
} from '../../service/handlers/schemas.js';

const planBody = {
  customer_id: 'cust_test_001',
  items: [{ product_id: 'prod_001', quantity: 2, price: 29.99 }],
  total: 59.98,
  currency: 'USD',
};

const errorOf = (fn: () => unknown): OrderError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof OrderError) return error;
    throw error;
  }
  throw new Error('expected an OrderError');
};

describe('parseWith(createSchema)', () => {
  it('accepts the plan body unchanged', () => {
    // Assess
    expect(parseWith(createSchema, planBody)).toEqual(planBody);
  });

  it('rejects an unknown top-level key and names it', () => {
    // Act
    const error = errorOf(() => parseWith(createSchema, { ...planBody, discount: 5 }));

    // Assess
    expect(error.kind).toBe('invalid');
    expect(error.code).toBe('validation_failed');
    expect(error.message).toContain('discount');
  });

  it('rejects an unknown key inside an item and names the item', () => {
    // Act
    const error = errorOf(() =>
      parseWith(createSchema, {
        ...planBody,
        items: [{ product_id: 'prod_001', quantity: 2, price: 29.99, sku: 'x' }],
      }),
    );

    // Assess
    expect(error.kind).toBe('invalid');
    expect(error.message).toContain('sku');
    expect(error.details).toEqual({ field: 'items.0' });
  });

  it.each([
    ['zero', 0],
    ['fractional', 1.5],
    ['negative', -1],
    ['a string', '2'],
  ])('rejects a %s quantity, naming the field', (_label, quantity) => {
    // Act
    const error = errorOf(() =>
      parseWith(createSchema, {
        ...planBody,
        items: [{ product_id: 'prod_001', quantity, price: 29.99 }],
      }),
    );

    // Assess
    expect(error.kind).toBe('invalid');
    expect(error.code).toBe('validation_failed');
    expect(error.details).toEqual({ field: 'items.0.quantity' });
    expect(error.message).toMatch(/^items\.0\.quantity: /);
  });

  it.each([
    ['lower-case currency', { currency: 'usd' }, 'currency'],
    ['empty items', { items: [] }, 'items'],
    ['negative total', { total: -1 }, 'total'],
    ['missing total', { total: undefined }, 'total'],
    [
      'product id with a separator',
      { items: [{ product_id: 'a/b', quantity: 1, price: 1 }] },
      'items.0.product_id',
    ],
  ])('rejects %s, naming %s', (_label, patch, field) => {
    // Act
    const error = errorOf(() => parseWith(createSchema, { ...planBody, ...patch }));

    // Assess
    expect(error.details).toEqual({ field });
    expect(error.message.startsWith(`${field}: `)).toBe(true);
  });

  it('rejects a non-object body without naming a field', () => {
    // Act
    const error = errorOf(() => parseWith(createSchema, [planBody]));

    // Assess
    expect(error.kind).toBe('invalid');
    expect(error.details).toBeUndefined();
  });
});

describe('parseWith(fulfillSchema)', () => {
  it('accepts a tracking number and carrier', () => {
    // Assess
    expect(parseWith(fulfillSchema, { tracking_number: 'TRK123', carrier: 'DHL' })).toEqual({
      tracking_number: 'TRK123',
      carrier: 'DHL',
    });
  });

  it('trims the carrier', () => {
    // Assess
    expect(parseWith(fulfillSchema, { tracking_number: 'TRK1', carrier: '  DHL ' }).carrier).toBe(
      'DHL',
    );
  });

  it('rejects unknown keys', () => {
    // Act
    const error = errorOf(() =>
      parseWith(fulfillSchema, { tracking_number: 'TRK123', carrier: 'DHL', status: 'shipped' }),
    );

    // Assess
    expect(error.kind).toBe('invalid');
    expect(error.message).toContain('status');
  });

  it.each([
    ['missing tracking number', { carrier: 'DHL' }, 'tracking_number'],
    [
      'tracking number with a space',
      { tracking_number: 'TRK 1', carrier: 'DHL' },
      'tracking_number',
    ],
    ['blank carrier', { tracking_number: 'TRK1', carrier: '   ' }, 'carrier'],
  ])('rejects a %s, naming %s', (_label, body, field) => {
    // Act
    const error = errorOf(() => parseWith(fulfillSchema, body));

    // Assess
    expect(error.details).toEqual({ field });
    expect(error.message).toContain(field);
  });
});

describe('parseWith(listQuerySchema)', () => {
  it('defaults limit to 20', () => {
    // Assess
    expect(parseWith(listQuerySchema, {})).toEqual({ limit: 20 });
  });

  it('coerces limit from the query string', () => {
    // Assess
    expect(parseWith(listQuerySchema, { limit: '50' }).limit).toBe(50);
    expect(parseWith(listQuerySchema, { limit: '100' }).limit).toBe(100);
    expect(parseWith(listQuerySchema, { limit: '1' }).limit).toBe(1);
  });

  it.each(['101', '0', '2.5', 'abc', '-1'])('rejects limit %j, naming limit', (limit) => {
    // Act
    const error = errorOf(() => parseWith(listQuerySchema, { limit }));

    // Assess
    expect(error.kind).toBe('invalid');
    expect(error.details).toEqual({ field: 'limit' });
    expect(error.message).toMatch(/^limit: /);
  });

  it('accepts the documented filters', () => {
    // Assess
    expect(
      parseWith(listQuerySchema, {
        customer_id: 'cust_1',
        status: 'shipped',
        date: '2025-03-01',
        next_token: 'abc.def',
      }),
    ).toEqual({
      customer_id: 'cust_1',
      status: 'shipped',
      date: '2025-03-01',
      next_token: 'abc.def',
      limit: 20,
    });
  });

  it.each([
    ['an unknown status', { status: 'lost' }, 'status'],
    ['a bad date', { date: '2025-13-01' }, 'date'],
  ])('rejects %s, naming %s', (_label, query, field) => {
    // Act
    const error = errorOf(() => parseWith(listQuerySchema, query));

    // Assess
    expect(error.details).toEqual({ field });
  });

  it('rejects an unknown query parameter', () => {
    // Act
    const error = errorOf(() => parseWith(listQuerySchema, { sort: 'asc' }));

    // Assess
    expect(error.kind).toBe('invalid');
    expect(error.code).toBe('validation_failed');
    expect(error.message).toContain('sort');
  });
});
