import { describe, expect, it } from 'vitest';
import type { Actor } from '../../service/domain/actor.js';
import { OrderError } from '../../service/domain/errors.js';
import {
  createOrder,
  editOrder,
  type NewOrderInput,
  type Order,
  transition,
} from '../../service/domain/order.js';
import { historyView, orderView, trackingView } from '../../service/domain/order-view.js';

const customerActor: Actor = { subject: 'sub-cust-1', customerId: 'cust_test_001', isAdmin: false };
const adminActor: Actor = { subject: 'sub-admin-1', isAdmin: true };
const ORDER_ID = 'ord_01JH0000000000000000000000';
const T0 = new Date('2025-03-01T10:00:00.000Z');
const T1 = new Date('2025-03-01T11:00:00.000Z');
const T2 = new Date('2025-03-02T09:30:00.000Z');

/** The promotion plan's create body. */
const planBody: NewOrderInput = {
  customer_id: 'cust_test_001',
  items: [{ product_id: 'prod_001', quantity: 2, price: 29.99 }],
  total: 59.98,
  currency: 'USD',
};

const shipping = {
  recipient_name: 'Jane Doe',
  line1: '1 Main Road',
  city: 'Cape Town',
  postal_code: '8001',
  country: 'ZA',
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

const newOrder = (): Order => createOrder(planBody, customerActor, ORDER_ID, T0);

describe('createOrder', () => {
  it('builds a pending order from the plan body with prices in minor units', () => {
    // Act
    const order = newOrder();

    // Assess
    expect(order).toEqual({
      order_id: ORDER_ID,
      customer_id: 'cust_test_001',
      status: 'pending',
      currency: 'USD',
      items: [{ product_id: 'prod_001', quantity: 2, price_minor: 2999 }],
      total_minor: 5998,
      created_at: '2025-03-01T10:00:00.000Z',
      updated_at: '2025-03-01T10:00:00.000Z',
      order_date: '2025-03-01',
      version: 1,
      status_history: [
        { from: null, to: 'pending', at: '2025-03-01T10:00:00.000Z', by: 'sub-cust-1' },
      ],
    });
  });

  it('keeps shipping when given', () => {
    // Act
    const order = createOrder({ ...planBody, shipping }, customerActor, ORDER_ID, T0);

    // Assess
    expect(order.shipping).toEqual(shipping);
  });

  it('refuses a total that is not the sum of quantity × price', () => {
    // Act
    const error = errorOf(() =>
      createOrder({ ...planBody, total: 59.97 }, customerActor, ORDER_ID, T0),
    );

    // Assess
    expect(error.kind).toBe('unprocessable');
    expect(error.code).toBe('total_mismatch');
    expect(error.details).toEqual({ field: 'total', expected: 59.98 });
  });

  it('refuses an unknown currency as invalid', () => {
    // Act
    const error = errorOf(() =>
      createOrder({ ...planBody, currency: 'XYZ' }, customerActor, ORDER_ID, T0),
    );

    // Assess
    expect(error.kind).toBe('invalid');
    expect(error.code).toBe('invalid_currency');
    expect(error.details).toEqual({ field: 'currency' });
  });

  it('names the item whose price has too many decimals', () => {
    // Act
    const error = errorOf(() =>
      createOrder(
        { ...planBody, items: [{ product_id: 'prod_001', quantity: 1, price: 1.001 }], total: 1 },
        customerActor,
        ORDER_ID,
        T0,
      ),
    );

    // Assess
    expect(error.kind).toBe('invalid');
    expect(error.details).toEqual({ field: 'items[0].price' });
  });
});

describe('transition', () => {
  it('appends {from, to, at, by} to the history and bumps the version', () => {
    // Prepare
    const order = newOrder();

    // Act
    const confirmed = transition(order, 'confirmed', adminActor, T1);

    // Assess
    expect(confirmed.status).toBe('confirmed');
    expect(confirmed.version).toBe(2);
    expect(confirmed.updated_at).toBe(T1.toISOString());
    expect(confirmed.created_at).toBe(order.created_at);
    expect(confirmed.status_history).toEqual([
      order.status_history[0],
      { from: 'pending', to: 'confirmed', at: T1.toISOString(), by: 'sub-admin-1' },
    ]);
    // The input is not mutated.
    expect(order.status).toBe('pending');
    expect(order.status_history).toHaveLength(1);
  });

  it('records a reason and tracking when given', () => {
    // Prepare
    const processing = transition(
      transition(newOrder(), 'confirmed', adminActor, T1),
      'processing',
      adminActor,
      T1,
    );
    const tracking = { tracking_number: 'TRK123', carrier: 'DHL' };

    // Act
    const shipped = transition(processing, 'shipped', adminActor, T2, { tracking });
    const cancelled = transition(processing, 'cancelled', adminActor, T2, { reason: 'oos' });

    // Assess
    expect(shipped.tracking).toEqual(tracking);
    expect(shipped.version).toBe(4);
    expect(cancelled.status_history.at(-1)).toEqual({
      from: 'processing',
      to: 'cancelled',
      at: T2.toISOString(),
      by: 'sub-admin-1',
      reason: 'oos',
    });
  });

  it('refuses an illegal step with conflict/illegal_transition', () => {
    // Act
    const error = errorOf(() => transition(newOrder(), 'shipped', adminActor, T1));

    // Assess
    expect(error.kind).toBe('conflict');
    expect(error.code).toBe('illegal_transition');
    expect(error.details).toEqual({ from: 'pending', to: 'shipped' });
    expect(error.message).toContain('allowed: confirmed, processing, cancelled');
  });

  it('says a terminal status is final', () => {
    // Prepare
    const cancelled = transition(newOrder(), 'cancelled', adminActor, T1);

    // Act
    const error = errorOf(() => transition(cancelled, 'confirmed', adminActor, T2));

    // Assess
    expect(error.code).toBe('illegal_transition');
    expect(error.message).toContain('cancelled is final');
  });
});

describe('editOrder', () => {
  it('reprices items and total together while pending', () => {
    // Act
    const edited = editOrder(
      newOrder(),
      { items: [{ product_id: 'prod_002', quantity: 3, price: 10.5 }], total: 31.5 },
      T1,
    );

    // Assess
    expect(edited.items).toEqual([{ product_id: 'prod_002', quantity: 3, price_minor: 1050 }]);
    expect(edited.total_minor).toBe(3150);
    expect(edited.version).toBe(2);
    expect(edited.updated_at).toBe(T1.toISOString());
    expect(edited.status).toBe('pending');
    expect(edited.status_history).toHaveLength(1);
  });

  it('updates shipping alone', () => {
    // Act
    const edited = editOrder(newOrder(), { shipping }, T1);

    // Assess
    expect(edited.shipping).toEqual(shipping);
    expect(edited.total_minor).toBe(5998);
    expect(edited.version).toBe(2);
  });

  it.each([
    ['items without total', { items: planBody.items }],
    ['total without items', { total: 59.98 }],
  ])('refuses %s', (_label, edit) => {
    // Act
    const error = errorOf(() => editOrder(newOrder(), edit, T1));

    // Assess
    expect(error.kind).toBe('invalid');
    expect(error.code).toBe('items_and_total');
  });

  it('refuses a mismatched total in the edit', () => {
    // Act
    const error = errorOf(() => editOrder(newOrder(), { items: planBody.items, total: 1 }, T1));

    // Assess
    expect(error.kind).toBe('unprocessable');
    expect(error.code).toBe('total_mismatch');
  });

  it('refuses edits once the order has left pending', () => {
    // Prepare
    const confirmed = transition(newOrder(), 'confirmed', adminActor, T1);

    // Act
    const error = errorOf(() => editOrder(confirmed, { shipping }, T2));

    // Assess
    expect(error.kind).toBe('conflict');
    expect(error.code).toBe('not_editable');
    expect(error.details).toEqual({ status: 'confirmed' });
  });
});

describe('order views', () => {
  it('orderView speaks decimals and hides bookkeeping', () => {
    // Act
    const view = orderView(newOrder());

    // Assess
    expect(view).toEqual({
      order_id: ORDER_ID,
      customer_id: 'cust_test_001',
      status: 'pending',
      items: [{ product_id: 'prod_001', quantity: 2, price: 29.99 }],
      total: 59.98,
      currency: 'USD',
      created_at: T0.toISOString(),
      updated_at: T0.toISOString(),
      version: 1,
    });
    expect(JSON.stringify(view)).not.toMatch(/_minor|order_date|status_history/);
  });

  it('orderView includes shipping and tracking when present', () => {
    // Prepare
    const tracking = { tracking_number: 'TRK123', carrier: 'DHL' };
    let order = createOrder({ ...planBody, shipping }, customerActor, ORDER_ID, T0);
    order = transition(order, 'confirmed', adminActor, T1);
    order = transition(order, 'processing', adminActor, T1);
    order = transition(order, 'shipped', adminActor, T2, { tracking });

    // Act
    const view = orderView(order);

    // Assess
    expect(view.shipping).toEqual(shipping);
    expect(view.tracking).toEqual(tracking);
    expect(view.status).toBe('shipped');
    expect(view.version).toBe(4);
  });

  it('trackingView answers nulls before shipment', () => {
    // Act
    const view = trackingView(newOrder());

    // Assess
    expect(view).toEqual({
      order_id: ORDER_ID,
      status: 'pending',
      tracking_number: null,
      carrier: null,
      shipped_at: null,
      delivered_at: null,
      updated_at: T0.toISOString(),
    });
  });

  it('trackingView reports carrier and the shipped/delivered times', () => {
    // Prepare
    const T3 = new Date('2025-03-04T08:00:00.000Z');
    let order = transition(newOrder(), 'confirmed', adminActor, T1);
    order = transition(order, 'processing', adminActor, T1);
    order = transition(order, 'shipped', adminActor, T2, {
      tracking: { tracking_number: 'TRK123', carrier: 'DHL' },
    });
    order = transition(order, 'delivered', adminActor, T3);

    // Act
    const view = trackingView(order);

    // Assess
    expect(view).toEqual({
      order_id: ORDER_ID,
      status: 'delivered',
      tracking_number: 'TRK123',
      carrier: 'DHL',
      shipped_at: T2.toISOString(),
      delivered_at: T3.toISOString(),
      updated_at: T3.toISOString(),
    });
  });

  it('historyView exposes the audit trail only', () => {
    // Prepare
    const order = transition(newOrder(), 'cancelled', customerActor, T1, {
      reason: 'changed mind',
    });

    // Act
    const view = historyView(order);

    // Assess
    expect(view).toEqual({
      order_id: ORDER_ID,
      status: 'cancelled',
      status_history: [
        { from: null, to: 'pending', at: T0.toISOString(), by: 'sub-cust-1' },
        {
          from: 'pending',
          to: 'cancelled',
          at: T1.toISOString(),
          by: 'sub-cust-1',
          reason: 'changed mind',
        },
      ],
    });
  });
});
