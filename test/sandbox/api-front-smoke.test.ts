import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvName } from '../../infra/environments.js';
import { type ApiFront, startApiFront } from '../../sandbox/api/front.js';
import { handlerInvoker } from '../../sandbox/api/handler-invoker.js';
import type { ApiInvoker } from '../../sandbox/api/invoker.js';
import { loadSandboxKeys, type SandboxKeys } from '../../sandbox/api/jwt.js';
import { createServiceHarness, type ServiceHarness } from '../support/service-harness.js';

/**
 * The promotion plan's 11 smoke calls, over real HTTP, through the sandbox API front and its
 * JWT authorizer, into the real order router against DynamoDB Local. Same departure from
 * the plan's literal order as test/api/smoke-calls.test.ts (cancel and fulfill on separate
 * orders), because a correct service refuses to ship a cancelled order.
 */

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

const call = async (
  front: ApiFront,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; authorization?: string } = {},
): Promise<Answer> => {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.authorization) headers.authorization = options.authorization;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${front.url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
};

describe('API front smoke calls (PROM-ORDER-002 § Smoke Tests) over HTTP', () => {
  let svc: ServiceHarness;
  let keys: SandboxKeys;
  let sit: ApiFront;
  let prod: ApiFront;
  let logPath: string;
  let sitToken: string;
  const sitCalls = { calls: 0 };
  const prodCalls = { calls: 0 };
  const planOrder = {
    customer_id: 'cust_test_001',
    items: [{ product_id: 'prod_001', quantity: 2, price: 29.99 }],
    total: 59.98,
    currency: 'USD',
  };
  let orderId = '';
  let cancelId = '';

  /** A front onto the real router that counts invocations, so "never invoked" is checkable. */
  const front = async (env: EnvName, counter: { calls: number }, log?: string) => {
    const real = handlerInvoker(() => svc.invoke, { executedVersion: '3' });
    const invoke: ApiInvoker = (input) => {
      counter.calls += 1;
      return real(input);
    };
    return startApiFront({ env, port: 0, keys, invoke, ...(log ? { logPath: log } : {}) });
  };

  beforeAll(async () => {
    svc = await createServiceHarness();
    const dir = await mkdtemp(join(tmpdir(), 'api-front-'));
    keys = await loadSandboxKeys(join(dir, 'keys'));
    logPath = join(dir, 'logs', 'api-sit.access.jsonl');
    sit = await front('sit', sitCalls, logPath);
    prod = await front('prod', prodCalls);
    // The plan's SIT_TOKEN creates for cust_test_001 and also sets status and fulfills: an admin.
    sitToken = await keys.mintToken({ env: 'sit', customerId: 'cust_test_001', admin: true });
  });

  afterAll(async () => {
    await Promise.all([sit?.close(), prod?.close()]);
  });

  it('1. health check answers without a token, stamped with request id and version', async () => {
    // Act
    const res = await call(sit, 'GET', '/v1.0/orders/health');

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'healthy', dynamodb: 'reachable' });
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-sandbox-executed-version')).toBe('3');
  });

  it('without a token, or with a non-bearer one, the answer is 401 and the function is never invoked', async () => {
    // Prepare
    const before = sitCalls.calls;

    // Act
    const missing = await call(sit, 'GET', '/v1.0/orders');
    const basic = await call(sit, 'GET', '/v1.0/orders', { authorization: 'Basic dXNlcjpwdw==' });
    const garbage = await call(sit, 'POST', '/v1.0/orders', {
      token: 'abc.def.ghi',
      body: planOrder,
    });

    // Assess
    for (const res of [missing, basic, garbage]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'Unauthorized' });
    }
    expect(sitCalls.calls).toBe(before);
  });

  it('a sit token is refused by the prod front before reaching prod', async () => {
    // Act
    const res = await call(prod, 'GET', '/v1.0/orders', { token: sitToken });

    // Assess
    expect(res.status).toBe(401);
    expect(prodCalls.calls).toBe(0);
  });

  it('unknown paths answer 404 like API Gateway', async () => {
    // Act
    const answers = await Promise.all(
      ['/', '/v1.0/customers', '/v1.0/orders/a/b/c', '/v1.0//orders'].map((p) =>
        call(sit, 'GET', p, { token: sitToken }),
      ),
    );

    // Assess
    for (const res of answers) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ message: 'Not Found' });
    }
  });

  it('2. list orders returns an empty list for a fresh table', async () => {
    const res = await call(sit, 'GET', '/v1.0/orders', { token: sitToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ orders: [], count: 0, next_token: null });
  });

  it('3. create order with the plan body', async () => {
    const res = await call(sit, 'POST', '/v1.0/orders', { token: sitToken, body: planOrder });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ...planOrder, status: 'pending', version: 1 });
    expect(res.headers.get('location')).toBe(`/v1.0/orders/${res.body.order_id}`);
    orderId = res.body.order_id;
    const second = await call(sit, 'POST', '/v1.0/orders', { token: sitToken, body: planOrder });
    cancelId = second.body.order_id;
  });

  it('4. get order by id', async () => {
    const res = await call(sit, 'GET', `/v1.0/orders/${orderId}`, { token: sitToken });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ order_id: orderId, total: 59.98, currency: 'USD' });
  });

  it('claims reach the function: another customer gets 404, a non-admin cannot set status', async () => {
    // Prepare
    const other = await keys.mintToken({ env: 'sit', customerId: 'cust_other' });
    const owner = await keys.mintToken({ env: 'sit', customerId: 'cust_test_001' });

    // Act
    const foreign = await call(sit, 'GET', `/v1.0/orders/${orderId}`, { token: other });
    const notAdmin = await call(sit, 'PUT', `/v1.0/orders/${orderId}/status`, {
      token: owner,
      body: { status: 'confirmed' },
    });

    // Assess
    expect(foreign.status).toBe(404);
    expect(notAdmin.status).toBe(403);
    expect(notAdmin.body.error.code).toBe('admin_required');
  });

  it("5. update order status to processing (the plan's call, straight from pending)", async () => {
    const res = await call(sit, 'PUT', `/v1.0/orders/${orderId}/status`, {
      token: sitToken,
      body: { status: 'processing' },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('processing');
  });

  it('6. cancel order (a separate order)', async () => {
    const res = await call(sit, 'POST', `/v1.0/orders/${cancelId}/cancel`, { token: sitToken });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
  });

  it('7. track order', async () => {
    const res = await call(sit, 'GET', `/v1.0/orders/${orderId}/track`, { token: sitToken });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      order_id: orderId,
      status: 'processing',
      tracking_number: null,
    });
  });

  it('8. order history lists every change', async () => {
    const res = await call(sit, 'GET', `/v1.0/orders/${orderId}/history`, { token: sitToken });
    expect(res.status).toBe(200);
    expect(res.body.status_history.map((h: { to: string }) => h.to)).toEqual([
      'pending',
      'processing',
    ]);
    expect(res.body.status_history[1].by).toBe('sandbox-user-cust_test_001');
  });

  it('9. fulfill order with tracking', async () => {
    const body = { tracking_number: 'TRACK123456', carrier: 'DHL' };
    const res = await call(sit, 'POST', `/v1.0/orders/${orderId}/fulfill`, {
      token: sitToken,
      body,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'shipped', tracking: body });
  });

  it('10. orders by customer', async () => {
    const res = await call(sit, 'GET', '/v1.0/orders?customer_id=cust_test_001', {
      token: sitToken,
    });
    expect(res.status).toBe(200);
    expect(res.body.orders.map((o: { order_id: string }) => o.order_id).sort()).toEqual(
      [orderId, cancelId].sort(),
    );
  });

  it("11. orders by status (the plan's status=processing: ours has shipped by now)", async () => {
    const processing = await call(sit, 'GET', '/v1.0/orders?status=processing', {
      token: sitToken,
    });
    const cancelled = await call(sit, 'GET', '/v1.0/orders?status=cancelled', { token: sitToken });
    expect(processing.status).toBe(200);
    expect(processing.body.orders).toEqual([]);
    expect(cancelled.body.orders.map((o: { order_id: string }) => o.order_id)).toEqual([cancelId]);
  });

  it('the access log has one JSON line per request and no tokens or bodies', async () => {
    // Act: closing flushes the log.
    await sit.close();
    const text = await readFile(logPath, 'utf8');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));

    // Assess
    expect(lines.length).toBeGreaterThanOrEqual(20);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(
        expect.arrayContaining(['time', 'method', 'path', 'status', 'latencyMs']),
      );
    }
    expect(lines[0]).toMatchObject({
      method: 'GET',
      path: '/v1.0/orders/health',
      status: 200,
      version: '3',
    });
    expect(lines.find((l) => l.status === 401)).toMatchObject({ gatewayError: 'unauthorized' });
    expect(lines.find((l) => l.status === 401)).not.toHaveProperty('version');
    expect(text).not.toContain(sitToken.split('.')[1]);
    expect(text).not.toMatch(/Bearer|prod_001|TRACK123456|customer_id/);
  });
});
