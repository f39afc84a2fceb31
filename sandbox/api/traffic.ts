import { arrivalSchedule } from './arrival-schedule.js';
import { LatencyRecorder, type LatencySummary } from './latency-recorder.js';
import { runOpenLoop } from './open-loop.js';
import { sendRequest } from './send-request.js';
import {
  createTrafficModel,
  DEFAULT_MIX,
  OPERATIONS,
  type Operation,
  type PlannedRequest,
  seededRandom,
  type TrafficMix,
} from './traffic-model.js';

/**
 * Synthetic load through the API over real HTTP, so a canary sees the traffic a deployment
 * would: open-loop (requests start on a fixed schedule whatever the service's latency, so
 * a slow canary cannot slow the load that exposes it), with a cap on requests in flight so
 * a stalled service cannot make the generator grow without bound.
 */

type MaybePromise<T> = T | Promise<T>;

export interface TrafficOptions {
  /** Root of the API, e.g. `http://127.0.0.1:4567` or `https://api.sit.kimmyai.io`. */
  readonly baseUrl: string;
  /** Token for a customer id (e.g. `keys.mintToken({ env, customerId })`). */
  readonly tokenFor?: (customerId: string) => MaybePromise<string>;
  /** Or fixed tokens: customer id → token; the customers are then these ids. */
  readonly tokens?: Readonly<Record<string, string>>;
  /** Admin token for `status`; without it `status` is left out of the mix. */
  readonly adminToken?: string | (() => MaybePromise<string>);
  /** Requests started per second. */
  readonly rate: number;
  readonly durationMs: number;
  /** The rate rises linearly from 0 over this long, then holds (see arrivalSchedule). */
  readonly rampMs?: number;
  /** Number of synthetic customers with `tokenFor` (default 10); caps `tokens` if given. */
  readonly customers?: number;
  /** Customer ids are `<prefix>_001`…; default `sim_cust`. */
  readonly customerPrefix?: string;
  readonly mix?: TrafficMix;
  readonly signal?: AbortSignal;
  /** Requests allowed in flight; a slot that finds none free is dropped, not queued. */
  readonly maxInFlight?: number;
  readonly requestTimeoutMs?: number;
  /** Seeds operation choice and order contents, for reproducible runs. */
  readonly seed?: number;
  /**
   * Called after every scheduling step and once more when the schedule is over
   * (`scheduling: false`), e.g. for a live progress line.
   */
  readonly onProgress?: (progress: TrafficProgress) => void;
}

export interface TrafficProgress {
  readonly sent: number;
  readonly dropped: number;
  readonly inFlight: number;
  readonly elapsedMs: number;
  /** False once no more requests will be started; only in-flight ones remain. */
  readonly scheduling: boolean;
}

export interface OperationSummary {
  readonly sent: number;
  /** 5xx answers plus network failures (timeouts included). */
  readonly errors: number;
  readonly latency: LatencySummary;
}

export interface TrafficSummary {
  /** Requests actually started. */
  readonly sent: number;
  /** Slots skipped because `maxInFlight` requests were already outstanding. */
  readonly dropped: number;
  /** Requests cut short by `signal`. */
  readonly aborted: number;
  /** HTTP status → count. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** 5xx answers plus network failures. */
  readonly errors: number;
  readonly networkErrors: number;
  /** Answers a healthy service never gives this generator: neither 2xx, 409 nor 5xx. */
  readonly unexpected: number;
  readonly byOperation: Readonly<Record<Operation, OperationSummary>>;
  /** Started requests per second over the scheduling window. */
  readonly achievedRate: number;
  /** Requests started per second after the ramp (the whole run without one). */
  readonly steadyRate: number;
  /** From start until the last answer arrived. */
  readonly elapsedMs: number;
}

const DEFAULT_CUSTOMERS = 10;
const DEFAULT_MAX_IN_FLIGHT = 64;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

const resolveTokens = async (options: TrafficOptions): Promise<Map<string, string>> => {
  if (options.tokens) {
    const entries = Object.entries(options.tokens);
    return new Map(options.customers ? entries.slice(0, options.customers) : entries);
  }
  if (!options.tokenFor) throw new TypeError('runTraffic needs tokenFor or tokens');
  const count = options.customers ?? DEFAULT_CUSTOMERS;
  const prefix = options.customerPrefix ?? 'sim_cust';
  const ids = Array.from(
    { length: count },
    (_, i) => `${prefix}_${String(i + 1).padStart(3, '0')}`,
  );
  const tokenFor = options.tokenFor;
  return new Map(await Promise.all(ids.map(async (id) => [id, await tokenFor(id)] as const)));
};

