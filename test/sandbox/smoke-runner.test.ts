import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunSmokeOptions, runSmoke, smokeFailure } from '../../cli/smoke/run-smoke.js';
import { type ApiFront, startApiFront } from '../../sandbox/api/front.js';
import { handlerInvoker } from '../../sandbox/api/handler-invoker.js';
import type { ApiInvoker } from '../../sandbox/api/invoker.js';
import { loadSandboxKeys, type SandboxKeys } from '../../sandbox/api/jwt.js';
import { createServiceHarness, type ServiceHarness } from '../support/service-harness.js';

/**
 * The smoke runner against the real order service, over real HTTP, through the sandbox API
 * front and its JWT authorizer (same wiring as api-front-smoke.test.ts). The invoker is
 * wrapped to count what reached the function, so "wrote nothing" is checked, not assumed.
 */

interface Counters {
  /** POST /v1.0/orders that reached the function. */
  creates: number;
  /** Every non-GET request that reached the function. */
  writes: number;
}

/** An answer the function could give when its create path is broken. */
const internalError = (executedVersion: string) => ({
  statusCode: 200,
  executedVersion,
  payload: Buffer.from(
    JSON.stringify({
      statusCode: 500,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        error: { code: 'internal_error', message: 'internal error' },
        request_id: 'broken',
      }),
    }),
  ),
});

