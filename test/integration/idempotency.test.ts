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
 * `Idempotency-Key` semantics against the real Powertools persistence layer in DynamoDB
 * Local: replays, body mismatches, per-caller keys, mutating routes, and failed attempts.
 */

const orderBody = (overrides: Record<string, unknown> = {}) => ({
  items: [{ product_id: 'prod_001', quantity: 2, price: 29.99 }],
  total: 59.98,
  currency: 'USD',
  ...overrides,
});

const withKey = (key: string) => ({ 'Idempotency-Key': key });

describe('Idempotency-Key', () => {
  let svc: ServiceHarness;

  const createAs = (caller: Caller, body: unknown, key?: string) =>
    svc.call(
      apiEvent('POST', '/v1.0/orders', {
        caller,
        body,
        ...(key !== undefined ? { headers: withKey(key) } : {}),
      }),
    );

  const listIds = async (caller: Caller): Promise<string[]> => {
    const res = await svc.call(
      apiEvent('GET', '/v1.0/orders', { caller, query: { limit: '100' } }),
    );
    expect(res.status).toBe(200);
    return res.body.orders.map((o: { order_id: string }) => o.order_id);
  };

  /** Creates an order for a customer and moves it (as admin) along the given statuses. */
  const orderIn = async (customerId: string, statuses: string[]): Promise<string> => {
    const created = await createAs(customer(customerId), orderBody());
    expect(created.status).toBe(201);
    for (const status of statuses) {
      const res = await svc.call(
        apiEvent('PUT', `/v1.0/orders/${created.body.order_id}/status`, {
          caller: admin,
          body: { status },
        }),
      );
      expect(res.status).toBe(200);
    }
    return created.body.order_id;
  };

  beforeAll(async () => {
    svc = await createServiceHarness();
  });

  it('a replayed create returns the identical status and body and creates nothing new', async () => {
    // Prepare
    const buyer = customer('cust_idem_replay');

    // Act
    const first = await createAs(buyer, orderBody(), 'replay-key-1');
    const second = await createAs(buyer, orderBody(), 'replay-key-1');

    // Assess
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.headers.location).toBe(first.headers.location);
    expect(await listIds(buyer)).toEqual([first.body.order_id]);
  });

  it('the same key with a different body is refused with 422 idempotency_key_reused', async () => {
    // Prepare
    const buyer = customer('cust_idem_mismatch');
    const first = await createAs(buyer, orderBody(), 'mismatch-key-1');
    expect(first.status).toBe(201);

    // Act
    const other = await createAs(
      buyer,
      orderBody({ items: [{ product_id: 'prod_002', quantity: 1, price: 5 }], total: 5 }),
      'mismatch-key-1',
    );

    // Assess
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    expect(await listIds(buyer)).toEqual([first.body.order_id]);
  });

  it('keys are per caller: another customer reusing a key creates their own order', async () => {
    // Prepare
    const alice = customer('cust_idem_alice');
    const bob = customer('cust_idem_bob');
    const aliceRes = await createAs(alice, orderBody(), 'shared-key-1');

    // Act
    const bobRes = await createAs(bob, orderBody(), 'shared-key-1');

    // Assess
    expect(aliceRes.status).toBe(201);
    expect(bobRes.status).toBe(201);
    expect(bobRes.headers['idempotent-replayed']).toBeUndefined();
    expect(bobRes.body.order_id).not.toBe(aliceRes.body.order_id);
    expect(bobRes.body.customer_id).toBe('cust_idem_bob');
    expect(await listIds(alice)).toEqual([aliceRes.body.order_id]);
    expect(await listIds(bob)).toEqual([bobRes.body.order_id]);
  });

  it('a second cancel with the same key replays the 200 instead of answering 409', async () => {
    // Prepare
    const buyer = customer('cust_idem_cancel');
    const orderId = await orderIn('cust_idem_cancel', []);
    const cancel = () =>
      svc.call(
        apiEvent('POST', `/v1.0/orders/${orderId}/cancel`, {
          caller: buyer,
          body: { reason: 'changed my mind' },
          headers: withKey('cancel-key-1'),
        }),
      );

    // Act
    const first = await cancel();
    const second = await cancel();

    // Assess
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('cancelled');
    expect(second.status).toBe(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
    const history = await svc.call(
      apiEvent('GET', `/v1.0/orders/${orderId}/history`, { caller: buyer }),
    );
    expect(
      history.body.status_history.filter((h: { to: string }) => h.to === 'cancelled'),
    ).toHaveLength(1);
  });

  it('a second cancel without a key is a new request and gets 409', async () => {
    // Prepare
    const buyer = customer('cust_idem_cancel_nokey');
    const orderId = await orderIn('cust_idem_cancel_nokey', ['confirmed']);
    const cancel = () =>
      svc.call(apiEvent('POST', `/v1.0/orders/${orderId}/cancel`, { caller: buyer }));

    // Act
    const first = await cancel();
    const second = await cancel();

    // Assess
    expect(first.status).toBe(200);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('illegal_transition');
  });

  it('a second fulfill with the same key replays the 200', async () => {
    // Prepare
    const orderId = await orderIn('cust_idem_fulfill', ['confirmed', 'processing']);
    const tracking = { tracking_number: 'TRK-IDEM-1', carrier: 'DHL' };
    const fulfill = (key?: string) =>
      svc.call(
        apiEvent('POST', `/v1.0/orders/${orderId}/fulfill`, {
          caller: admin,
          body: tracking,
          ...(key ? { headers: withKey(key) } : {}),
        }),
      );

    // Act
    const first = await fulfill('fulfill-key-1');
    const second = await fulfill('fulfill-key-1');
    const withoutKey = await fulfill();

    // Assess
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'shipped', tracking });
    expect(second.status).toBe(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(withoutKey.status).toBe(409);
    const history = await svc.call(
      apiEvent('GET', `/v1.0/orders/${orderId}/history`, { caller: admin }),
    );
    expect(
      history.body.status_history.filter((h: { to: string }) => h.to === 'shipped'),
    ).toHaveLength(1);
  });

  it('a create that fails validation (400) does not burn the key', async () => {
    // Prepare
    const buyer = customer('cust_idem_invalid');
    const rejected = await createAs(buyer, orderBody({ currency: 'usd' }), 'retry-key-400');
    expect(rejected.status).toBe(400);

    // Act
    const fixed = await createAs(buyer, orderBody(), 'retry-key-400');

    // Assess
    expect(fixed.status).toBe(201);
    expect(fixed.headers['idempotent-replayed']).toBeUndefined();
    expect(await listIds(buyer)).toEqual([fixed.body.order_id]);
  });

  it('a create refused inside the guarded operation (422 total_mismatch) does not burn the key', async () => {
    // Prepare
    const buyer = customer('cust_idem_mismatch_total');
    const rejected = await createAs(buyer, orderBody({ total: 60 }), 'retry-key-422');
    expect(rejected.status).toBe(422);
    expect(rejected.body.error.code).toBe('total_mismatch');

    // Act
    const fixed = await createAs(buyer, orderBody(), 'retry-key-422');
    const replay = await createAs(buyer, orderBody(), 'retry-key-422');

    // Assess
    expect(fixed.status).toBe(201);
    expect(fixed.headers['idempotent-replayed']).toBeUndefined();
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.order_id).toBe(fixed.body.order_id);
    expect(await listIds(buyer)).toEqual([fixed.body.order_id]);
  });

  it.each([
    ['300 characters', 'k'.repeat(300)],
    ['a space', 'has space'],
    ['non-ASCII', 'schlüssel'],
    ['empty', ''],
  ])('an invalid key (%s) is refused with 400 and creates nothing', async (_label, key) => {
    // Prepare
    const buyer = customer(`cust_idem_badkey_${key.length}_${key.charCodeAt(0) || 0}`);

    // Act
    const res = await createAs(buyer, orderBody(), key);

    // Assess
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_idempotency_key');
    expect(await listIds(buyer)).toEqual([]);
  });

  it('a 255-character key is accepted', async () => {
    // Prepare
    const buyer = customer('cust_idem_longkey');

    // Act
    const res = await createAs(buyer, orderBody(), 'k'.repeat(255));

    // Assess
    expect(res.status).toBe(201);
  });
});