const validate = (options: TrafficOptions) => {
  if (!(options.rate > 0) || !Number.isFinite(options.rate))
    throw new RangeError('rate must be > 0');
  if (!(options.durationMs >= 0)) throw new RangeError('durationMs must be >= 0');
  if (options.maxInFlight !== undefined && !(options.maxInFlight >= 1)) {
    throw new RangeError('maxInFlight must be >= 1');
  }
};

/** Runs synthetic customers against the API until `durationMs` has passed or `signal` aborts. */
export const runTraffic = async (options: TrafficOptions): Promise<TrafficSummary> => {
  validate(options);
  const { rate, durationMs, signal } = options;
  const random = seededRandom(options.seed ?? Date.now());
  const adminToken =
    typeof options.adminToken === 'function' ? await options.adminToken() : options.adminToken;
  const model = createTrafficModel({
    tokens: await resolveTokens(options),
    ...(adminToken ? { adminToken } : {}),
    mix: options.mix ?? DEFAULT_MIX,
    random,
  });
  const root = options.baseUrl.replace(/\/+$/, '');
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;

  const byStatus: Record<string, number> = {};
  const perOp = new Map(
    OPERATIONS.map((op) => [op, { sent: 0, errors: 0, latency: new LatencyRecorder(random) }]),
  );
  let sent = 0;
  let dropped = 0;
  let aborted = 0;
  let networkErrors = 0;
  let unexpected = 0;
  const inFlight = new Set<Promise<void>>();

  const execute = async (planned: PlannedRequest) => {
    const stats = perOp.get(planned.operation)!;
    stats.sent += 1;
    const outcome = await sendRequest(planned, { root, timeoutMs, ...(signal ? { signal } : {}) });
    if (outcome.kind === 'answer') {
      stats.latency.record(outcome.ms);
      const status = outcome.status;
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      if (status >= 500) stats.errors += 1;
      else if (!(status >= 200 && status < 300) && status !== 409) unexpected += 1;
    } else if (outcome.kind === 'aborted') {
      aborted += 1;
    } else {
      networkErrors += 1;
      stats.errors += 1;
    }
  };

  /** Starts the next request; false when it was dropped. */
  const fire = (): boolean => {
    if (inFlight.size >= maxInFlight) {
      dropped += 1;
      return false;
    }
    sent += 1;
    const pending = execute(model.next()).finally(() => inFlight.delete(pending));
    inFlight.add(pending);
    return true;
  };

  const start = performance.now();
  const progress = (scheduling: boolean) =>
    options.onProgress?.({
      sent,
      dropped,
      inFlight: inFlight.size,
      elapsedMs: Math.round(performance.now() - start),
      scheduling,
    });

  const schedule = arrivalSchedule({ rate, durationMs, rampMs: options.rampMs ?? 0 });
  let sentAfterRamp = 0;
  await runOpenLoop({
    schedule,
    fire: (slot) => {
      if (fire() && slot >= schedule.rampSlots) sentAfterRamp += 1;
    },
    ...(signal ? { signal } : {}),
    onTick: () => progress(true),
  });
  const windowMs = signal?.aborted
    ? performance.now() - start
    : Math.max(durationMs, performance.now() - start);
  const rampMs = Math.min(options.rampMs ?? 0, durationMs);
  progress(false);
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);

  const byOperation = Object.fromEntries(
    [...perOp].map(([op, s]) => [
      op,
      { sent: s.sent, errors: s.errors, latency: s.latency.summary() },
    ]),
  ) as Record<Operation, OperationSummary>;
  const serverErrors = Object.entries(byStatus)
    .filter(([status]) => Number(status) >= 500)
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    sent,
    dropped,
    aborted,
    byStatus,
    errors: serverErrors + networkErrors,
    networkErrors,
    unexpected,
    byOperation,
    achievedRate: windowMs > 0 ? Math.round((sent / (windowMs / 1000)) * 100) / 100 : 0,
    // At full rate only (after the ramp), so the figure compares with --rate.
    steadyRate:
      windowMs > rampMs
        ? Math.round((sentAfterRamp / ((windowMs - rampMs) / 1000)) * 100) / 100
        : 0,
    elapsedMs: Math.round(performance.now() - start),
  };
};