describe('runSmoke over the sandbox API front', () => {
  let svc: ServiceHarness;
  let keys: SandboxKeys;
  let sit: ApiFront;
  let broken: ApiFront;
  /** Like the plan's SIT_TOKEN: customer cust_test_001 and admin (it sets status, fulfills). */
  let sitToken: string;
  const counters: Counters = { creates: 0, writes: 0 };

  const counting = (real: ApiInvoker, c: Counters, breakPosts = false): ApiInvoker => {
    return async (input) => {
      const event = JSON.parse(input.payload.toString('utf8')) as {
        httpMethod: string;
        path: string;
      };
      if (event.httpMethod !== 'GET') c.writes += 1;
      if (event.httpMethod === 'POST' && event.path === '/v1.0/orders') c.creates += 1;
      if (breakPosts && event.httpMethod === 'POST') return internalError('3');
      return real(input);
    };
  };

  const getOrder = async (id: string) => {
    const res = await fetch(`${sit.url}/v1.0/orders/${id}`, {
      headers: { authorization: `Bearer ${sitToken}` },
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  const smoke = (options: Partial<RunSmokeOptions> = {}) =>
    runSmoke({ baseUrl: sit.url, token: sitToken, ...options });

  beforeAll(async () => {
    svc = await createServiceHarness();
    const dir = await mkdtemp(join(tmpdir(), 'smoke-runner-'));
    keys = await loadSandboxKeys(join(dir, 'keys'));
    const real = handlerInvoker(() => svc.invoke, { executedVersion: '3' });
    sit = await startApiFront({ env: 'sit', port: 0, keys, invoke: counting(real, counters) });
    broken = await startApiFront({
      env: 'sit',
      port: 0,
      keys,
      invoke: counting(real, { creates: 0, writes: 0 }, true),
    });
    sitToken = await keys.mintToken({ env: 'sit', customerId: 'cust_test_001', admin: true });
  });

  afterAll(async () => {
    await Promise.all([sit?.close(), broken?.close()]);
  });

  it('runs all 11 plan tests in order and passes them with the expected statuses', async () => {
    // Prepare
    const seen: string[] = [];

    // Act
    const report = await smoke({ onResult: (r) => seen.push(r.id) });

    // Assess
    expect(report.tests.filter((t) => !t.ok)).toEqual([]);
    expect(report).toMatchObject({ ok: true, passed: 11, failed: 0, skipped: 0 });
    expect(report.tests.map((t) => [t.number, t.id, t.status])).toEqual([
      [1, 'health', 200],
      [2, 'list', 200],
      [3, 'create', 201],
      [4, 'get', 200],
      [5, 'status', 200],
      [6, 'cancel', 200],
      [7, 'track', 200],
      [8, 'history', 200],
      [9, 'fulfill', 200],
      [10, 'list-by-customer', 200],
      [11, 'list-by-status', 200],
    ]);
    expect(seen).toEqual(report.tests.map((t) => t.id));
    expect(report.tests.every((t) => t.selection === 'requested')).toBe(true);
    expect(report.tests.filter((t) => t.critical).map((t) => t.id)).toEqual(['create', 'status']);
    expect(report.baseUrl).toBe(sit.url);
  });

  it('deletes the orders it can and reports the shipped one as left behind', async () => {
    // Act
    const report = await smoke();

    // Assess: two orders, the cancelled one deleted, the shipped one still there and said so.
    expect(report.ok).toBe(true);
    expect(report.createdOrders).toHaveLength(2);
    const [main, cancelled] = report.createdOrders as [string, string];
    expect(report.deletedOrders).toEqual([cancelled]);
    expect(report.leftBehind).toEqual([
      {
        orderId: main,
        status: 'shipped',
        reason: expect.stringContaining('only pending or cancelled'),
      },
    ]);
    expect((await getOrder(cancelled)).status).toBe(404);
    const shipped = await getOrder(main);
    expect(shipped.status).toBe(200);
    expect(shipped.body.status).toBe('shipped');
  });

  it('--only get runs create as its dependency, then get, and cleans the order up', async () => {
    // Act
    const report = await smoke({ only: ['get'] });

    // Assess
    expect(report.tests.map((t) => [t.id, t.selection, t.ok])).toEqual([
      ['create', 'as_dependency', true],
      ['get', 'requested', true],
    ]);
    expect(report).toMatchObject({ ok: true, passed: 2, failed: 0, skipped: 0, leftBehind: [] });
    expect(report.createdOrders).toHaveLength(1);
    expect(report.deletedOrders).toEqual(report.createdOrders);
    expect((await getOrder(report.createdOrders[0]!)).status).toBe(404);
  });

  it('read-only runs health and an authenticated list and writes nothing', async () => {
    // Prepare
    const before = { ...counters };

    // Act
    const report = await smoke({ readOnly: true });

    // Assess
    expect(report.tests.map((t) => [t.id, t.status, t.ok])).toEqual([
      ['health', 200, true],
      ['list', 200, true],
    ]);
    expect(report).toMatchObject({ ok: true, readOnly: true, createdOrders: [], leftBehind: [] });
    expect(counters.creates).toBe(before.creates);
    expect(counters.writes).toBe(before.writes);
  });

  it('a service whose POSTs fail fails create and skips what depends on it', async () => {
    // Act
    const report = await runSmoke({ baseUrl: broken.url, token: sitToken });

    // Assess
    expect(report.ok).toBe(false);
    expect(report).toMatchObject({ passed: 2, failed: 1, skipped: 8 });
    const byId = Object.fromEntries(report.tests.map((t) => [t.id, t]));
    expect(byId.health).toMatchObject({ ok: true, status: 200 });
    expect(byId.list).toMatchObject({ ok: true, status: 200 });
    expect(byId.create).toMatchObject({ ok: false, status: 500 });
    expect(byId.create?.reason).toBe('create: expected HTTP 201, got 500 (internal_error)');
    expect(byId.create?.skipped).toBeUndefined();
    for (const id of ['get', 'status', 'cancel', 'track', 'history', 'fulfill']) {
      expect(byId[id], id).toMatchObject({ ok: false, skipped: 'dependency_failed' });
      expect(byId[id]?.status, id).toBeUndefined();
    }
    expect(byId.get?.reason).toBe('not run: create failed');
    expect(byId.track?.reason).toBe('not run: status was skipped');
    expect(report.createdOrders).toEqual([]);
    const error = smokeFailure(report);
    expect(error?.reason).toBe('smoke_failed');
    expect(error?.exitCode).toBe(9);
    expect(error?.message).toContain('3. Create order');
  });

  it('works with a customer token plus a separate admin token', async () => {
    // Prepare
    const customerToken = await keys.mintToken({ env: 'sit', customerId: 'cust_split_001' });
    const adminToken = await keys.mintToken({ env: 'sit', admin: true });

    // Act
    const report = await smoke({
      token: customerToken,
      adminToken,
      customerId: 'cust_split_001',
    });

    // Assess
    expect(report.tests.filter((t) => !t.ok)).toEqual([]);
    expect(report.passed).toBe(11);
    expect(report.deletedOrders).toHaveLength(1);
  });

  it('without admin rights, status fails and the undeletable order is reported, not hidden', async () => {
    // Prepare
    const customerToken = await keys.mintToken({ env: 'sit', customerId: 'cust_plain_001' });

    // Act
    const report = await smoke({
      token: customerToken,
      customerId: 'cust_plain_001',
      only: ['status'],
    });

    // Assess
    expect(report.tests.map((t) => [t.id, t.ok, t.status])).toEqual([
      ['create', true, 201],
      ['status', false, 403],
    ]);
    expect(report.tests[1]?.reason).toBe(
      'status → processing: expected HTTP 200, got 403 (admin_required)',
    );
    expect(report.deletedOrders).toEqual([]);
    expect(report.leftBehind).toEqual([
      {
        orderId: report.createdOrders[0],
        status: 'pending',
        reason: 'cleanup delete: expected HTTP 200, got 403 (admin_required)',
      },
    ]);
  });

  it('never puts a token in the report', async () => {
    // Prepare
    const customerToken = await keys.mintToken({ env: 'sit', customerId: 'cust_plain_002' });

    // Act
    const passing = await smoke({ only: ['create'] });
    const failing = await smoke({ token: customerToken, customerId: 'cust_plain_002' });

    // Assess
    for (const report of [passing, failing]) {
      const text = JSON.stringify(report);
      for (const token of [sitToken, customerToken]) {
        expect(text).not.toContain(token);
        expect(text).not.toContain(token.split('.')[2]);
      }
      expect(text).not.toMatch(/Bearer/i);
    }
    expect(failing.ok).toBe(false);
  });

  it('gives up on a call that does not answer within the timeout', async () => {
    // Prepare: a fetch that answers only by rejecting when its signal aborts.
    const hanging: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });

    // Act
    const report = await smoke({ fetch: hanging, timeoutMs: 50, only: ['health'] });

    // Assess
    expect(report.ok).toBe(false);
    expect(report.tests).toHaveLength(1);
    expect(report.tests[0]).toMatchObject({
      id: 'health',
      ok: false,
      reason: 'GET /v1.0/orders/health: no answer within 50 ms',
    });
    expect(report.tests[0]?.status).toBeUndefined();
  });

  it('rejects a missing token and a non-http URL before sending anything', async () => {
    // Prepare
    const before = { ...counters };

    // Act
    const noToken = smoke({ token: '' });
    const badUrl = smoke({ baseUrl: 'ftp://example.test' });

    // Assess
    await expect(noToken).rejects.toMatchObject({ reason: 'usage', code: 'SMOKE_NO_TOKEN' });
    await expect(badUrl).rejects.toMatchObject({ reason: 'usage', code: 'SMOKE_BAD_URL' });
    expect(counters).toEqual(before);
  });
});
