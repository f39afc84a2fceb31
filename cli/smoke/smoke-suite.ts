import { PromoteError } from '../errors.js';

/**
 * The 11 smoke tests of promotion plan PROM-ORDER-002 § "Smoke Tests", as data. The plan's
 * numbering, titles, methods and paths are kept so a report reads against the plan line by
 * line — and they are what the runner sends (`smoke-tests.ts` fills the placeholders). What
 * each test checks lives there; this module stays pure so selection (`--only`, read-only)
 * can be unit-tested without a service.
 */

/** The ids, in the plan's order. */
export const SMOKE_TEST_IDS = [
  'health',
  'list',
  'create',
  'get',
  'status',
  'cancel',
  'track',
  'history',
  'fulfill',
  'list-by-customer',
  'list-by-status',
] as const;

export type SmokeTestId = (typeof SMOKE_TEST_IDS)[number];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One smoke test as the plan names it. */
export interface SmokeTestSpec {
  readonly id: SmokeTestId;
  /** The plan's test number (1–11). */
  readonly number: number;
  /** The plan's title, verbatim. */
  readonly title: string;
  /** Method of the test's main call. */
  readonly method: HttpMethod;
  /** Path template of the main call; `{order_id}` comes from the test it depends on. */
  readonly path: string;
  /** True when the test itself sends no write (whether its dependencies do is separate). */
  readonly readOnly: boolean;
  /**
   * Creating and processing an order is what the service exists for: the canary gate treats
   * a failure of these as fatal whatever the error-rate numbers say.
   */
  readonly critical: boolean;
  /** The earlier test whose order (or success) this one needs. */
  readonly dependsOn?: SmokeTestId;
  /** Where and why the test departs from the plan's literal call, if it does. */
  readonly departure?: string;
}

/** The suite, in the plan's order (which is also the run order). */
export const SMOKE_SUITE: readonly SmokeTestSpec[] = [
  {
    id: 'health',
    number: 1,
    title: 'Health Check',
    method: 'GET',
    path: '/v1.0/orders/health',
    readOnly: true,
    critical: false,
  },
  {
    id: 'list',
    number: 2,
    title: 'List orders',
    method: 'GET',
    path: '/v1.0/orders',
    readOnly: true,
    critical: false,
  },
  {
    id: 'create',
    number: 3,
    title: 'Create order',
    method: 'POST',
    path: '/v1.0/orders',
    readOnly: false,
    critical: true,
  },
  {
    id: 'get',
    number: 4,
    title: 'Get order by ID',
    method: 'GET',
    path: '/v1.0/orders/{order_id}',
    readOnly: true,
    critical: false,
    dependsOn: 'create',
  },
  {
    id: 'status',
    number: 5,
    title: 'Update order status',
    method: 'PUT',
    path: '/v1.0/orders/{order_id}/status',
    readOnly: false,
    critical: true,
    dependsOn: 'create',
  },
  {
    id: 'cancel',
    number: 6,
    title: 'Cancel order',
    method: 'POST',
    path: '/v1.0/orders/{order_id}/cancel',
    readOnly: false,
    critical: false,
    dependsOn: 'create',
    departure:
      'cancels a second order created for it: cancelling the main order would make test 9 ' +
      '(fulfill) a 409, because a cancelled order cannot ship',
  },
  {
    id: 'track',
    number: 7,
    title: 'Track order',
    method: 'GET',
    path: '/v1.0/orders/{order_id}/track',
    readOnly: true,
    critical: false,
    dependsOn: 'status',
  },
  {
    id: 'history',
    number: 8,
    title: 'Get order history',
    method: 'GET',
    path: '/v1.0/orders/{order_id}/history',
    readOnly: true,
    critical: false,
    dependsOn: 'status',
  },
  {
    id: 'fulfill',
    number: 9,
    title: 'Fulfill order',
    method: 'POST',
    path: '/v1.0/orders/{order_id}/fulfill',
    readOnly: false,
    critical: false,
    dependsOn: 'status',
  },
  {
    id: 'list-by-customer',
    number: 10,
    title: 'Get orders by customer',
    method: 'GET',
    path: '/v1.0/orders?customer_id={customer_id}',
    readOnly: true,
    critical: false,
    dependsOn: 'create',
  },
  {
    id: 'list-by-status',
    number: 11,
    title: 'Get orders by status',
    method: 'GET',
    path: '/v1.0/orders?status=processing',
    readOnly: true,
    critical: false,
    dependsOn: 'status',
  },
];

