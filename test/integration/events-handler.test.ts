import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { VersionConflict } from '../../service/adapters/order-repository.js';
import {
  admin,
  apiEvent,
  createServiceHarness,
  type ServiceHarness,
} from '../support/service-harness.js';

/**
 * Upstream EventBridge events (payments, shipping) through the same router the API uses:
 * each applies one transition at most once, and events that cannot apply are acknowledged.
 */

const upstreamEvent = (
  type: string,
  orderId: string | undefined,
  options: { eventId?: string; source?: string } = {},
) => ({
  version: '0',
  id: randomUUID(),
  'detail-type': type,
  source: options.source ?? 'bbws.payments',
  account: '000000000000',
  time: new Date().toISOString(),
  region: 'eu-west-1',
  resources: [],
  detail: {
    ...(orderId !== undefined ? { order_id: orderId } : {}),
    metadata: { event_id: options.eventId ?? `evt-${randomUUID()}` },
  },
});

interface HistoryEntry {
  from: string | null;
  to: string;
  by: string;
  reason?: string;
}

describe('events handler', () => {
  let svc: ServiceHarness;

  const createOrder = async (customerId: string): Promise<string> => {
    const res = await svc.call(
      apiEvent('POST', '/v1.0/orders', {
        caller: admin,
        body: {
          customer_id: customerId,
          items: [{ product_id: 'prod_001', quantity: 1, price: 10 }],
          total: 10,
          currency: 'USD',
        },
      }),
    );
    expect(res.status).toBe(201);
    return res.body.order_id;
  };

  const setStatus = async (orderId: string, status: string) => {
    const res = await svc.call(
      apiEvent('PUT', `/v1.0/orders/${orderId}/status`, { caller: admin, body: { status } }),
    );
    expect(res.status).toBe(200);
  };

  const historyOf = async (
    orderId: string,
  ): Promise<{ status: string; entries: HistoryEntry[] }> => {
    const res = await svc.call(
      apiEvent('GET', `/v1.0/orders/${orderId}/history`, { caller: admin }),
    );
    expect(res.status).toBe(200);
    return { status: res.body.status, entries: res.body.status_history };
  };

  /** Event types published for one order since the last drain, in arrival order. */
  const publishedFor = async (orderId: string): Promise<string[]> =>
    (await svc.publishedEvents())
      .filter((e) => e.detail.metadata.order_id === orderId)
      .map((e) => e['detail-type']);

  beforeAll(async () => {
    svc = await createServiceHarness();
  });

  it('payment.succeeded confirms a pending order and publishes order.confirmed', async () => {
    // Prepare
    const orderId = await createOrder('cust_evt_paid');
    await svc.publishedEvents();

    // Act
    const outcome = await svc.invoke(upstreamEvent('payment.succeeded', orderId));

    // Assess
    expect(outcome).toEqual({ outcome: 'applied', order_id: orderId, status: 'confirmed' });
    const { status, entries } = await historyOf(orderId);
    expect(status).toBe('confirmed');
    expect(entries.at(-1)).toMatchObject({
      from: 'pending',
      to: 'confirmed',
      by: 'system:events',
      reason: 'payment succeeded',
    });
    expect(await publishedFor(orderId)).toEqual(['order.confirmed']);
  });

  it('the same event delivered twice is applied once; the redelivery replays the outcome', async () => {
    // Prepare
    const orderId = await createOrder('cust_evt_dup');
    const event = upstreamEvent('payment.succeeded', orderId);
    await svc.publishedEvents();

    // Act
    const first = await svc.invoke(event);
    const second = await svc.invoke(event);

    // Assess: without the replay the second would be refused as confirmed → confirmed
    expect(first).toEqual({ outcome: 'applied', order_id: orderId, status: 'confirmed' });
    expect(second).toEqual(first);
    const { entries } = await historyOf(orderId);
    expect(entries.filter((h) => h.to === 'confirmed')).toHaveLength(1);
    expect(entries).toHaveLength(2);
    expect(await publishedFor(orderId)).toEqual(['order.confirmed']);
  });

  it('deduplicates by metadata.event_id even when the envelope id differs', async () => {
    // Prepare
    const orderId = await createOrder('cust_evt_dup_envelope');
    const eventId = `evt-${randomUUID()}`;

    // Act
    const first = await svc.invoke(upstreamEvent('payment.succeeded', orderId, { eventId }));
    const second = await svc.invoke(upstreamEvent('payment.succeeded', orderId, { eventId }));
    const fresh = await svc.invoke(upstreamEvent('payment.succeeded', orderId));

    // Assess: the same event_id replays; a new event_id is evaluated (and refused)
    expect(second).toEqual(first);
    expect(fresh).toEqual({ outcome: 'ignored', reason: 'illegal_transition' });
    const { entries } = await historyOf(orderId);
    expect(entries.filter((h) => h.to === 'confirmed')).toHaveLength(1);
  });

  it('payment.failed cancels the order and publishes order.cancelled', async () => {
    // Prepare
    const orderId = await createOrder('cust_evt_failed');
    await svc.publishedEvents();

    // Act
    const outcome = await svc.invoke(upstreamEvent('payment.failed', orderId));

    // Assess
    expect(outcome).toEqual({ outcome: 'applied', order_id: orderId, status: 'cancelled' });
    const { status, entries } = await historyOf(orderId);
    expect(status).toBe('cancelled');
    expect(entries.at(-1)).toMatchObject({ from: 'pending', reason: 'payment failed' });
    expect(await publishedFor(orderId)).toEqual(['order.cancelled']);
  });

  it('shipment.delivered on a shipped order delivers it and publishes order.delivered', async () => {
    // Prepare
    const orderId = await createOrder('cust_evt_delivered');
    await setStatus(orderId, 'confirmed');
    await setStatus(orderId, 'processing');
    const shipped = await svc.call(
      apiEvent('POST', `/v1.0/orders/${orderId}/fulfill`, {
        caller: admin,
        body: { tracking_number: 'TRK-EVT-1', carrier: 'UPS' },
      }),
    );
    expect(shipped.status).toBe(200);
    await svc.publishedEvents();

    // Act
    const outcome = await svc.invoke(
      upstreamEvent('shipment.delivered', orderId, { source: 'bbws.shipping' }),
    );

    // Assess
    expect(outcome).toEqual({ outcome: 'applied', order_id: orderId, status: 'delivered' });
    const track = await svc.call(
      apiEvent('GET', `/v1.0/orders/${orderId}/track`, { caller: admin }),
    );
    expect(track.body).toMatchObject({ status: 'delivered', tracking_number: 'TRK-EVT-1' });
    expect(track.body.delivered_at).toEqual(expect.any(String));
    expect(await publishedFor(orderId)).toEqual(['order.delivered']);
  });

  it('an event for an unknown order is ignored, not thrown', async () => {
    // Prepare
    const event = upstreamEvent('payment.succeeded', 'ord_00000000000000000000000000');

    // Act
    const outcome = await svc.invoke(event);

    // Assess
    expect(outcome).toEqual({ outcome: 'ignored', reason: 'order_not_found' });
  });

  it('an event whose transition is illegal is ignored and changes nothing', async () => {
    // Prepare
    const orderId = await createOrder('cust_evt_illegal');
    await svc.publishedEvents();

    // Act: a pending order cannot be delivered
    const outcome = await svc.invoke(upstreamEvent('shipment.delivered', orderId));

    // Assess
    expect(outcome).toEqual({ outcome: 'ignored', reason: 'illegal_transition' });
    const { status, entries } = await historyOf(orderId);
    expect(status).toBe('pending');
    expect(entries).toHaveLength(1);
    expect(await publishedFor(orderId)).toEqual([]);
  });

  it("the service's own events (source bbws.orders) are ignored", async () => {
    // Prepare
    const orderId = await createOrder('cust_evt_own');

    // Act
    const outcome = await svc.invoke(
      upstreamEvent('payment.succeeded', orderId, { source: 'bbws.orders' }),
    );

    // Assess
    expect(outcome).toEqual({ outcome: 'ignored', reason: 'own event' });
    expect((await historyOf(orderId)).status).toBe('pending');
  });

  it('unhandled types and events without an order id are ignored', async () => {
    // Prepare
    const orderId = await createOrder('cust_evt_unhandled');

    // Act
    const unhandled = await svc.invoke(upstreamEvent('payment.refunded', orderId));
    const noOrder = await svc.invoke(upstreamEvent('payment.succeeded', undefined));

    // Assess
    expect(unhandled).toEqual({ outcome: 'ignored', reason: 'unhandled type payment.refunded' });
    expect(noOrder).toEqual({ outcome: 'ignored', reason: 'no order_id' });
    expect((await historyOf(orderId)).status).toBe('pending');
  });

  it('an event id reused for a different event is acknowledged as ignored, not thrown', async () => {
    // Prepare: a producer bug, two different events under one event_id
    const orderId = await createOrder('cust_evt_reused_id');
    const eventId = `evt-${randomUUID()}`;
    const first = await svc.invoke(upstreamEvent('payment.succeeded', orderId, { eventId }));

    // Act: retrying this could never succeed, so it must not throw (and be retried into the DLQ)
    const second = await svc.invoke(upstreamEvent('payment.failed', orderId, { eventId }));

    // Assess
    expect(first).toMatchObject({ outcome: 'applied', status: 'confirmed' });
    expect(second).toEqual({ outcome: 'ignored', reason: 'event_id_reused' });
    expect((await historyOf(orderId)).status).toBe('confirmed');
  });

  it('an event that loses every write race throws (so Lambda retries it) instead of being ignored', async () => {
    // Prepare: every conditional write of this order loses a version race
    const orderId = await createOrder('cust_evt_contended');
    const event = upstreamEvent('payment.succeeded', orderId);
    const replace = vi
      .spyOn(svc.deps.repo, 'replace')
      .mockRejectedValue(new VersionConflict(orderId));

    // Act
    let thrown: unknown;
    try {
      await svc.invoke(event);
    } catch (error) {
      thrown = error;
    } finally {
      replace.mockRestore();
    }
    const redelivered = await svc.invoke(event);

    // Assess: the failed attempt did not record an outcome, so the redelivery applies
    expect(thrown).toMatchObject({ code: 'version_conflict' });
    expect(redelivered).toEqual({ outcome: 'applied', order_id: orderId, status: 'confirmed' });
    expect((await historyOf(orderId)).status).toBe('confirmed');
  });

  it('an event that is neither HTTP nor EventBridge is rejected', async () => {
    // Act
    const invocation = svc.invoke({ hello: 'world' });

    // Assess
    await expect(invocation).rejects.toThrow(/unsupported event/);
  });
});
