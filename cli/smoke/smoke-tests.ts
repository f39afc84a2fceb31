import {
  expectField,
  expectStatus,
  isObject,
  nonEmptyString,
  orderIdsOf,
  show,
} from './smoke-checks.js';
import { type Answer, type Caller, SmokeCheckFailed } from './smoke-http.js';
import { type SmokeTestId, type SmokeTestSpec, smokeTest } from './smoke-suite.js';

/**
 * What each of the plan's 11 smoke tests checks. The call itself — method, path, query — is
 * the suite's data (`smoke-suite.ts`): {@link send} fills the spec's `{order_id}` and
 * `{customer_id}` and sends exactly that, so the report and the wire cannot disagree.
 */

/** The plan's order body, minus the customer (which is configurable). */
export const PLAN_ITEMS = [{ product_id: 'prod_001', quantity: 2, price: 29.99 }] as const;
export const PLAN_TOTAL = 59.98;
export const PLAN_CURRENCY = 'USD';
/** The plan's fulfilment body. */
export const PLAN_TRACKING = { tracking_number: 'TRACK123456', carrier: 'DHL' } as const;
/** Pages followed when looking for this run's order in a filtered list. */
const MAX_LIST_PAGES = 10;

export interface RunState {
  /** Every order created, with the last status this run saw. */
  readonly orders: Map<string, string>;
  mainOrderId?: string;
  cancelOrderId?: string;
}

export const orderPath = (id: string, suffix = ''): string =>
  `/v1.0/orders/${encodeURIComponent(id)}${suffix}`;

export const planOrder = (customerId: string) => ({
  customer_id: customerId,
  items: PLAN_ITEMS,
  total: PLAN_TOTAL,
  currency: PLAN_CURRENCY,
});

const specOf = (id: SmokeTestId): SmokeTestSpec => smokeTest(id) as SmokeTestSpec;

/** The spec's path with its placeholders filled (values URL-encoded). */
export const pathOf = (spec: SmokeTestSpec, vars: Record<string, string> = {}): string =>
  spec.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = vars[name];
    // Unreachable while the suite's dependencies are right; a clear failure if they are not.
    if (value === undefined) throw new SmokeCheckFailed(`no ${name} from an earlier test`);
    return encodeURIComponent(value);
  });