/** Why a test is in a selection: asked for, or needed by one that was. */
export type SmokeSelection = 'requested' | 'as_dependency';

/** One test picked to run. */
export interface SelectedSmokeTest {
  readonly spec: SmokeTestSpec;
  readonly selection: SmokeSelection;
}

const byId = new Map<string, SmokeTestSpec>(SMOKE_SUITE.map((t) => [t.id, t]));

/** The spec for an id, or undefined for an unknown one. */
export const smokeTest = (id: string): SmokeTestSpec | undefined => byId.get(id);

/** A test's dependency chain, nearest first (`fulfill` → `status`, `create`). */
export const dependencyChain = (id: SmokeTestId): SmokeTestId[] => {
  const chain: SmokeTestId[] = [];
  for (let dep = byId.get(id)?.dependsOn; dep; dep = byId.get(dep)?.dependsOn) chain.push(dep);
  return chain;
};

/**
 * True when neither the test nor anything it depends on writes: such a test can run right
 * after a rollback's alias switch without leaving data behind.
 */
export const isReadOnlyClosure = (id: SmokeTestId): boolean =>
  [id, ...dependencyChain(id)].every((t) => byId.get(t)?.readOnly === true);

/** The tests `--read-only` runs: health and an authenticated list. */
export const READ_ONLY_TEST_IDS: readonly SmokeTestId[] = SMOKE_SUITE.filter((t) =>
  isReadOnlyClosure(t.id),
).map((t) => t.id);

/** Tests the canary gate relies on (create and process an order). */
export const CRITICAL_TEST_IDS: readonly SmokeTestId[] = SMOKE_SUITE.filter((t) => t.critical).map(
  (t) => t.id,
);

/**
 * The tests to run, in the plan's order. `only` adds each named test's dependencies (marked
 * `as_dependency`); `readOnly` keeps to {@link READ_ONLY_TEST_IDS}.
 *
 * @throws PromoteError `usage` for an unknown id, or an `only` test that writes under `readOnly`.
 */
export const selectSmokeTests = (
  options: { only?: readonly string[]; readOnly?: boolean } = {},
): SelectedSmokeTest[] => {
  const only = options.only?.map((id) => id.trim()).filter((id) => id.length > 0);
  const unknown = (only ?? []).filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    throw new PromoteError(
      'usage',
      'SMOKE_UNKNOWN_TEST',
      `unknown smoke test${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`,
      `known tests: ${SMOKE_TEST_IDS.join(', ')}`,
    );
  }
  const requested = new Set<string>(
    only && only.length > 0 ? only : options.readOnly ? READ_ONLY_TEST_IDS : SMOKE_TEST_IDS,
  );
  if (options.readOnly) {
    const writing = [...requested].filter((id) => !isReadOnlyClosure(id as SmokeTestId));
    if (writing.length > 0) {
      throw new PromoteError(
        'usage',
        'SMOKE_READ_ONLY_CONFLICT',
        `read-only smoke cannot run ${writing.join(', ')}: it creates or changes orders`,
        `read-only tests: ${READ_ONLY_TEST_IDS.join(', ')}`,
      );
    }
  }
  const dependencies = new Set<string>();
  for (const id of requested) {
    for (const dep of dependencyChain(id as SmokeTestId)) {
      if (!requested.has(dep)) dependencies.add(dep);
    }
  }
  return SMOKE_SUITE.filter((t) => requested.has(t.id) || dependencies.has(t.id)).map((spec) => ({
    spec,
    selection: requested.has(spec.id) ? 'requested' : 'as_dependency',
  }));
};
