import { beforeAll, describe, expect, it } from 'vitest';
import {
  admin,
  apiEvent,
  createServiceHarness,
  type ServiceHarness,
} from '../support/service-harness.js';

/**
 * The promotion plan's 11 smoke calls, in order, through the router against DynamoDB Local.
 * One departure from the plan's literal sequence, because a correct service refuses it: the
 * plan cancels an order and then fulfills it, so the cancel path and the fulfill path use
 * separate orders. Test 5 is the plan's call as written: a new order goes to processing.
 */
describe('plan smoke tests (PROM-ORDER-002 § Smoke Tests)', () => {
  let svc: ServiceHarness;
  // The plan's SIT_TOKEN creates for cust_test_001 and also sets status and fulfills: an admin.
  const sitToken = { ...admin, customerId: 'cust_test_001' };
  const planOrder = {
    customer_id: 'cust_test_001',
    items: [{ product_id: 'prod_001', quantity: 2, price: 29.99 }],
    total: 59.98,
    currency: 'USD',
  };
  let orderId = '';
  let cancelId = '';

  beforeAll(async () => {
    svc = await createServiceHarness();
  });

  it('1. health check answers without a token', async () => {
    const res = await svc.call(apiEvent('GET', '/v1.0/orders/health'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'healthy',
      dynamodb: 'reachable',
      version: 'test-version',
    });
  });

  it('2. list orders returns an empty list for a fresh table', async () => {
    const res = await svc.call(apiEvent('GET', '/v1.0/orders', { caller: sitToken }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ orders: [], count: 0, next_token: null });
  });

  it('3. create order with the plan body', async () => {
    const res = await svc.call(
      apiEvent('POST', '/v1.0/orders', { caller: sitToken, body: planOrder }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ...planOrder, status: 'pending', version: 1 });
    expect(res.body.order_id).toMatch(/^ord_[0-9A-Z]{26}$/);
    expect(res.headers.location).toBe(`/v1.0/orders/${res.body.order_id}`);
    orderId = res.body.order_id;
    const second = await svc.call(
      apiEvent('POST', '/v1.0/orders', { caller: sitToken, body: planOrder }),
    );
    cancelId = second.body.order_id;
  });

  it('4. get order by id', async () => {
    const res = await svc.call(apiEvent('GET', `/v1.0/orders/${orderId}`, { caller: sitToken }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ order_id: orderId, total: 59.98, currency: 'USD' });
  });

  it("5. update order status to processing, straight from pending (the plan's call)", async () => {
    const res = await svc.call(
      apiEvent('PUT', `/v1.0/orders/${orderId}/status`, {
        caller: sitToken,
        body: { status: 'processing' },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('processing');
  });

  it('6. cancel order (a separate order)', async () => {
    const res = await svc.call(
      apiEvent('POST', `/v1.0/orders/${cancelId}/cancel`, { caller: sitToken }),
    );
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
  });

  it('7. track order', async () => {
    const res = await svc.call(
      apiEvent('GET', `/v1.0/orders/${orderId}/track`, { caller: sitToken }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      order_id: orderId,
      status: 'processing',
      tracking_number: null,
    });
  });

  it('8. order history lists every change with who and when', async () => {
    const res = await svc.call(
      apiEvent('GET', `/v1.0/orders/${orderId}/history`, { caller: sitToken }),
    );
    expect(res.status).toBe(200);
    expect(res.body.status_history.map((h: { to: string }) => h.to)).toEqual([
      'pending',
      'processing',
    ]);
    expect(res.body.status_history[1]).toMatchObject({ from: 'pending', by: admin.sub });
  });

  it('9. fulfill order with tracking', async () => {
    const body = { tracking_number: 'TRACK123456', carrier: 'DHL' };
    const res = await svc.call(
      apiEvent('POST', `/v1.0/orders/${orderId}/fulfill`, { caller: sitToken, body }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'shipped', tracking: body });
    const cancelled = await svc.call(
      apiEvent('POST', `/v1.0/orders/${cancelId}/fulfill`, { caller: sitToken, body }),
    );
    expect(cancelled.status).toBe(409);
  });

  it('10. orders by customer', async () => {
    const res = await svc.call(
      apiEvent('GET', '/v1.0/orders', {
        caller: sitToken,
        query: { customer_id: 'cust_test_001' },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body.orders.map((o: { order_id: string }) => o.order_id).sort()).toEqual(
      [orderId, cancelId].sort(),
    );
  });

  it('11. orders by status (the plan asks for processing; by now ours has shipped)', async () => {
    const processing = await svc.call(
      apiEvent('GET', '/v1.0/orders', { caller: sitToken, query: { status: 'processing' } }),
    );
    const cancelled = await svc.call(
      apiEvent('GET', '/v1.0/orders', { caller: sitToken, query: { status: 'cancelled' } }),
    );
    expect(processing.status).toBe(200);
    expect(processing.body.orders).toEqual([]);
    expect(cancelled.body.orders.map((o: { order_id: string }) => o.order_id)).toEqual([cancelId]);
  });

  it('published one order.<status> event per state change, none to the DLQ', async () => {
    const events = await svc.publishedEvents();
    const forOrder = events
      .filter((e) => e.detail.metadata.order_id === orderId)
      .map((e) => [e['detail-type'], e.detail.metadata.version]);
    expect(forOrder).toEqual([
      ['order.pending', 1],
      ['order.processing', 2],
      ['order.shipped', 3],
    ]);
    expect(
      events.find(
        (e) => e.detail.metadata.order_id === cancelId && e['detail-type'] === 'order.cancelled',
      ),
    ).toBeDefined();
    expect(await svc.dlqDepth()).toBe(0);
  });
});
