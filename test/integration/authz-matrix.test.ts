import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES as ROUTER_ROUTES } from '../../service/router.js';
import {
  type ApiResult,
  admin,
  apiEvent,
  type Caller,
  createServiceHarness,
  customer,
  type ServiceHarness,
} from '../support/service-harness.js';

/**
 * Authorization matrix: every route × {owner, other customer, admin, anonymous} against the
 * real router, adapters and DynamoDB Local.
 *
 * - anonymous → 401 everywhere except health;
 * - another customer → 404 on the order routes a customer may use (never 403, never the
 *   order's data), 403 on admin-only routes and on acting for the owner (list, create);
 * - the owner → reads, update and cancel, but 403 on status, fulfill and delete;
 * - an admin → everything.
 *
 * Rows whose action mutates run on a fresh order, so every row is independent.
 */

type Who = 'owner' | 'other' | 'admin' | 'anonymous';

const OWNER_ID = 'cust_authz_owner';
const OTHER_ID = 'cust_authz_other';
const CALLERS: Record<Who, Caller | undefined> = {
  owner: customer(OWNER_ID),
  other: customer(OTHER_ID),
  admin,
  anonymous: undefined,
};

/** Recognisable values that must never reach a caller who may not see the order. */
const SECRET_SHIPPING = {
  recipient_name: 'Authz Owner-Recipient',
  line1: '17 Matrix Lane',
  city: 'Cape Town',
  postal_code: '8001',
  country: 'ZA',
};

/** Valid-format id that no order has: the reference "missing order" answer. */
const MISSING_ID = 'ord_00000000000000000000000000';

type Prepare = 'none' | 'shared' | 'fresh' | 'processing';

interface RouteSpec {
  readonly method: string;
  readonly path: (orderId: string) => string;
  /** `shared`: read-only, one order for all rows; `fresh`/`processing`: a new order per row. */
  readonly prepare: Prepare;
  readonly body?: unknown;
  readonly query?: Record<string, string>;
  /** What an allowed answer must contain. */
  readonly assessAllowed: (res: ApiResult, orderId: string, svc: ServiceHarness) => Promise<void>;
}

const ownerCreateBody = {
  customer_id: OWNER_ID,
  items: [{ product_id: 'prod_authz', quantity: 2, price: 10.5 }],
  total: 21,
  currency: 'USD',
};

const orderPath = (id: string, suffix = '') => `/v1.0/orders/${id}${suffix}`;

