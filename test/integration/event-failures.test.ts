import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  inject,
  it,
  type MockInstance,
  vi,
} from 'vitest';
import {
  admin,
  apiEvent,
  createServiceHarness,
  type ServiceHarness,
} from '../support/service-harness.js';

/**
 * What happens when EventBridge refuses an event, and what the EMF metrics say.
 *
 * moto (5.x, server mode) answers PutEvents for a bus that does not exist with an HTTP 400
 * `ResourceNotFoundException` rather than a 200 with `FailedEntryCount`; the publisher must
 * park the event in the DLQ either way, and the request itself must still succeed because
 * the order is already saved.
 */

const orderBody = (customerId: string) => ({
  customer_id: customerId,
  items: [{ product_id: 'prod_001', quantity: 1, price: 12.5 }],
  total: 12.5,
  currency: 'EUR',
});

interface EmfBlob {
  _aws: {
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: string }>;
    }>;
  };
  [key: string]: unknown;
}

/** Every EMF document printed through console.log since the spy was installed. */
const emfBlobs = (spy: MockInstance): EmfBlob[] =>
  spy.mock.calls.flatMap((args) => {
    const [line] = args;
    if (typeof line !== 'string') return [];
    try {
      const parsed = JSON.parse(line) as Partial<EmfBlob>;
      return parsed && typeof parsed === 'object' && parsed._aws ? [parsed as EmfBlob] : [];
    } catch {
      return [];
    }
  });

const metricNames = (blob: EmfBlob): string[] =>
  blob._aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((metric) => metric.Name));

/** The blobs that carry a given metric. */
const blobsWith = (spy: MockInstance, name: string): EmfBlob[] =>
  emfBlobs(spy).filter((blob) => metricNames(blob).includes(name));

/** Sum of a metric's values across blobs (a blob may hold one value or an array). */
const total = (blobs: EmfBlob[], name: string): number =>
  blobs.reduce((sum, blob) => {
    const value = blob[name];
    const values = Array.isArray(value) ? value : [value];
    return sum + values.reduce((s: number, v) => s + Number(v), 0);
  }, 0);

describe('event publication failures', () => {
  let svc: ServiceHarness;
  let log: MockInstance;

  beforeAll(async () => {
    svc = await createServiceHarness({ eventBusName: 'no-such-bus' });
  });

  beforeEach(() => {
    log = vi.spyOn(console, 'log');
  });

  afterEach(() => {
    log.mockRestore();
  });

  it('a create still answers 201, the order is saved, and the event is parked in the DLQ', async () => {
    // Prepare
    const depthBefore = await svc.dlqDepth();

    // Act
    const created = await svc.call(
      apiEvent('POST', '/v1.0/orders', { caller: admin, body: orderBody('cust_fail_create') }),
    );

    // Assess
    expect(created.status).toBe(201);
    const stored = await svc.call(
      apiEvent('GET', `/v1.0/orders/${created.body.order_id}`, { caller: admin }),
    );
    expect(stored.status).toBe(200);
    expect(stored.body.status).toBe('pending');
    expect(await svc.dlqDepth()).toBe(depthBefore + 1);
  });

  it('every state change parks one event, and the requests still succeed', async () => {
    // Prepare
    const created = await svc.call(
      apiEvent('POST', '/v1.0/orders', { caller: admin, body: orderBody('cust_fail_chain') }),
    );
    expect(created.status).toBe(201);
    const orderId: string = created.body.order_id;
    const depthAfterCreate = await svc.dlqDepth();

    // Act
    const confirmed = await svc.call(
      apiEvent('PUT', `/v1.0/orders/${orderId}/status`, {
        caller: admin,
        body: { status: 'confirmed' },
      }),
    );
    const depthAfterConfirm = await svc.dlqDepth();
    const cancelled = await svc.call(
      apiEvent('POST', `/v1.0/orders/${orderId}/cancel`, { caller: admin }),
    );
    const depthAfterCancel = await svc.dlqDepth();
    const deleted = await svc.call(
      apiEvent('DELETE', `/v1.0/orders/${orderId}`, { caller: admin }),
    );
    const depthAfterDelete = await svc.dlqDepth();

    // Assess
    expect([confirmed.status, cancelled.status, deleted.status]).toEqual([200, 200, 200]);
    expect(depthAfterConfirm).toBe(depthAfterCreate + 1);
    expect(depthAfterCancel).toBe(depthAfterConfirm + 1);
    expect(depthAfterDelete).toBe(depthAfterCancel + 1);
  });

  it('a change that is refused (409) parks nothing', async () => {
    // Prepare
    const created = await svc.call(
      apiEvent('POST', '/v1.0/orders', { caller: admin, body: orderBody('cust_fail_refused') }),
    );
    const depthBefore = await svc.dlqDepth();

    // Act
    const refused = await svc.call(
      apiEvent('PUT', `/v1.0/orders/${created.body.order_id}/status`, {
        caller: admin,
        body: { status: 'delivered' },
      }),
    );

    // Assess
    expect(refused.status).toBe(409);
    expect(await svc.dlqDepth()).toBe(depthBefore);
  });

  it('the EMF output counts EventPublishFailed, and the request is not counted as failed', async () => {
    // Act
    const created = await svc.call(
      apiEvent('POST', '/v1.0/orders', { caller: admin, body: orderBody('cust_fail_emf') }),
    );

    // Assess
    expect(created.status).toBe(201);
    const failures = blobsWith(log, 'EventPublishFailed');
    expect(failures.length).toBeGreaterThan(0);
    expect(total(failures, 'EventPublishFailed')).toBe(1);
    expect(failures[0]!._aws.CloudWatchMetrics[0]!.Namespace).toBe('OrderService');
    expect(total(blobsWith(log, 'OrderProcessingFailed'), 'OrderProcessingFailed')).toBe(0);
    expect(total(blobsWith(log, 'OrdersCreated'), 'OrdersCreated')).toBe(1);
  });

  it('parked messages carry the event and the reason EventBridge gave', async () => {
    // Prepare: everything parked by the tests above
    const sqs = new SQSClient({
      endpoint: inject('motoEndpoint'),
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const depth = await svc.dlqDepth();
    expect(depth).toBeGreaterThan(0);

    // Act
    const bodies: any[] = [];
    for (;;) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: svc.config.dlqUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 300,
          MessageAttributeNames: ['All'],
        }),
      );
      if (!out.Messages?.length) break;
      for (const m of out.Messages) {
        bodies.push({
          ...JSON.parse(m.Body ?? '{}'),
          attribute: m.MessageAttributes?.event_type?.StringValue,
        });
      }
    }

    // Assess
    expect(bodies).toHaveLength(depth);
    for (const body of bodies) {
      expect(body.type).toMatch(/^order\.[a-z]+$/);
      expect(body.attribute).toBe(body.type);
      expect(body.detail.metadata).toMatchObject({
        event_id: expect.stringMatching(/^evt_/),
        order_id: expect.stringMatching(/^ord_/),
      });
      expect(body.failure).toMatch(/ResourceNotFound|does not exist/);
    }
    expect(bodies.map((b) => b.type)).toEqual(
      expect.arrayContaining([
        'order.pending',
        'order.confirmed',
        'order.cancelled',
        'order.deleted',
      ]),
    );
  });
});

