import { DEFAULT_MIX } from '../../sandbox/api/traffic-model.js';

/**
 * What a load run does, and in which proportions. The plan's load week (§ Phase 2, Week 2)
 * names create, get, list, status updates and "concurrent order creation (race
 * conditions)"; `burst` is the last: N simultaneous creates for one customer, each with its
 * own Idempotency-Key. `cancel` is the traffic model's and may be mixed in.
 */
export const LOAD_OPERATIONS = ['create', 'get', 'list', 'status', 'cancel', 'burst'] as const;
export type LoadOperation = (typeof LOAD_OPERATIONS)[number];

/** Relative weights; 0 means never. */
export type LoadMix = Readonly<Record<LoadOperation, number>>;

/**
 * The plan gives no proportions, so the traffic model's (`promote sandbox traffic`) are
 * used for what both do, and the plan's concurrent creates take the place of its cancel
 * (cancel is not among the plan's load operations): create 3, get 3, list 2, status 1,
 * burst 1.
 */
export const DEFAULT_LOAD_MIX: LoadMix = Object.freeze({
  create: DEFAULT_MIX.create,
  get: DEFAULT_MIX.get,
  list: DEFAULT_MIX.list,
  status: DEFAULT_MIX.status,
  cancel: 0,
  burst: DEFAULT_MIX.cancel,
});

/** Simultaneous creates in one burst unless `--burst-size` says otherwise. */
export const DEFAULT_BURST_SIZE = 5;

/** A `--mix` that cannot be used; the message says why. */
export class MixError extends Error {
  override readonly name = 'MixError';
}

const isOperation = (name: string): name is LoadOperation =>
  (LOAD_OPERATIONS as readonly string[]).includes(name);

/**
 * Parses `create=3,get=3,list=2,status=1,burst=1`. Operations left out get weight 0 (a
 * custom mix says exactly what runs); weights are non-negative numbers and at least one is
 * positive; an operation named twice or unknown is refused.
 *
 * @example
 * parseMix('create=1,burst=1') // → { create: 1, burst: 1, get: 0, list: 0, status: 0, cancel: 0 }
 */
export const parseMix = (text: string): LoadMix => {
  const mix: Record<LoadOperation, number> = {
    create: 0,
    get: 0,
    list: 0,
    status: 0,
    cancel: 0,
    burst: 0,
  };
  const seen = new Set<string>();
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new MixError('empty mix; e.g. create=3,get=3,list=2');
  for (const part of parts) {
    const match = /^([a-z]+)\s*=\s*(\S+)$/.exec(part);
    if (!match) throw new MixError(`"${part}" is not operation=weight`);
    const [, name = '', raw = ''] = match;
    if (!isOperation(name)) {
      throw new MixError(`unknown operation "${name}" (one of ${LOAD_OPERATIONS.join(', ')})`);
    }
    if (seen.has(name)) throw new MixError(`"${name}" is given twice`);
    seen.add(name);
    const weight = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || !Number.isFinite(weight)) {
      throw new MixError(`weight of ${name} must be a non-negative number, not "${raw}"`);
    }
    mix[name] = weight;
  }
  if (LOAD_OPERATIONS.every((op) => mix[op] === 0)) {
    throw new MixError('every weight is 0: nothing would run');
  }
  return mix;
};

/** `create=3,get=3,…` for reports (operations with weight 0 left out). */
export const formatMix = (mix: LoadMix): string =>
  LOAD_OPERATIONS.filter((op) => mix[op] > 0)
    .map((op) => `${op}=${mix[op]}`)
    .join(',');

const totalWeight = (mix: LoadMix) => LOAD_OPERATIONS.reduce((sum, op) => sum + mix[op], 0);

/** The operation a roll in [0, 1) falls on, in proportion to the weights. */
export const pickOperation = (mix: LoadMix, roll: number): LoadOperation => {
  let left = roll * totalWeight(mix);
  for (const op of LOAD_OPERATIONS) {
    left -= mix[op];
    if (left < 0 && mix[op] > 0) return op;
  }
  // Rounding at the very top of the range: the last operation that runs at all.
  return [...LOAD_OPERATIONS].reverse().find((op) => mix[op] > 0) ?? 'create';
};

/**
 * Requests one arrival sends on average: 1, except a burst sends `burstSize`. `--rate`
 * counts requests, so the arrival schedule runs at `rate / requestsPerArrival` and the
 * offered request rate is the one asked for.
 */
export const requestsPerArrival = (mix: LoadMix, burstSize: number): number =>
  1 + ((burstSize - 1) * mix.burst) / totalWeight(mix);
