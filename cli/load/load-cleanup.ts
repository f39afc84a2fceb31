import type { Caller } from '../smoke/smoke-http.js';

/**
 * Removes a load run's test orders through the service's own API, as the smoke suite does
 * (cancel if needed, then the admin-only DELETE), so no extra IAM grant is needed and the
 * service's events and history stay truthful. The run's orders are found two ways: the ids
 * its creates were answered with, and a list of each of its test customers — which also
 * finds orders whose create answer was lost (a timeout after the write).
 */

/** Orders cleaned at once: quick on a big run, gentle on the service after a load test. */
const CONCURRENCY = 16;
const PAGE = 100;
/** Never listed past this many pages per customer: a bound, in case the API loops. */
const MAX_PAGES = 1_000;
const LISTED_LEFT_BEHIND = 20;

export interface CleanupReport {
  /** Distinct orders of the run's customers found (answers + listing). */
  readonly found: number;
  readonly removed: number;
  /** Already gone when deleted (404): counted as removed by someone else. */
  readonly alreadyGone: number;
  /** Orders of the run's customers still listed after the clean-up. */
  readonly remaining: number;
  /** Why some could not be removed (the first few). */
  readonly leftBehind: readonly { readonly orderId: string; readonly reason: string }[];
  readonly interrupted: boolean;
}

interface Listed {
  readonly orders: Map<string, string | undefined>;
  readonly error?: string;
}

const asRecord = (body: unknown): Record<string, unknown> =>
  typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};

/** Every order of one customer: id → status (admin token, paged). */
const listCustomer = async (call: Caller, customerId: string, into: Listed): Promise<void> => {
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const query = new URLSearchParams({ customer_id: customerId, limit: String(PAGE) });
    if (token) query.set('next_token', token);
    const answer = await call('GET', `/v1.0/orders?${query}`, { auth: 'admin' });
    if (answer.status !== 200) throw new Error(`listing ${customerId}: HTTP ${answer.status}`);
    const body = asRecord(answer.body);
    for (const raw of Array.isArray(body.orders) ? body.orders : []) {
      const order = asRecord(raw);
      if (typeof order.order_id === 'string') {
        into.orders.set(
          order.order_id,
          typeof order.status === 'string' ? order.status : undefined,
        );
      }
    }
    token = typeof body.next_token === 'string' ? body.next_token : undefined;
    if (!token) return;
  }
};

const listAll = async (call: Caller, customers: readonly string[]): Promise<Listed> => {
  const listed: Listed = { orders: new Map() };
  const errors: string[] = [];
  await pool(customers, CONCURRENCY, async (customerId) => {
    await listCustomer(call, customerId, listed).catch((e: Error) => errors.push(e.message));
  });
  return errors.length ? { ...listed, error: errors[0] } : listed;
};

/** Runs `work` over `items`, `width` at a time, until done or `signal` aborts. */
const pool = async <T>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> => {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
};

type Removal = 'removed' | 'gone' | { readonly reason: string };

/** Deletes one order, cancelling it first when the service says it must be. */
const removeOrder = async (call: Caller, orderId: string, status?: string): Promise<Removal> => {
  const path = `/v1.0/orders/${encodeURIComponent(orderId)}`;
  const cancel = async () => {
    const answer = await call('POST', `${path}/cancel`, {
      auth: 'admin',
      body: { reason: 'load test cleanup' },
    });
    // 409: already cancelled, or moved past cancellable — the delete below tells which.
    if (answer.status !== 200 && answer.status !== 409 && answer.status !== 404) {
      throw new Error(`cancel: HTTP ${answer.status}`);
    }
  };
  if (status === 'confirmed' || status === 'processing') await cancel();
  let answer = await call('DELETE', path, { auth: 'admin' });
  if (answer.status === 409 && status !== 'confirmed' && status !== 'processing') {
    await cancel();
    answer = await call('DELETE', path, { auth: 'admin' });
  }
  if (answer.status === 200) return 'removed';
  if (answer.status === 404) return 'gone';
  const problem = asRecord(answer.body);
  return {
    reason: `delete: HTTP ${answer.status}${problem.detail ? ` (${String(problem.detail)})` : ''}`,
  };
};

/**
 * Removes every order of `customers` plus the `created` ids, then lists the customers again
 * to report what remains. `signal` (a second Ctrl-C) stops it part-way; what is left is
 * reported, never hidden.
 */
export const cleanUpLoad = async (input: {
  readonly call: Caller;
  readonly customers: readonly string[];
  readonly created: ReadonlySet<string>;
  readonly signal?: AbortSignal;
}): Promise<CleanupReport> => {
  const { call, signal } = input;
  const listed = await listAll(call, input.customers);
  const statuses = new Map(listed.orders);
  for (const id of input.created) if (!statuses.has(id)) statuses.set(id, undefined);
  let removed = 0;
  let alreadyGone = 0;
  const leftBehind: { orderId: string; reason: string }[] = [];
  await pool(
    [...statuses],
    CONCURRENCY,
    async ([orderId, status]) => {
      const outcome = await removeOrder(call, orderId, status).catch(
        (e: Error): Removal => ({ reason: e.message }),
      );
      if (outcome === 'removed') removed += 1;
      else if (outcome === 'gone') alreadyGone += 1;
      else leftBehind.push({ orderId, reason: outcome.reason });
    },
    signal,
  );
  const after = await listAll(call, input.customers);
  const notes = [
    ...(listed.error ? [{ orderId: '-', reason: `listing before: ${listed.error}` }] : []),
    ...(after.error ? [{ orderId: '-', reason: `listing after: ${after.error}` }] : []),
  ];
  return {
    found: statuses.size,
    removed,
    alreadyGone,
    remaining: after.orders.size,
    leftBehind: [...notes, ...leftBehind].slice(0, LISTED_LEFT_BEHIND),
    interrupted: signal?.aborted === true,
  };
};
