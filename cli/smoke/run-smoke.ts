import { PromoteError } from '../errors.js';
import { type Cleanup, cleanUp } from './smoke-cleanup.js';
import { httpCaller, normaliseBaseUrl, SmokeCheckFailed } from './smoke-http.js';
import {
  type SmokeSelection,
  type SmokeTestId,
  type SmokeTestSpec,
  selectSmokeTests,
} from './smoke-suite.js';
import { type RunState, SMOKE_TESTS } from './smoke-tests.js';

export { DEFAULT_SMOKE_TIMEOUT_MS } from './smoke-http.js';

/** The plan's test customer (`"customer_id": "cust_test_001"`). */
export const DEFAULT_SMOKE_CUSTOMER_ID = 'cust_test_001';
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

/**
 * Runs the plan's smoke tests in order over HTTP and cleans up the orders they created.
 * Failures are results, not throws: the caller decides (see {@link smokeFailure}).
 *
 * The plan's calls in the plan's order (the suite's data); one departure, forced by a correct
 * service: test 6 cancels an order of its own so that test 9 can ship the main one.
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
  const customerId = options.customerId ?? DEFAULT_SMOKE_CUSTOMER_ID;
  const secrets = [options.token, options.adminToken].filter((t): t is string => !!t);
  // Reasons quote server messages; a token must never ride along into a report or a log.
  const redact = (text: string): string =>
    secrets.reduce((out, s) => out.split(s).join('[redacted]'), text).slice(0, MAX_REASON_CHARS);

  const call = httpCaller({
    baseUrl,
    token: options.token,
    ...(options.adminToken ? { adminToken: options.adminToken } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });

  const state: RunState = { orders: new Map() };
  const results = new Map<SmokeTestId, SmokeTestResult>();
  const tests: SmokeTestResult[] = [];
  let cleanup: Cleanup = { deleted: [], leftBehind: [] };
  try {
    for (const { spec, selection } of selected) {
      const result = await runOne(spec, selection, results, () =>
        SMOKE_TESTS[spec.id](call, state, customerId),
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
