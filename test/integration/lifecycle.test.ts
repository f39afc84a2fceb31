import { beforeAll, describe, expect, it } from 'vitest';
import {
  admin,
  apiEvent,
  type Caller,
  createServiceHarness,
  customer,
  type ServiceHarness,
} from '../support/service-harness.js';

/**
 * An order's life through the API against DynamoDB Local: edits while pending, deletion,
 * the full pending → delivered path with tracking, and listing with pagination tokens.
 */

const orderBody = (customerId: string) => ({
  customer_id: customerId,
  items: [{ product_id: 'prod_001', quantity: 2, price: 29.99 }],
  total: 59.98,
  currency: 'USD',
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('order lifecycle', () => {
  let svc: ServiceHarness;

  const create = async (customerId: string, caller: Caller = admin) => {
    const res = await svc.call(
      apiEvent('POST', '/v1.0/orders', { caller, body: orderBody(customerId) }),
    );
    expect(res.status).toBe(201);
    return res.body as { order_id: string; created_at: string };
  };

  const setStatus = (orderId: string, status: string) =>
    svc.call(
      apiEvent('PUT', `/v1.0/orders/${orderId}/status`, { caller: admin, body: { status } }),
    );

  const update = (orderId: string, body: unknown, caller: Caller = admin) =>
    svc.call(apiEvent('PUT', `/v1.0/orders/${orderId}`, { caller, body }));

  beforeAll(async () => {
    svc = await createServiceHarness();
  });

  describe('update (PUT /v1.0/orders/{id})', () => {
    it('replaces items and total while pending, re-pricing them', async () => {
      // Prepare
      const buyer = customer('cust_life_edit');
      const { order_id } = await create('cust_life_edit', buyer);
      const items = [
        { product_id: 'prod_010', quantity: 3, price: 0.1 },
        { product_id: 'prod_011', quantity: 1, price: 19.7 },
      ];

      // Act
      const res = await update(order_id, { items, total: 20 }, buyer);
      const stored = await svc.call(apiEvent('GET', `/v1.0/orders/${order_id}`, { caller: buyer }));

      // Assess
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'pending', items, total: 20, version: 2 });
      expect(stored.body).toEqual(res.body);
    });

    it('refuses a total that does not match the items with 422 total_mismatch', async () => {
      // Prepare
      const { order_id } = await create('cust_life_mismatch');

      // Act
      const res = await update(order_id, {
        items: [{ product_id: 'prod_010', quantity: 3, price: 10 }],
        total: 31,
      });
      const stored = await svc.call(apiEvent('GET', `/v1.0/orders/${order_id}`, { caller: admin }));

      // Assess
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({
        code: 'total_mismatch',
        details: { field: 'total', expected: 30 },
      });
      expect(stored.body).toMatchObject({ total: 59.98, version: 1 });
    });

    it('refuses items without a total with 400', async () => {
      // Prepare
      const { order_id } = await create('cust_life_nototal');

      // Act
      const res = await update(order_id, {
        items: [{ product_id: 'prod_010', quantity: 1, price: 10 }],
      });

      // Assess
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('items_and_total');
    });

    it('refuses an edit once the order is confirmed with 409 not_editable', async () => {
      // Prepare
      const { order_id } = await create('cust_life_confirmed_edit');
      expect((await setStatus(order_id, 'confirmed')).status).toBe(200);

      // Act
      const res = await update(order_id, {
        items: [{ product_id: 'prod_010', quantity: 1, price: 10 }],
        total: 10,
      });

      // Assess
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('not_editable');
    });
  });

  describe('delete (DELETE /v1.0/orders/{id})', () => {
    it('deletes a pending order, after which GET answers 404, and publishes order.deleted', async () => {
      // Prepare
      const { order_id } = await create('cust_life_delete_pending');
      await svc.publishedEvents();

      // Act
      const res = await svc.call(apiEvent('DELETE', `/v1.0/orders/${order_id}`, { caller: admin }));
      const after = await svc.call(apiEvent('GET', `/v1.0/orders/${order_id}`, { caller: admin }));

      // Assess
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ order_id, deleted: true });
      expect(after.status).toBe(404);
      const deleted = (await svc.publishedEvents()).filter(
        (e) => e.detail.metadata.order_id === order_id,
      );
      expect(deleted.map((e) => e['detail-type'])).toEqual(['order.deleted']);
      expect(deleted[0]!.detail.data).toMatchObject({ order_id, status: 'pending' });
    });

    it('deletes a cancelled order', async () => {
      // Prepare
      const { order_id } = await create('cust_life_delete_cancelled');
      const cancelled = await svc.call(
        apiEvent('POST', `/v1.0/orders/${order_id}/cancel`, { caller: admin }),
      );
      expect(cancelled.status).toBe(200);

      // Act
      const res = await svc.call(apiEvent('DELETE', `/v1.0/orders/${order_id}`, { caller: admin }));
      const after = await svc.call(
        apiEvent('GET', `/v1.0/orders/${order_id}/history`, { caller: admin }),
      );

      // Assess
      expect(res.status).toBe(200);
      expect(after.status).toBe(404);
    });

    it.each([
      ['confirmed', ['confirmed']],
      ['processing', ['confirmed', 'processing']],
    ])('refuses to delete a %s order with 409 and keeps it', async (_label, path) => {
      // Prepare
      const { order_id } = await create(`cust_life_nodelete_${path.length}`);
      for (const status of path) expect((await setStatus(order_id, status)).status).toBe(200);

      // Act
      const res = await svc.call(apiEvent('DELETE', `/v1.0/orders/${order_id}`, { caller: admin }));
      const after = await svc.call(apiEvent('GET', `/v1.0/orders/${order_id}`, { caller: admin }));

      // Assess
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('not_deletable');
      expect(after.status).toBe(200);
    });

    it('a second delete of the same order answers 404', async () => {
      // Prepare
      const { order_id } = await create('cust_life_delete_twice');
      expect(
        (await svc.call(apiEvent('DELETE', `/v1.0/orders/${order_id}`, { caller: admin }))).status,
      ).toBe(200);

      // Act
      const again = await svc.call(
        apiEvent('DELETE', `/v1.0/orders/${order_id}`, { caller: admin }),
      );

      // Assess
      expect(again.status).toBe(404);
    });
  });

  describe('full lifecycle', () => {
    it('pending → confirmed → processing → shipped → delivered, with /track along the way', async () => {
      // Prepare
      const buyer = customer('cust_life_full');
      const { order_id } = await create('cust_life_full', buyer);
      const track = () =>
        svc.call(apiEvent('GET', `/v1.0/orders/${order_id}/track`, { caller: buyer }));
      const tracking = { tracking_number: 'TRACK-LIFE-001', carrier: 'DHL Express' };
      await svc.publishedEvents();

      // Act
      const before = await track();
      const confirmed = await setStatus(order_id, 'confirmed');
      const processing = await setStatus(order_id, 'processing');
      const shipped = await svc.call(
        apiEvent('POST', `/v1.0/orders/${order_id}/fulfill`, { caller: admin, body: tracking }),
      );
      const inTransit = await track();
      const delivered = await setStatus(order_id, 'delivered');
      const done = await track();
      const history = await svc.call(
        apiEvent('GET', `/v1.0/orders/${order_id}/history`, { caller: buyer }),
      );

      // Assess: each step answered with the new status and version
      expect(
        [confirmed, processing, shipped, delivered].map((r) => [
          r.status,
          r.body.status,
          r.body.version,
        ]),
      ).toEqual([
        [200, 'confirmed', 2],
        [200, 'processing', 3],
        [200, 'shipped', 4],
        [200, 'delivered', 5],
      ]);

      // Assess: /track shows nothing before shipping, then carrier and timestamps
      expect(before.body).toMatchObject({
        status: 'pending',
        carrier: null,
        tracking_number: null,
        shipped_at: null,
        delivered_at: null,
      });
      expect(inTransit.body).toMatchObject({ status: 'shipped', ...tracking, delivered_at: null });
      expect(inTransit.body.shipped_at).toEqual(expect.any(String));
      expect(done.body).toMatchObject({
        order_id,
        status: 'delivered',
        ...tracking,
        shipped_at: inTransit.body.shipped_at,
      });
      expect(Date.parse(done.body.delivered_at)).toBeGreaterThanOrEqual(
        Date.parse(done.body.shipped_at),
      );

      // Assess: the history and the events tell the same story
      const steps = history.body.status_history.map((h: { from: string | null; to: string }) => [
        h.from,
        h.to,
      ]);
      expect(steps).toEqual([
        [null, 'pending'],
        ['pending', 'confirmed'],
        ['confirmed', 'processing'],
        ['processing', 'shipped'],
        ['shipped', 'delivered'],
      ]);
      const events = (await svc.publishedEvents())
        .filter((e) => e.detail.metadata.order_id === order_id)
        .map((e) => [e['detail-type'], e.detail.metadata.version]);
      expect(events).toEqual([
        ['order.confirmed', 2],
        ['order.processing', 3],
        ['order.shipped', 4],
        ['order.delivered', 5],
      ]);

      // Assess: delivered is final
      const cancelLate = await svc.call(
        apiEvent('POST', `/v1.0/orders/${order_id}/cancel`, { caller: buyer }),
      );
      expect(cancelLate.status).toBe(409);
    });

    it("status 'shipped' via PUT /status is refused with 422 tracking_required", async () => {
      // Prepare
      const { order_id } = await create('cust_life_ship_status');
      for (const status of ['confirmed', 'processing']) {
        expect((await setStatus(order_id, status)).status).toBe(200);
      }

      // Act
      const res = await setStatus(order_id, 'shipped');
      const stored = await svc.call(apiEvent('GET', `/v1.0/orders/${order_id}`, { caller: admin }));

      // Assess
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('tracking_required');
      expect(stored.body.status).toBe('processing');
    });
  });

  describe('listing and pagination', () => {
    const pager = customer('cust_life_pages');
    const createdIds: string[] = [];

    beforeAll(async () => {
      for (let i = 0; i < 5; i += 1) {
        createdIds.push((await create('cust_life_pages', pager)).order_id);
        // Distinct creation timestamps, so "newest first" has one right answer.
        await sleep(3);
      }
    });

    const page = (caller: Caller, query: Record<string, string>) =>
      svc.call(apiEvent('GET', '/v1.0/orders', { caller, query }));

    it('limit=2 walks 3 pages via next_token, newest first, without duplicates', async () => {
      // Act
      const pages: Array<{ ids: string[]; count: number; next: string | null }> = [];
      let token: string | undefined;
      do {
        const res = await page(pager, { limit: '2', ...(token ? { next_token: token } : {}) });
        expect(res.status).toBe(200);
        pages.push({
          ids: res.body.orders.map((o: { order_id: string }) => o.order_id),
          count: res.body.count,
          next: res.body.next_token,
        });
        token = res.body.next_token ?? undefined;
      } while (token && pages.length < 10);

      // Assess
      expect(pages.map((p) => p.ids.length)).toEqual([2, 2, 1]);
      expect(pages.map((p) => p.count)).toEqual([2, 2, 1]);
      expect(pages.at(-1)!.next).toBeNull();
      const all = pages.flatMap((p) => p.ids);
      expect(new Set(all).size).toBe(5);
      expect(all).toEqual([...createdIds].reverse());
    });

    it('a next_token used with a different filter is refused with 400 invalid_next_token', async () => {
      // Prepare
      const first = await page(pager, { limit: '2' });
      const token: string = first.body.next_token;
      expect(token).toEqual(expect.any(String));

      // Act
      const otherStatus = await page(pager, { limit: '2', status: 'pending', next_token: token });
      const otherLimit = await page(pager, { limit: '3', next_token: token });
      const sameQuery = await page(pager, { limit: '2', next_token: token });

      // Assess
      for (const res of [otherStatus, otherLimit]) {
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('invalid_next_token');
      }
      expect(sameQuery.status).toBe(200);
    });

    it('a next_token used by another caller is refused with 400 invalid_next_token', async () => {
      // Prepare
      const first = await page(pager, { limit: '2' });
      const token: string = first.body.next_token;
      const stranger = customer('cust_life_stranger');

      // Act
      const asStranger = await page(stranger, { limit: '2', next_token: token });
      const asAdmin = await page(admin, {
        customer_id: 'cust_life_pages',
        limit: '2',
        next_token: token,
      });

      // Assess
      for (const res of [asStranger, asAdmin]) {
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('invalid_next_token');
      }
    });

    it('a tampered next_token is refused with 400 invalid_next_token', async () => {
      // Prepare
      const first = await page(pager, { limit: '2' });
      const [payload, signature] = (first.body.next_token as string).split('.');
      const forged = Buffer.from(
        JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), x: 1 }),
      ).toString('base64url');

      // Act
      const res = await page(pager, { limit: '2', next_token: `${forged}.${signature}` });

      // Assess
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_next_token');
    });

    it("an admin lists today's orders by date", async () => {
      // Prepare: the date the orders were stamped with (not "now", which may cross midnight)
      const first = await svc.call(
        apiEvent('GET', `/v1.0/orders/${createdIds[0]}`, { caller: admin }),
      );
      const date = (first.body.created_at as string).slice(0, 10);

      // Act
      const res = await page(admin, { date, limit: '100' });
      const otherDay = await page(admin, { date: '2001-01-01', limit: '100' });

      // Assess
      expect(res.status).toBe(200);
      const ids = res.body.orders.map((o: { order_id: string }) => o.order_id);
      expect(ids).toEqual(expect.arrayContaining(createdIds));
      for (const order of res.body.orders) expect(order.created_at.slice(0, 10)).toBe(date);
      const stamps = res.body.orders.map((o: { created_at: string }) => o.created_at);
      expect(stamps).toEqual([...stamps].sort().reverse());
      expect(otherDay.body).toEqual({ orders: [], count: 0, next_token: null });
    });
  });
});