const ROUTES: Record<string, RouteSpec> = {
  'GET health': {
    method: 'GET',
    path: () => '/v1.0/orders/health',
    prepare: 'none',
    assessAllowed: async (res) => {
      expect(res.body).toMatchObject({ status: 'healthy', dynamodb: 'reachable' });
    },
  },
  'GET list': {
    method: 'GET',
    path: () => '/v1.0/orders',
    prepare: 'shared',
    query: { customer_id: OWNER_ID, limit: '100' },
    assessAllowed: async (res, orderId) => {
      const orders = res.body.orders as Array<{ order_id: string; customer_id: string }>;
      expect(orders.map((o) => o.order_id)).toContain(orderId);
      expect(orders.every((o) => o.customer_id === OWNER_ID)).toBe(true);
    },
  },
  'POST create': {
    method: 'POST',
    path: () => '/v1.0/orders',
    prepare: 'none',
    body: ownerCreateBody,
    assessAllowed: async (res) => {
      expect(res.body).toMatchObject({ customer_id: OWNER_ID, status: 'pending', total: 21 });
    },
  },
  'GET {id}': {
    method: 'GET',
    path: (id) => orderPath(id),
    prepare: 'shared',
    assessAllowed: async (res, orderId) => {
      expect(res.body).toMatchObject({ order_id: orderId, customer_id: OWNER_ID });
    },
  },
  'PUT {id} (items)': {
    method: 'PUT',
    path: (id) => orderPath(id),
    prepare: 'fresh',
    body: { items: [{ product_id: 'prod_authz', quantity: 3, price: 10.5 }], total: 31.5 },
    assessAllowed: async (res, orderId) => {
      expect(res.body).toMatchObject({ order_id: orderId, total: 31.5, version: 2 });
    },
  },
  'PUT {id} (shipping)': {
    method: 'PUT',
    path: (id) => orderPath(id),
    prepare: 'fresh',
    body: {
      shipping: {
        recipient_name: 'New Recipient',
        line1: '1 Other Road',
        city: 'Durban',
        postal_code: '4001',
        country: 'ZA',
      },
    },
    assessAllowed: async (res, orderId) => {
      expect(res.body).toMatchObject({ order_id: orderId, shipping: { city: 'Durban' } });
    },
  },
  'DELETE {id}': {
    method: 'DELETE',
    path: (id) => orderPath(id),
    prepare: 'fresh',
    assessAllowed: async (res, orderId, svc) => {
      expect(res.body).toEqual({ order_id: orderId, deleted: true });
      const after = await svc.call(apiEvent('GET', orderPath(orderId), { caller: admin }));
      expect(after.status).toBe(404);
    },
  },
  'PUT {id}/status': {
    method: 'PUT',
    path: (id) => orderPath(id, '/status'),
    prepare: 'fresh',
    body: { status: 'confirmed' },
    assessAllowed: async (res, orderId) => {
      expect(res.body).toMatchObject({ order_id: orderId, status: 'confirmed' });
    },
  },
  'POST {id}/cancel': {
    method: 'POST',
    path: (id) => orderPath(id, '/cancel'),
    prepare: 'fresh',
    assessAllowed: async (res, orderId) => {
      expect(res.body).toMatchObject({ order_id: orderId, status: 'cancelled' });
    },
  },
  'POST {id}/fulfill': {
    method: 'POST',
    path: (id) => orderPath(id, '/fulfill'),
    prepare: 'processing',
    body: { tracking_number: 'TRK-AUTHZ-1', carrier: 'DHL' },
    assessAllowed: async (res, orderId) => {
      expect(res.body).toMatchObject({
        order_id: orderId,
        status: 'shipped',
        tracking: { tracking_number: 'TRK-AUTHZ-1', carrier: 'DHL' },
      });
    },
  },
  'GET {id}/track': {
    method: 'GET',
    path: (id) => orderPath(id, '/track'),
    prepare: 'shared',
    assessAllowed: async (res, orderId) => {
      expect(res.body).toMatchObject({ order_id: orderId, status: 'pending' });
    },
  },
  'GET {id}/history': {
    method: 'GET',
    path: (id) => orderPath(id, '/history'),
    prepare: 'shared',
    assessAllowed: async (res, orderId) => {
      expect(res.body.order_id).toBe(orderId);
      expect(res.body.status_history[0]).toMatchObject({ from: null, to: 'pending' });
    },
  },
};

/** Expected status and error code per route and caller. */
const EXPECTED: Record<keyof typeof ROUTES, Record<Who, [number, string?]>> = {
  'GET health': { owner: [200], other: [200], admin: [200], anonymous: [200] },
  // list and create act for the owner (customer_id = owner): the other customer may not.
  'GET list': {
    owner: [200],
    other: [403, 'other_customer'],
    admin: [200],
    anonymous: [401, 'unauthenticated'],
  },
  'POST create': {
    owner: [201],
    other: [403, 'other_customer'],
    admin: [201],
    anonymous: [401, 'unauthenticated'],
  },
  'GET {id}': {
    owner: [200],
    other: [404, 'order_not_found'],
    admin: [200],
    anonymous: [401, 'unauthenticated'],
  },
  'PUT {id} (items)': {
    owner: [200],
    other: [404, 'order_not_found'],
    admin: [200],
    anonymous: [401, 'unauthenticated'],
  },
  'PUT {id} (shipping)': {
    owner: [200],
    other: [404, 'order_not_found'],
    admin: [200],
    anonymous: [401, 'unauthenticated'],
  },
  'DELETE {id}': {
    owner: [403, 'admin_required'],
    other: [403, 'admin_required'],
    admin: [200],
    anonymous: [401, 'unauthenticated'],
  },
  'PUT {id}/status': {
    owner: [403, 'admin_required'],
    other: [403, 'admin_required'],
    admin: [200],
    anonymous: [401, 'unauthenticated'],
  },
  'POST {id}/cancel': {
    owner: [200],
    other: [404, 'order_not_found'],
    admin: [200],
    anonymous: [401, 'unauthenticated'],
  },
  'POST {id}/fulfill': {
    owner: [403, 'admin_required'],
    other: [403, 'admin_required'],
    admin: [200],
    anonymous: [401, 'unauthenticated'],
  },
  'GET {id}/track': {
    owner: [200],
    other: [404, 'order_not_found'],
    admin: [200],
    anonymous: [401, 'unauthenticated'],
  },
  'GET {id}/history': {
    owner: [200],
    other: [404, 'order_not_found'],
    admin: [200],
    anonymous: [401, 'unauthenticated'],
  },
};