describe('EMF metrics of a healthy request', () => {
  let svc: ServiceHarness;
  let log: MockInstance;

  beforeAll(async () => {
    svc = await createServiceHarness();
  });

  beforeEach(() => {
    log = vi.spyOn(console, 'log');
  });

  afterEach(() => {
    log.mockRestore();
  });

  it('a create prints OrdersCreated and a Latency metric with operation=create', async () => {
    // Act
    const created = await svc.call(
      apiEvent('POST', '/v1.0/orders', { caller: admin, body: orderBody('cust_emf_ok') }),
    );

    // Assess
    expect(created.status).toBe(201);
    expect(total(blobsWith(log, 'OrdersCreated'), 'OrdersCreated')).toBe(1);
    const latency = blobsWith(log, 'Latency');
    expect(latency).toHaveLength(1);
    const blob = latency[0]!;
    expect(blob.operation).toBe('create');
    expect(blob._aws.CloudWatchMetrics[0]!.Dimensions.flat()).toContain('operation');
    expect(blob._aws.CloudWatchMetrics[0]!.Metrics).toContainEqual({
      Name: 'Latency',
      Unit: 'Milliseconds',
    });
    expect(typeof blob.Latency).toBe('number');
    expect(blobsWith(log, 'EventPublishFailed')).toEqual([]);
    expect(await svc.dlqDepth()).toBe(0);
  });

  it('each operation reports its own Latency dimension', async () => {
    // Prepare
    const created = await svc.call(
      apiEvent('POST', '/v1.0/orders', { caller: admin, body: orderBody('cust_emf_ops') }),
    );
    log.mockClear();

    // Act
    await svc.call(
      apiEvent('PUT', `/v1.0/orders/${created.body.order_id}/status`, {
        caller: admin,
        body: { status: 'confirmed' },
      }),
    );
    await svc.call(apiEvent('GET', `/v1.0/orders/${created.body.order_id}`, { caller: admin }));

    // Assess
    expect(blobsWith(log, 'Latency').map((b) => b.operation)).toEqual(['status', 'get']);
    expect(blobsWith(log, 'OrdersCreated')).toEqual([]);
  });
});
