import { PromoteError } from '../errors.js';
import {
  type SmokeSelection,
  type SmokeTestId,
  type SmokeTestSpec,
  selectSmokeTests,
} from './smoke-suite.js';

/** Per-request timeout unless told: well under API Gateway's 29 s, far over a healthy call. */
export const DEFAULT_SMOKE_TIMEOUT_MS = 10_000;

/** The plan's test customer (`"customer_id": "cust_test_001"`). */
export const DEFAULT_SMOKE_CUSTOMER_ID = 'cust_test_001';

/** The plan's order body, minus the customer (which is configurable). */
const PLAN_ITEMS = [{ product_id: 'prod_001', quantity: 2, price: 29.99 }] as const;
const PLAN_TOTAL = 59.98;
const PLAN_CURRENCY = 'USD';
/** The plan's fulfilment body. */
const PLAN_TRACKING = { tracking_number: 'TRACK123456', carrier: 'DHL' } as const;
/** The service deletes only these (service/domain/status-machine.ts DELETABLE_STATUSES). */
const DELETABLE = new Set(['pending', 'cancelled']);
/** These can still be cancelled, which makes them deletable. */
const CANCELLABLE = new Set(['confirmed', 'processing']);
/** Pages followed when looking for this run's order in a filtered list. */
const MAX_LIST_PAGES = 10;
const MAX_REASON_CHARS = 240;

/** The outcome of one smoke test. */
export interface SmokeTestResult {
  readonly id: SmokeTestId;
  /** The plan's number (1–11). */
  readonly number: number;
  readonly title: string;
  readonly ok: boolean;
  /** HTTP status of the test's last call, when one was answered. */
  readonly status?: number;
  readonly durationMs: number;
  /** Short, token-free reason when `ok` is false. */
  readonly reason?: string;
  /** Set when the test did not run because a test it depends on did not pass. */
  readonly skipped?: 'dependency_failed';
  /** `as_dependency` when `only` did not name it but a named test needs it. */
  readonly selection: SmokeSelection;
  /** Create / process an order: the canary gate treats these as must-pass. */
  readonly critical: boolean;
}

/** A created order the run could not remove, and why. */
export interface LeftBehindOrder {
  readonly orderId: string;
  /** Its last status as this run saw it. */
  readonly status?: string;
  readonly reason: string;
}

/** What {@link runSmoke} found. Never contains a token. */
export interface SmokeReport {
  /** Every selected test passed (and at least one ran). */
  readonly ok: boolean;
  readonly passed: number;
  /** Tests that ran and failed (skipped ones are counted in `skipped`). */
  readonly failed: number;
  readonly skipped: number;
  readonly tests: readonly SmokeTestResult[];
  /** Ids of every order the run created, in creation order. */
  readonly createdOrders: readonly string[];
  readonly deletedOrders: readonly string[];
  /** Created orders still in the table (a shipped order cannot be deleted). */
  readonly leftBehind: readonly LeftBehindOrder[];
  /** The API base as called, without credentials or query. */
  readonly baseUrl: string;
  readonly readOnly: boolean;
  readonly durationMs: number;
}

/** Options of {@link runSmoke}. */
export interface RunSmokeOptions {
  /** API origin, e.g. `https://api.sit.kimmyai.io`; paths start at `/v1.0/orders`. */
  readonly baseUrl: string;
  /** Bearer token for the customer-side calls (the plan's `SIT_TOKEN`). */
  readonly token: string;
  /** Bearer token for status, fulfill and cleanup deletes; `token` when absent. */
  readonly adminToken?: string;
  /** Test ids to run; their dependencies are added. All 11 when absent. */
  readonly only?: readonly string[];
  /** Health and an authenticated list only: nothing is written (rollback uses it). */
  readonly readOnly?: boolean;
  readonly fetch?: typeof fetch;
  /** Per request; default {@link DEFAULT_SMOKE_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Customer the orders are created for; default {@link DEFAULT_SMOKE_CUSTOMER_ID}. */
  readonly customerId?: string;
  /** Called after each test, in order, e.g. to print progress. */
  readonly onResult?: (result: SmokeTestResult) => void;
}