const WHO: readonly Who[] = ['owner', 'other', 'admin', 'anonymous'];

const MATRIX = Object.entries(EXPECTED).flatMap(([route, byWho]) =>
  WHO.map((who) => {
    const [status, code] = byWho[who];
    return { route, who, status, code: code ?? '' };
  }),
);

/** A stack frame such as `at fn (/path/file.js:1:2)`. */
const STACK_FRAME = /\bat\s+\S.*:\d+:\d+\)?/;

/** `{"error":{"code","message"},"request_id"}` and nothing that looks like internals. */
const expectErrorShape = (res: ApiResult, requestId: string, code: string) => {
  expect(Object.keys(res.body).sort()).toEqual(['error', 'request_id']);
  expect(res.body.request_id).toBe(requestId);
  expect(res.body.error).toEqual({ code, message: expect.any(String) });
  expect(res.body.error.message.length).toBeGreaterThan(0);
  const text = JSON.stringify(res.body);
  expect(text).not.toContain('"stack"');
  expect(text).not.toMatch(STACK_FRAME);
};

describe('authorization matrix: every route × owner, other customer, admin, anonymous', () => {
  let svc: ServiceHarness;
  let sharedOrderId = '';

  /** The owner orders through the API, with shipping details that must not leak. */
  const newOwnerOrder = async (): Promise<string> => {
    const res = await svc.call(
      apiEvent('POST', '/v1.0/orders', {
        caller: CALLERS.owner,
        body: { ...ownerCreateBody, shipping: SECRET_SHIPPING },
      }),
    );
    expect(res.status).toBe(201);
    return res.body.order_id as string;
  };

  const adminSetStatus = async (orderId: string, status: string) => {
    const res = await svc.call(
      apiEvent('PUT', orderPath(orderId, '/status'), { caller: admin, body: { status } }),
    );
    expect(res.status).toBe(200);
  };

  const prepareOrder = async (prepare: Prepare): Promise<string> => {
    if (prepare === 'none' || prepare === 'shared') return sharedOrderId;
    const orderId = await newOwnerOrder();
    if (prepare === 'processing') {
      await adminSetStatus(orderId, 'confirmed');
      await adminSetStatus(orderId, 'processing');
    }
    return orderId;
  };

  /** The order as an admin sees it, or the status when it is not there. */
  const snapshot = async (orderId: string) => {
    const res = await svc.call(apiEvent('GET', orderPath(orderId), { caller: admin }));
    return res.status === 200 ? res.body : res.status;
  };

  beforeAll(async () => {
    svc = await createServiceHarness();
    sharedOrderId = await newOwnerOrder();
    // The other customer has an order of their own, so "nothing found" is never an empty table.
    const theirs = await svc.call(
      apiEvent('POST', '/v1.0/orders', {
        caller: CALLERS.other,
        body: { ...ownerCreateBody, customer_id: OTHER_ID },
      }),
    );
    expect(theirs.status).toBe(201);
  });

  it('covers all 11 routes of the router for all four callers', () => {
    // Prepare
    const covered = new Set(
      Object.values(ROUTES).map((r) => `${r.method} ${r.path('{id}').replace('/v1.0/orders', '')}`),
    );

    // Act
    const missing = ROUTER_ROUTES.map((r) => `${r.method} ${r.path}`).filter(
      (route) => !covered.has(route),
    );

    // Assess
    expect(ROUTER_ROUTES).toHaveLength(11);
    expect(missing).toEqual([]);
    expect(MATRIX).toHaveLength(Object.keys(ROUTES).length * WHO.length);
  });

  // Rows are independent (fresh orders for mutations), so they run concurrently.
  it.concurrent.each(MATRIX)('$route as $who → $status', async ({ route, who, status, code }) => {
    // Prepare
    const spec = ROUTES[route]!;
    const orderId = await prepareOrder(spec.prepare);
    const before = spec.prepare === 'none' ? undefined : await snapshot(orderId);
    const event = apiEvent(spec.method, spec.path(orderId), {
      caller: CALLERS[who],
      ...(spec.body !== undefined ? { body: spec.body } : {}),
      ...(spec.query ? { query: spec.query } : {}),
    });
    const requestId = event.requestContext.requestId;

    // Act
    const res = await svc.call(event);

    // Assess
    expect(res.status).toBe(status);
    expect(res.headers['x-request-id']).toBe(requestId);
    if (status < 400) {
      await spec.assessAllowed(res, orderId, svc);
      return;
    }
    expectErrorShape(res, requestId, code);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(orderId);
    expect(text).not.toContain(OWNER_ID);
    expect(text).not.toContain(SECRET_SHIPPING.recipient_name);
    expect(text).not.toContain(SECRET_SHIPPING.line1);
    // A refused call changes nothing.
    if (before !== undefined) expect(await snapshot(orderId)).toEqual(before);
    if (status === 404) {
      // "Someone else's" is indistinguishable from "does not exist".
      const missing = await svc.call(
        apiEvent(spec.method, spec.path(MISSING_ID), {
          caller: CALLERS[who],
          ...(spec.body !== undefined ? { body: spec.body } : {}),
        }),
      );
      expect(missing.status).toBe(404);
      expect(missing.body.error).toEqual(res.body.error);
    }
  });
});