/** Sends the call a spec describes. */
const send = (
  call: Caller,
  id: SmokeTestId,
  vars: Record<string, string>,
  options: {
    auth?: 'user' | 'admin' | 'none';
    body?: unknown;
    query?: Record<string, string>;
  } = {},
): Promise<Answer> => {
  const spec = specOf(id);
  let path = pathOf(spec, vars);
  if (options.query && Object.keys(options.query).length) {
    path += `${path.includes('?') ? '&' : '?'}${new URLSearchParams(options.query).toString()}`;
  }
  return call(spec.method, path, {
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
};

const need = (value: string | undefined, what: string): string => {
  if (!value) throw new SmokeCheckFailed(`no ${what} from an earlier test`);
  return value;
};

/** Creates the plan's order (test 3's call) and records it for cleanup before any check. */
const createPlanOrder = async (
  call: Caller,
  state: RunState,
  customerId: string,
): Promise<{ id: string; status: number }> => {
  const answer = await send(call, 'create', {}, { body: planOrder(customerId) });
  const body = expectStatus(answer, 201, 'create');
  expectField(answer, body, 'order_id', nonEmptyString, 'an order id');
  const id = body.order_id as string;
  state.orders.set(id, String(body.status));
  expectField(answer, body, 'status', 'pending');
  expectField(answer, body, 'customer_id', customerId);
  expectField(answer, body, 'total', PLAN_TOTAL);
  expectField(answer, body, 'currency', PLAN_CURRENCY);
  expectField(answer, body, 'items', (v) => Array.isArray(v) && v.length === 1, 'one item');
  return { id, status: answer.status };
};

/**
 * Follows a filtered list (the spec's call, plus `limit`/`next_token`): every order on every
 * page must satisfy the filter, and `orderId`, when given, must be found — a long-lived SIT
 * table can hold more matches than one page, so it is looked for, not assumed.
 */
const checkFilteredList = async (
  call: Caller,
  id: SmokeTestId,
  vars: Record<string, string>,
  field: 'customer_id' | 'status',
  value: string,
  orderId: string | undefined,
): Promise<number> => {
  let nextToken: string | undefined;
  let last = 0;
  for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
    const answer = await send(call, id, vars, {
      query: { limit: '100', ...(nextToken ? { next_token: nextToken } : {}) },
    });
    last = answer.status;
    const body = expectStatus(answer, 200, 'list');
    const ids = orderIdsOf(body);
    if (!ids) throw new SmokeCheckFailed('orders: expected an array', answer.status);
    const stray = (body.orders as unknown[]).find((o) => !isObject(o) || o[field] !== value);
    if (stray !== undefined) {
      throw new SmokeCheckFailed(
        `filter ${field}=${value} returned an order with ${field} ${show(isObject(stray) ? stray[field] : stray)}`,
        answer.status,
      );
    }
    if (orderId === undefined || ids.includes(orderId)) {
      if (orderId !== undefined || !body.next_token) return answer.status;
    }
    nextToken = typeof body.next_token === 'string' ? body.next_token : undefined;
    if (!nextToken) break;
  }
  if (orderId === undefined) return last;
  throw new SmokeCheckFailed(`order ${orderId} is not in the list`, last);
};

export type TestBody = (call: Caller, state: RunState, customerId: string) => Promise<number>;

/** What each test checks; the plan's calls, bodies and statuses. */
export const SMOKE_TESTS: Record<SmokeTestId, TestBody> = {
  health: async (call) => {
    // The plan calls health without a token, and so does a load balancer.
    const answer = await send(call, 'health', {}, { auth: 'none' });
    const body = expectStatus(answer, 200, 'health');
    expectField(answer, body, 'status', 'healthy');
    expectField(answer, body, 'version', nonEmptyString, 'a version');
    return answer.status;
  },
  list: async (call) => {
    const answer = await send(call, 'list', {});
    const body = expectStatus(answer, 200, 'list');
    expectField(answer, body, 'orders', Array.isArray, 'an array');
    expectField(
      answer,
      body,
      'count',
      (v) => v === (body.orders as unknown[]).length,
      'the number of orders',
    );
    expectField(answer, body, 'next_token', (v) => v === null || typeof v === 'string', 'a token');
    return answer.status;
  },
  create: async (call, state, customerId) => {
    const { id, status } = await createPlanOrder(call, state, customerId);
    state.mainOrderId = id;
    return status;
  },
  get: async (call, state) => {
    const id = need(state.mainOrderId, 'order');
    const answer = await send(call, 'get', { order_id: id });
    const body = expectStatus(answer, 200, 'get');
    expectField(answer, body, 'order_id', id);
    expectField(answer, body, 'total', PLAN_TOTAL);
    expectField(answer, body, 'currency', PLAN_CURRENCY);
    return answer.status;
  },
  status: async (call, state) => {
    // The plan's call as written: a new order goes straight to processing.
    const id = need(state.mainOrderId, 'order');
    const answer = await send(
      call,
      'status',
      { order_id: id },
      { auth: 'admin', body: { status: 'processing' } },
    );
    const body = expectStatus(answer, 200, 'status → processing');
    if (typeof body.status === 'string') state.orders.set(id, body.status);
    expectField(answer, body, 'status', 'processing');
    return answer.status;
  },
  cancel: async (call, state, customerId) => {
    // Its own order (see the suite's departure): the main one must still ship in test 9.
    const { id } = await createPlanOrder(call, state, customerId);
    state.cancelOrderId = id;
    const answer = await send(call, 'cancel', { order_id: id });
    const body = expectStatus(answer, 200, 'cancel');
    if (typeof body.status === 'string') state.orders.set(id, body.status);
    expectField(answer, body, 'order_id', id);
    expectField(answer, body, 'status', 'cancelled');
    return answer.status;
  },
  track: async (call, state) => {
    const id = need(state.mainOrderId, 'order');
    const answer = await send(call, 'track', { order_id: id });
    const body = expectStatus(answer, 200, 'track');
    expectField(answer, body, 'order_id', id);
    expectField(answer, body, 'status', 'processing');
    // Not shipped yet: the fields are there and empty.
    expectField(answer, body, 'tracking_number', null);
    expectField(answer, body, 'carrier', null);
    return answer.status;
  },
  history: async (call, state) => {
    const id = need(state.mainOrderId, 'order');
    const answer = await send(call, 'history', { order_id: id });
    const body = expectStatus(answer, 200, 'history');
    expectField(answer, body, 'order_id', id);
    const trail = Array.isArray(body.status_history) ? body.status_history : undefined;
    const steps = trail?.map((h) => (isObject(h) ? h.to : undefined));
    expectField(
      answer,
      body,
      'status_history',
      () => JSON.stringify(steps) === JSON.stringify(['pending', 'processing']),
      'pending → processing',
    );
    const incomplete = trail?.find((h) => !isObject(h) || !nonEmptyString(h.at) || !h.by);
    if (incomplete !== undefined) {
      throw new SmokeCheckFailed('status_history: an entry lacks at or by', answer.status);
    }
    return answer.status;
  },
  fulfill: async (call, state) => {
    const id = need(state.mainOrderId, 'order');
    const answer = await send(
      call,
      'fulfill',
      { order_id: id },
      { auth: 'admin', body: PLAN_TRACKING },
    );
    const body = expectStatus(answer, 200, 'fulfill');
    if (typeof body.status === 'string') state.orders.set(id, body.status);
    expectField(answer, body, 'status', 'shipped');
    expectField(
      answer,
      body,
      'tracking',
      (v) =>
        isObject(v) &&
        v.tracking_number === PLAN_TRACKING.tracking_number &&
        v.carrier === PLAN_TRACKING.carrier,
      show(PLAN_TRACKING),
    );
    return answer.status;
  },
  'list-by-customer': async (call, state, customerId) =>
    checkFilteredList(
      call,
      'list-by-customer',
      { customer_id: customerId },
      'customer_id',
      customerId,
      need(state.mainOrderId, 'order'),
    ),
  'list-by-status': async (call, state) => {
    // The plan's `status=processing`. After test 9 this run's order has shipped, so only the
    // filter is checked; when fulfill did not run, the order is still processing and must be
    // listed.
    const main = state.mainOrderId;
    const stillProcessing = main && state.orders.get(main) === 'processing' ? main : undefined;
    return checkFilteredList(call, 'list-by-status', {}, 'status', 'processing', stillProcessing);
  },
};