/** A check that did not hold; `status` is the HTTP status when there was one. */
class SmokeCheckFailed extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

type Json = Record<string, unknown>;

interface RunState {
  /** Every order created, with the last status this run saw. */
  readonly orders: Map<string, string>;
  mainOrderId?: string;
  cancelOrderId?: string;
}

type Caller = (
  method: string,
  path: string,
  options?: { auth?: 'user' | 'admin' | 'none'; body?: unknown },
) => Promise<Answer>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The service's `{error:{code}}` or API Gateway's `{message}`, for a one-line reason. */
const errorHint = (body: unknown): string => {
  if (!isObject(body)) return '';
  const error = body.error;
  if (isObject(error) && typeof error.code === 'string') return ` (${error.code})`;
  if (typeof body.message === 'string') return ` (${body.message.slice(0, 60)})`;
  return '';
};

const expectStatus = (answer: Answer, expected: number, what: string): Json => {
  if (answer.status !== expected) {
    throw new SmokeCheckFailed(
      `${what}: expected HTTP ${expected}, got ${answer.status}${errorHint(answer.body)}`,
      answer.status,
    );
  }
  if (!isObject(answer.body)) {
    throw new SmokeCheckFailed(`${what}: response body is not a JSON object`, answer.status);
  }
  return answer.body;
};

const show = (value: unknown): string =>
  value === undefined ? 'nothing' : JSON.stringify(value).slice(0, 60);

const expectField = (
  answer: Answer,
  body: Json,
  field: string,
  check: string | number | boolean | null | ((value: unknown) => boolean),
  expectation?: string,
): void => {
  const value = body[field];
  const holds = typeof check === 'function' ? check(value) : value === check;
  if (!holds) {
    const wanted = expectation ?? show(check);
    throw new SmokeCheckFailed(`${field}: expected ${wanted}, got ${show(value)}`, answer.status);
  }
};

const nonEmptyString = (value: unknown): boolean => typeof value === 'string' && value.length > 0;

const orderIdsOf = (body: Json): string[] | undefined => {
  if (!Array.isArray(body.orders)) return undefined;
  return body.orders.map((o) => (isObject(o) ? String(o.order_id) : ''));
};

/**
 * Looks for `orderId` in a filtered list, following `next_token`: a long-lived SIT table
 * can hold more matches than one page, and this run's order must be found, not assumed.
 * Every order on every page must satisfy `field === value`, which is what the filter means.
 */
const findInList = async (
  call: Caller,
  query: Record<string, string>,
  orderId: string,
  field: 'customer_id' | 'status',
): Promise<number> => {
  let nextToken: string | undefined;
  let last = 0;
  for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
    const params = new URLSearchParams({
      ...query,
      limit: '100',
      ...(nextToken ? { next_token: nextToken } : {}),
    });
    const answer = await call('GET', `/v1.0/orders?${params.toString()}`);
    last = answer.status;
    const body = expectStatus(answer, 200, 'list');
    const ids = orderIdsOf(body);
    if (!ids) throw new SmokeCheckFailed('orders: expected an array', answer.status);
    const stray = (body.orders as unknown[]).find((o) => !isObject(o) || o[field] !== query[field]);
    if (stray !== undefined) {
      throw new SmokeCheckFailed(
        `filter ${field}=${query[field]} returned an order with ${field} ${show(isObject(stray) ? stray[field] : stray)}`,
        answer.status,
      );
    }
    if (ids.includes(orderId)) return answer.status;
    nextToken = typeof body.next_token === 'string' ? body.next_token : undefined;
    if (!nextToken) break;
  }
  throw new SmokeCheckFailed(`order ${orderId} is not in the list`, last);
};

const need = (value: string | undefined, what: string): string => {
  // Unreachable while the suite's dependencies are right; a clear failure if they are not.
  if (!value) throw new SmokeCheckFailed(`no ${what} from an earlier test`);
  return value;
};

const orderPath = (id: string, suffix = ''): string =>
  `/v1.0/orders/${encodeURIComponent(id)}${suffix}`;