describe('customers act only for themselves', () => {
  let svc: ServiceHarness;
  const ids: Record<string, string[]> = { alice: [], bob: [], carol: [] };

  const listAll = async (caller: Caller, query: Record<string, string> = {}) => {
    const orders: Array<{ order_id: string; customer_id: string }> = [];
    let token: string | null = null;
    do {
      const res: ApiResult = await svc.call(
        apiEvent('GET', '/v1.0/orders', {
          caller,
          query: { ...query, limit: '2', ...(token ? { next_token: token } : {}) },
        }),
      );
      expect(res.status).toBe(200);
      orders.push(...res.body.orders);
      token = res.body.next_token;
    } while (token);
    return orders;
  };

  beforeAll(async () => {
    svc = await createServiceHarness();
    for (const [name, count] of [
      ['alice', 3],
      ['bob', 2],
      ['carol', 1],
    ] as const) {
      for (let i = 0; i < count; i += 1) {
        const res = await svc.call(
          apiEvent('POST', '/v1.0/orders', {
            caller: customer(name),
            body: { ...ownerCreateBody, customer_id: name },
          }),
        );
        expect(res.status).toBe(201);
        ids[name]!.push(res.body.order_id);
      }
    }
  });

  it('a customer listing without a filter gets only their own orders, across pages', async () => {
    // Prepare
    const everyone = await listAll(admin);

    // Act
    const mine = await listAll(customer('alice'));

    // Assess
    expect(everyone).toHaveLength(6);
    expect(mine.map((o) => o.order_id).sort()).toEqual([...ids.alice!].sort());
    expect(mine.every((o) => o.customer_id === 'alice')).toBe(true);
  });

  it('a customer listing another customer_id gets 403 and no orders', async () => {
    // Prepare
    const event = apiEvent('GET', '/v1.0/orders', {
      caller: customer('alice'),
      query: { customer_id: 'bob' },
    });

    // Act
    const res = await svc.call(event);

    // Assess
    expect(res.status).toBe(403);
    expectErrorShape(res, event.requestContext.requestId, 'other_customer');
    expect(res.body.orders).toBeUndefined();
  });

  it('a customer creating for someone else gets 403 and nothing is created', async () => {
    // Prepare
    const event = apiEvent('POST', '/v1.0/orders', {
      caller: customer('alice'),
      body: { ...ownerCreateBody, customer_id: 'bob' },
    });

    // Act
    const res = await svc.call(event);

    // Assess
    expect(res.status).toBe(403);
    expectErrorShape(res, event.requestContext.requestId, 'other_customer');
    const bobs = await listAll(admin, { customer_id: 'bob' });
    expect(bobs.map((o) => o.order_id).sort()).toEqual([...ids.bob!].sort());
  });

  it('an admin lists any customer and gets exactly that customer’s orders', async () => {
    // Act
    const carols = await listAll(admin, { customer_id: 'carol' });

    // Assess
    expect(carols.map((o) => o.order_id)).toEqual(ids.carol);
  });
});
