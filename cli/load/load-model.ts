import {
  createRequest,
  createTrafficModel,
  DEFAULT_MIX,
  listRequest,
  type PlannedRequest,
  parseOrderId,
} from '../../sandbox/api/traffic-model.js';
import { type LoadMix, type LoadOperation, pickOperation } from './load-mix.js';

/**
 * The synthetic customers of a load run: the traffic model of `promote sandbox traffic`
 * (which remembers its orders so every request is one a healthy service accepts) plus the
 * plan's concurrent creates, with the run's own operation mix. Every order it creates
 * belongs to one of the run's test customers (`loadtest_<run>_NNN`) and its id is kept for
 * the clean-up.
 */

/** Customer ids of load runs start with this: the service's create has no field to tag test data. */
export const LOAD_CUSTOMER_PREFIX = 'loadtest_';

/** `loadtest_<tag>_001`…: the run's own customers, so clean-up never touches anyone else's. */
export const loadCustomerIds = (runTag: string, count: number): string[] =>
  Array.from(
    { length: count },
    (_, i) => `${LOAD_CUSTOMER_PREFIX}${runTag}_${String(i + 1).padStart(3, '0')}`,
  );

/** One scheduled arrival: a single request, or a burst of concurrent creates. */
export interface LoadArrival {
  /** What was asked for; a request that needed an order before one existed is a create. */
  readonly operation: LoadOperation;
  readonly requests: readonly PlannedRequest[];
}

export interface LoadModelOptions {
  /** Customer id → bearer token acting for it (one admin token for all is fine). */
  readonly customers: ReadonlyMap<string, string>;
  /** For status updates and the clean-up (the service's admin group). */
  readonly adminToken: string;
  readonly mix: LoadMix;
  readonly burstSize: number;
  readonly random: () => number;
}

export interface LoadModel {
  next(): LoadArrival;
  /** Ids of every order a create answered 201 for, bursts included. */
  readonly created: ReadonlySet<string>;
}

export const createLoadModel = (options: LoadModelOptions): LoadModel => {
  const { customers, random, mix } = options;
  const ids = [...customers.keys()];
  if (ids.length === 0) throw new RangeError('a load run needs at least one customer');
  if (!(options.burstSize >= 2)) throw new RangeError('a burst is at least 2 creates');
  // The model's own weights are unused (`plan` is called per operation); any valid mix does.
  const traffic = createTrafficModel({
    tokens: customers,
    adminToken: options.adminToken,
    mix: DEFAULT_MIX,
    random,
  });
  const created = new Set<string>();
  const pickCustomer = () => ids[Math.floor(random() * ids.length)] ?? ids[0]!;
  const tokenOf = (customerId: string) => customers.get(customerId) ?? '';

  /** Remembers the id a create's 201 names, then lets the model learn from the answer. */
  const tracked = (planned: PlannedRequest): PlannedRequest =>
    planned.operation !== 'create'
      ? planned
      : {
          ...planned,
          settle(status, body) {
            const id = status === 201 ? parseOrderId(body) : undefined;
            if (id) created.add(id);
            planned.settle(status, body);
          },
        };

  const single = (planned: PlannedRequest): LoadArrival => ({
    operation: planned.operation,
    requests: [tracked(planned)],
  });

  return {
    created,
    next(): LoadArrival {
      const operation = pickOperation(mix, random());
      switch (operation) {
        case 'burst': {
          const customerId = pickCustomer();
          const token = tokenOf(customerId);
          return {
            operation,
            requests: Array.from({ length: options.burstSize }, () =>
              createRequest(customerId, token, random, (id) => created.add(id)),
            ),
          };
        }
        case 'list': {
          // Always scoped: with an admin token an unscoped list reads the whole table.
          const customerId = pickCustomer();
          return single(listRequest(customerId, tokenOf(customerId), true));
        }
        default:
          return single(traffic.plan(operation) ?? traffic.plan('create')!);
      }
    },
  };
};