const planOrder = (customerId: string) => ({
  customer_id: customerId,
  items: PLAN_ITEMS,
  total: PLAN_TOTAL,
  currency: PLAN_CURRENCY,
});

/** Creates the plan's order and records it for cleanup before checking anything else. */
const createPlanOrder = async (
  call: Caller,
  state: RunState,
  customerId: string,
): Promise<{ id: string; status: number }> => {
  const answer = await call('POST', '/v1.0/orders', { body: planOrder(customerId) });
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

/** Moves an order and checks the answer names the new status. */
const setStatus = async (
  call: Caller,
  state: RunState,
  id: string,
  status: string,
): Promise<number> => {
  const answer = await call('PUT', orderPath(id, '/status'), { auth: 'admin', body: { status } });
  const body = expectStatus(answer, 200, `status → ${status}`);
  if (typeof body.status === 'string') state.orders.set(id, body.status);
  expectField(answer, body, 'status', status);
  return answer.status;
};

type TestBody = (call: Caller, state: RunState, customerId: string) => Promise<number>;

/** What each test sends and checks; the plan's calls, bodies and statuses. */
const TESTS: Record<SmokeTestId, TestBody> = {
  health: async (call) => {
    // The plan calls health without a token, and so does a load balancer.
    const answer = await call('GET', '/v1.0/orders/health', { auth: 'none' });
    const body = expectStatus(answer, 200, 'health');
    expectField(answer, body, 'status', 'healthy');
    expectField(answer, body, 'version', nonEmptyString, 'a version');
    return answer.status;
  },
  list: async (call) => {
    const answer = await call('GET', '/v1.0/orders');
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
    const answer = await call('GET', orderPath(id));
    const body = expectStatus(answer, 200, 'get');
    expectField(answer, body, 'order_id', id);
    expectField(answer, body, 'total', PLAN_TOTAL);
    expectField(answer, body, 'currency', PLAN_CURRENCY);
    return answer.status;
  },
  status: async (call, state) => {
    const id = need(state.mainOrderId, 'order');
    // pending → processing is illegal; the state machine goes through confirmed.
    await setStatus(call, state, id, 'confirmed');
    return setStatus(call, state, id, 'processing');
  },
  cancel: async (call, state, customerId) => {
    // Its own order, so the main one can still ship in test 9.
    const { id } = await createPlanOrder(call, state, customerId);
    state.cancelOrderId = id;
    const answer = await call('POST', orderPath(id, '/cancel'));
    const body = expectStatus(answer, 200, 'cancel');
    if (typeof body.status === 'string') state.orders.set(id, body.status);
    expectField(answer, body, 'order_id', id);
    expectField(answer, body, 'status', 'cancelled');
    return answer.status;
  },
  track: async (call, state) => {
    const id = need(state.mainOrderId, 'order');
    const answer = await call('GET', orderPath(id, '/track'));
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
    const answer = await call('GET', orderPath(id, '/history'));
    const body = expectStatus(answer, 200, 'history');
    expectField(answer, body, 'order_id', id);
    const trail = Array.isArray(body.status_history) ? body.status_history : undefined;
    const steps = trail?.map((h) => (isObject(h) ? h.to : undefined));
    expectField(
      answer,
      body,
      'status_history',
      () => JSON.stringify(steps) === JSON.stringify(['pending', 'confirmed', 'processing']),
      'pending → confirmed → processing',
    );
    const incomplete = trail?.find((h) => !isObject(h) || !nonEmptyString(h.at) || !h.by);
    if (incomplete !== undefined) {
      throw new SmokeCheckFailed('status_history: an entry lacks at or by', answer.status);
    }
    return answer.status;
  },
  fulfill: async (call, state) => {
    const id = need(state.mainOrderId, 'order');
    const answer = await call('POST', orderPath(id, '/fulfill'), {
      auth: 'admin',
      body: PLAN_TRACKING,
    });
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
    findInList(call, { customer_id: customerId }, need(state.mainOrderId, 'order'), 'customer_id'),
  'list-by-status': async (call, state) =>
    findInList(
      call,
      { status: 'cancelled' },
      need(state.cancelOrderId, 'cancelled order'),
      'status',
    ),
};

/** Turns a fetch rejection into a reason that names the cause, not the request. */
const transportReason = (error: unknown, timeoutMs: number): string => {
  const e = error as { name?: string; message?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return `no answer within ${timeoutMs} ms`;
  }
  return `request failed: ${e?.cause?.code ?? e?.message ?? String(error)}`;
};

const normaliseBaseUrl = (raw: string): string => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PromoteError('usage', 'SMOKE_BAD_URL', `not a URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PromoteError('usage', 'SMOKE_BAD_URL', `smoke needs an http(s) URL, got ${raw}`);
  }
  // Userinfo and query are dropped: they are not part of the API and could hold secrets.
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
};

/**
 * Runs the plan's smoke tests in order over HTTP and cleans up the orders they created.
 * Failures are results, not throws: the caller decides (see {@link smokeFailure}).
 *
 * Departures from the plan's literal sequence, all forced by a correct service:
 * test 5 goes pending → confirmed → processing; test 6 cancels an order of its own so that
 * test 9 can ship the main one; test 11 lists `status=cancelled` (the main order has shipped).
 *
 * @throws PromoteError `usage` for a bad URL, a missing token, or a bad selection.
 */
export const runSmoke = async (options: RunSmokeOptions): Promise<SmokeReport> => {
  const started = performance.now();
  const baseUrl = normaliseBaseUrl(options.baseUrl);
  if (!options.token) {
    throw new PromoteError('usage', 'SMOKE_NO_TOKEN', 'smoke tests need a bearer token');
  }
  const selected = selectSmokeTests({
    ...(options.only ? { only: options.only } : {}),
    readOnly: options.readOnly === true,
  });
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_SMOKE_TIMEOUT_MS;
  const customerId = options.customerId ?? DEFAULT_SMOKE_CUSTOMER_ID;
  const secrets = [options.token, options.adminToken].filter((t): t is string => !!t);
  // Reasons quote server messages; a token must never ride along into a report or a log.
  const redact = (text: string): string =>
    secrets.reduce((out, s) => out.split(s).join('[redacted]'), text).slice(0, MAX_REASON_CHARS);

  const call: Caller = async (method, path, { auth = 'user', body } = {}) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (auth !== 'none') {
      const token = auth === 'admin' ? (options.adminToken ?? options.token) : options.token;
      headers.authorization = `Bearer ${token}`;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    let status: number;
    let text: string;
    try {
      // One signal covers the headers and the body: a trickling answer times out too.
      const res = await doFetch(`${baseUrl}${path}`, {
        method,
        headers,
        signal: AbortSignal.timeout(timeoutMs),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      status = res.status;
      text = await res.text();
    } catch (error) {
      throw new SmokeCheckFailed(`${method} ${path}: ${transportReason(error, timeoutMs)}`);
    }
    if (text === '') return { status, body: undefined };
    try {
      return { status, body: JSON.parse(text) as unknown };
    } catch {
      return { status, body: text };
    }
  };

  const state: RunState = { orders: new Map() };
  const results = new Map<SmokeTestId, SmokeTestResult>();
  const tests: SmokeTestResult[] = [];
  let cleanup: Cleanup = { deleted: [], leftBehind: [] };
  try {
    for (const { spec, selection } of selected) {
      const result = await runOne(spec, selection, results, () =>
        TESTS[spec.id](call, state, customerId),
      );
      const safe = result.reason ? { ...result, reason: redact(result.reason) } : result;
      results.set(spec.id, safe);
      tests.push(safe);
      options.onResult?.(safe);
    }
  } finally {
    cleanup = await cleanUp(call, state.orders, redact);
  }

  const passed = tests.filter((t) => t.ok).length;
  const skipped = tests.filter((t) => t.skipped).length;
  const failed = tests.length - passed - skipped;
  return {
    ok: tests.length > 0 && passed === tests.length,
    passed,
    failed,
    skipped,
    tests,
    createdOrders: [...state.orders.keys()],
    deletedOrders: cleanup.deleted,
    leftBehind: cleanup.leftBehind,
    baseUrl,
    readOnly: options.readOnly === true,
    durationMs: Math.round(performance.now() - started),
  };
};

const runOne = async (
  spec: SmokeTestSpec,
  selection: SmokeSelection,
  earlier: ReadonlyMap<SmokeTestId, SmokeTestResult>,
  body: () => Promise<number>,
): Promise<SmokeTestResult> => {
  const base = {
    id: spec.id,
    number: spec.number,
    title: spec.title,
    selection,
    critical: spec.critical,
  };
  const dep = spec.dependsOn ? earlier.get(spec.dependsOn) : undefined;
  if (spec.dependsOn && !dep?.ok) {
    // Never a silent pass: the test did not run, and the report says which test blocked it.
    return {
      ...base,
      ok: false,
      durationMs: 0,
      skipped: 'dependency_failed',
      reason: `not run: ${spec.dependsOn} ${dep?.skipped ? 'was skipped' : 'failed'}`,
    };
  }
  const started = performance.now();
  try {
    const status = await body();
    return { ...base, ok: true, status, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    const durationMs = Math.round(performance.now() - started);
    if (error instanceof SmokeCheckFailed) {
      return {
        ...base,
        ok: false,
        ...(error.status !== undefined ? { status: error.status } : {}),
        durationMs,
        reason: error.message,
      };
    }
    return { ...base, ok: false, durationMs, reason: `unexpected error: ${String(error)}` };
  }
};

interface Cleanup {
  deleted: string[];
  leftBehind: LeftBehindOrder[];
}

/**
 * Deletes what the run created. The service deletes only pending or cancelled orders, so a
 * confirmed or processing one (a run that stopped half-way) is cancelled first; a shipped
 * one cannot be removed through the API and is reported, never hidden.
 */
const cleanUp = async (
  call: Caller,
  orders: ReadonlyMap<string, string>,
  redact: (text: string) => string,
): Promise<Cleanup> => {
  const deleted: string[] = [];
  const leftBehind: LeftBehindOrder[] = [];
  for (const [orderId, seen] of orders) {
    let status = seen;
    try {
      if (CANCELLABLE.has(status)) {
        const answer = await call('POST', orderPath(orderId, '/cancel'), {
          auth: 'admin',
          body: { reason: 'smoke test cleanup' },
        });
        const body = expectStatus(answer, 200, 'cleanup cancel');
        status = String(body.status);
      }
      if (!DELETABLE.has(status)) {
        leftBehind.push({
          orderId,
          status,
          reason: `the service deletes only pending or cancelled orders; this one is ${status}`,
        });
        continue;
      }
      const answer = await call('DELETE', orderPath(orderId), { auth: 'admin' });
      expectStatus(answer, 200, 'cleanup delete');
      deleted.push(orderId);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      leftBehind.push({ orderId, status, reason: redact(reason) });
    }
  }
  return { deleted, leftBehind };
};

/**
 * The CLI's error for a failed report (exit reason `smoke_failed`), or undefined when it
 * passed. The message names the failing tests; details carry counts and order ids, no tokens.
 */
export const smokeFailure = (report: SmokeReport): PromoteError | undefined => {
  if (report.ok) return undefined;
  const failing = report.tests.filter((t) => !t.ok && !t.skipped);
  const names = failing.map((t) => `${t.number}. ${t.title}: ${t.reason ?? 'failed'}`);
  return new PromoteError(
    'smoke_failed',
    'SMOKE_FAILED',
    failing.length > 0
      ? `${failing.length} smoke test(s) failed against ${report.baseUrl}: ${names.join('; ')}`
      : `no smoke test passed against ${report.baseUrl}`,
    'each failing test names the call and the status it got; fix the service, then run it again',
    {
      passed: report.passed,
      failed: report.failed,
      skipped: report.skipped,
      leftBehind: report.leftBehind.map((o) => o.orderId),
    },
  );
};
