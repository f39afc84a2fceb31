import { randomUUID } from 'node:crypto';
import { API_BASE_PATH } from './resources.js';

/**
 * The synthetic customers behind the traffic generator. The model remembers what it
 * created and how far each order got, so every request it plans is one a healthy service
 * accepts (2xx), with 409 the only expected refusal (a race the model cannot see). Any
 * other 4xx in a run therefore points at the service, not at the generator.
 */

export const OPERATIONS = ['create', 'get', 'list', 'status', 'cancel'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Relative weights; an operation with weight 0 (or missing from a custom mix) never runs. */
export type TrafficMix = Partial<Record<Operation, number>>;

export const DEFAULT_MIX: Readonly<Record<Operation, number>> = {
  create: 3,
  get: 3,
  list: 2,
  status: 1,
  cancel: 1,
};

/** Orders remembered per run; older ones are forgotten so memory and picking stay bounded. */
const MAX_TRACKED_ORDERS = 1_000;

type Known = 'pending' | 'confirmed' | 'processing' | 'cancelled' | 'unknown';
const NEXT_STATUS: Partial<Record<Known, Known>> = {
  pending: 'confirmed',
  confirmed: 'processing',
};
const CANCELLABLE = new Set<Known>(['pending', 'confirmed', 'processing']);

interface TrackedOrder {
  readonly id: string;
  readonly customerId: string;
  status: Known;
  /** A mutation is in flight; another would only race it into a 409. */
  busy: boolean;
}

/** One HTTP request the runner should send, and how to learn from its answer. */
export interface PlannedRequest {
  readonly operation: Operation;
  readonly method: 'GET' | 'POST' | 'PUT';
  /** Path and query under the API root, e.g. `/v1.0/orders/ord_…/cancel`. */
  readonly path: string;
  readonly token: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Called once with the status and body text, or with undefined on a network failure. */
  settle(status: number | undefined, body: string): void;
}

/** mulberry32: tiny, seedable, good enough to pick operations and amounts reproducibly. */
export const seededRandom = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/**
 * The plan's create body with random items. Amounts are drawn in cents and divided once, so
 * every price has at most two decimals and `total` is Σ quantity × price exactly.
 */
export const orderBody = (customerId: string, random: () => number) => {
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const lines = Array.from({ length: int(1, 3) }, () => ({
    product_id: `prod_${String(int(1, 999)).padStart(3, '0')}`,
    quantity: int(1, 5),
    cents: int(1, 99_999),
  }));
  const totalCents = lines.reduce((sum, line) => sum + line.quantity * line.cents, 0);
  return {
    customer_id: customerId,
    items: lines.map((l) => ({
      product_id: l.product_id,
      quantity: l.quantity,
      price: l.cents / 100,
    })),
    total: totalCents / 100,
    currency: 'USD',
  };
};

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The `order_id` of a create's answer body; undefined when there is none. */
export const parseOrderId = (body: string): string | undefined => {
  try {
    const id = (JSON.parse(body) as { order_id?: unknown }).order_id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
};

/**
 * A create for `customerId` with a fresh Idempotency-Key (so concurrent creates are distinct
 * orders); `onCreated` learns the new order's id from a 201.
 */
export const createRequest = (
  customerId: string,
  token: string,
  random: () => number,
  onCreated?: (orderId: string) => void,
): PlannedRequest => ({
  operation: 'create',
  method: 'POST',
  path: API_BASE_PATH,
  token,
  headers: { ...JSON_HEADERS, 'idempotency-key': randomUUID() },
  body: JSON.stringify(orderBody(customerId, random)),
  settle(status, body) {
    const id = status === 201 ? parseOrderId(body) : undefined;
    if (id) onCreated?.(id);
  },
});

/**
 * A list of one customer's orders: `scoped` names the customer in the query (what an admin
 * token needs to stay on the customer index); unscoped, a customer token lists its own.
 */
export const listRequest = (
  customerId: string,
  token: string,
  scoped: boolean,
): PlannedRequest => ({
  operation: 'list',
  method: 'GET',
  path: scoped ? `${API_BASE_PATH}?customer_id=${encodeURIComponent(customerId)}` : API_BASE_PATH,
  token,
  headers: {},
  settle() {},
});

export interface TrafficModelOptions {
  /** customer id → bearer token with that `custom:customer_id`. */
  readonly tokens: ReadonlyMap<string, string>;
  /** Needed for `status`; without it the operation is left out of the mix. */
  readonly adminToken?: string;
  readonly mix: TrafficMix;
  readonly random: () => number;
}

export const createTrafficModel = (options: TrafficModelOptions) => {
  const { tokens, random } = options;
  const customers = [...tokens.keys()];
  if (customers.length === 0) throw new RangeError('traffic needs at least one customer');
  const weights = OPERATIONS.map((op) => {
    const weight = op === 'status' && !options.adminToken ? 0 : (options.mix[op] ?? 0);
    if (!Number.isFinite(weight) || weight < 0) throw new RangeError(`bad weight for ${op}`);
    return weight;
  });
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  if (totalWeight <= 0) throw new RangeError('the traffic mix has no runnable operation');
  const orders: TrackedOrder[] = [];

  const pick = <T>(items: readonly T[]): T | undefined =>
    items[Math.floor(random() * items.length)];
  const tokenOf = (customerId: string) => tokens.get(customerId) ?? '';
  const chooseOperation = (): Operation => {
    let roll = random() * totalWeight;
    for (const [i, op] of OPERATIONS.entries()) {
      roll -= weights[i] ?? 0;
      if (roll < 0) return op;
    }
    return 'create';
  };
  const track = (order: TrackedOrder) => {
    orders.push(order);
    if (orders.length > MAX_TRACKED_ORDERS) orders.splice(0, orders.length - MAX_TRACKED_ORDERS);
  };
  /** Marks the order busy until its answer arrives, then applies what the answer means. */
  const mutation = (order: TrackedOrder, onOk: () => void) => {
    order.busy = true;
    return (status: number | undefined) => {
      order.busy = false;
      if (status !== undefined && status >= 200 && status < 300) onOk();
      // A refusal or a lost answer leaves the state unknown: stop mutating, keep reading.
      else order.status = 'unknown';
    };
  };

  const create = (): PlannedRequest => {
    const customerId = pick(customers) ?? customers[0]!;
    return createRequest(customerId, tokenOf(customerId), random, (id) =>
      track({ id, customerId, status: 'pending', busy: false }),
    );
  };

  const plan = (operation: Operation): PlannedRequest | undefined => {
    switch (operation) {
      case 'create':
        return create();
      case 'list': {
        const customerId = pick(customers) ?? customers[0]!;
        return listRequest(customerId, tokenOf(customerId), random() >= 0.5);
      }
      case 'get': {
        const order = pick(orders);
        if (!order) return undefined;
        const path = `${API_BASE_PATH}/${order.id}`;
        return {
          operation,
          method: 'GET',
          path,
          token: tokenOf(order.customerId),
          headers: {},
          settle() {},
        };
      }
      case 'cancel': {
        const order = pick(orders.filter((o) => !o.busy && CANCELLABLE.has(o.status)));
        if (!order) return undefined;
        const done = mutation(order, () => {
          order.status = 'cancelled';
        });
        return {
          operation,
          method: 'POST',
          path: `${API_BASE_PATH}/${order.id}/cancel`,
          token: tokenOf(order.customerId),
          headers: { 'idempotency-key': randomUUID() },
          settle: done,
        };
      }
      case 'status': {
        const order = pick(orders.filter((o) => !o.busy && NEXT_STATUS[o.status]));
        const next = order && NEXT_STATUS[order.status];
        if (!order || !next) return undefined;
        const done = mutation(order, () => {
          order.status = next;
        });
        return {
          operation,
          method: 'PUT',
          path: `${API_BASE_PATH}/${order.id}/status`,
          token: options.adminToken ?? '',
          headers: JSON_HEADERS,
          body: JSON.stringify({ status: next }),
          settle: done,
        };
      }
    }
  };

  return {
    /** The next request; operations that need an order fall back to create until one exists. */
    next: (): PlannedRequest => plan(chooseOperation()) ?? create(),
    /**
     * A request of this operation whatever the mix says (the load runner chooses itself);
     * undefined when none is possible yet (no order to get, none to move on).
     */
    plan,
  };
};

export type TrafficModel = ReturnType<typeof createTrafficModel>;
