import type { SendOutcome } from '../../sandbox/api/send-request.js';
import { LatencyHistogram, type LatencySummary } from './latency-histogram.js';
import { LOAD_OPERATIONS, type LoadOperation } from './load-mix.js';

/**
 * What a load run (or one stress step) saw, per operation: how each request ended, every
 * latency in an HDR histogram, and how each burst of concurrent creates came out.
 */

/** How one request ended, as the report counts it. */
export type RequestClass =
  | 'ok'
  /** 409: a race the generator cannot see (a status change meeting a cancel) — not an error. */
  | 'conflict'
  | 'throttled'
  | 'server-error'
  /** Any other 4xx: the generator only sends requests a healthy service accepts. */
  | 'unexpected'
  | 'timeout'
  | 'network'
  /** Cut by Ctrl-C: neither a success nor the service's error. */
  | 'aborted';

export const classify = (outcome: SendOutcome): RequestClass => {
  if (outcome.kind !== 'answer') return outcome.kind;
  const { status } = outcome;
  if (status >= 200 && status < 300) return 'ok';
  if (status === 409) return 'conflict';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'server-error';
  return 'unexpected';
};

/** The outcomes that count as errors (a 409 conflict is the API working as designed). */
export const ERROR_CLASSES: ReadonlySet<RequestClass> = new Set<RequestClass>([
  'throttled',
  'server-error',
  'unexpected',
  'timeout',
  'network',
]);

export interface OperationSummary {
  readonly sent: number;
  /** Never started: the in-flight cap was reached (counted, never queued). */
  readonly dropped: number;
  readonly ok: number;
  readonly conflicts: number;
  /** throttled + serverErrors + unexpected + timeouts + networkErrors. */
  readonly errors: number;
  readonly throttled: number;
  readonly serverErrors: number;
  readonly unexpected: number;
  readonly timeouts: number;
  readonly networkErrors: number;
  readonly aborted: number;
  /** HTTP status → count. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Every answered request (any status); timeouts and network errors have no latency. */
  readonly latencyMs: LatencySummary;
}

export interface BurstSummary {
  readonly bursts: number;
  /** Every create answered 201 with a distinct order id. */
  readonly allSucceeded: number;
  /** Some refused, each with a well-formed 4xx/503 answer (a clean refusal). */
  readonly failedCleanly: number;
  /** A 5xx other than 503, a timeout, a network error, a malformed answer or a duplicate id. */
  readonly unclean: number;
  /** Bursts in which two 201s named the same order. */
  readonly duplicateIds: number;
}

export interface TallySummary {
  readonly sent: number;
  readonly dropped: number;
  readonly aborted: number;
  readonly errors: number;
  /** errors / (sent − aborted), in percent; 0 when nothing completed. */
  readonly errorRatePct: number;
  readonly throttled: number;
  readonly timeouts: number;
  readonly networkErrors: number;
  readonly byStatus: Readonly<Record<string, number>>;
  /** Operations that ran (sent or dropped), in LOAD_OPERATIONS order. */
  readonly byOperation: Readonly<Partial<Record<LoadOperation, OperationSummary>>>;
  readonly bursts: BurstSummary;
}

interface OperationCounts {
  sent: number;
  dropped: number;
  classes: Record<RequestClass, number>;
  byStatus: Record<string, number>;
  latency: LatencyHistogram;
}

const emptyCounts = (): OperationCounts => ({
  sent: 0,
  dropped: 0,
  classes: {
    ok: 0,
    conflict: 0,
    throttled: 0,
    'server-error': 0,
    unexpected: 0,
    timeout: 0,
    network: 0,
    aborted: 0,
  },
  byStatus: {},
  latency: new LatencyHistogram(),
});

const isWellFormedRefusal = (outcome: SendOutcome): boolean => {
  if (outcome.kind !== 'answer') return false;
  const { status } = outcome;
  if (!((status >= 400 && status < 500) || status === 503)) return false;
  try {
    return typeof JSON.parse(outcome.body) === 'object';
  } catch {
    return false;
  }
};

/**
 * Judges one burst: all 201 with distinct ids, or refused cleanly, or not. Undefined when
 * Ctrl-C cut it (it says nothing about the service).
 */
export const judgeBurst = (
  outcomes: readonly SendOutcome[],
  orderIds: readonly (string | undefined)[],
): 'all-succeeded' | 'failed-cleanly' | 'unclean' | 'duplicate' | undefined => {
  if (outcomes.some((o) => o.kind === 'aborted')) return undefined;
  const created = outcomes.filter((o) => o.kind === 'answer' && o.status === 201).length;
  const ids = orderIds.filter((id): id is string => id !== undefined);
  if (ids.length < created) return 'unclean'; // a 201 that names no order
  if (new Set(ids).size < ids.length) return 'duplicate';
  if (created === outcomes.length) return 'all-succeeded';
  const refusals = outcomes.filter((o) => !(o.kind === 'answer' && o.status === 201));
  return refusals.every(isWellFormedRefusal) ? 'failed-cleanly' : 'unclean';
};

export class LoadTally {
  private readonly perOp = new Map<LoadOperation, OperationCounts>();
  private readonly burstCounts = {
    bursts: 0,
    allSucceeded: 0,
    failedCleanly: 0,
    unclean: 0,
    duplicateIds: 0,
  };

  private of(op: LoadOperation): OperationCounts {
    let counts = this.perOp.get(op);
    if (!counts) {
      counts = emptyCounts();
      this.perOp.set(op, counts);
    }
    return counts;
  }

  /** A request was started. */
  sent(op: LoadOperation): void {
    this.of(op).sent += 1;
  }

  /** `count` requests could not start (in-flight cap). */
  dropped(op: LoadOperation, count: number): void {
    this.of(op).dropped += count;
  }

  /** A started request ended; returns how it is counted. */
  settled(op: LoadOperation, outcome: SendOutcome): RequestClass {
    const counts = this.of(op);
    const kind = classify(outcome);
    counts.classes[kind] += 1;
    if (outcome.kind === 'answer') {
      counts.byStatus[outcome.status] = (counts.byStatus[outcome.status] ?? 0) + 1;
      counts.latency.record(outcome.ms);
    }
    return kind;
  }

  burst(verdict: ReturnType<typeof judgeBurst>): void {
    if (!verdict) return;
    const b = this.burstCounts;
    b.bursts += 1;
    if (verdict === 'all-succeeded') b.allSucceeded += 1;
    else if (verdict === 'failed-cleanly') b.failedCleanly += 1;
    else if (verdict === 'duplicate') b.duplicateIds += 1;
    else b.unclean += 1;
  }

  summary(): TallySummary {
    const byOperation: Partial<Record<LoadOperation, OperationSummary>> = {};
    const byStatus: Record<string, number> = {};
    let sent = 0;
    let dropped = 0;
    let aborted = 0;
    let errors = 0;
    let throttled = 0;
    let timeouts = 0;
    let networkErrors = 0;
    for (const op of LOAD_OPERATIONS) {
      const c = this.perOp.get(op);
      if (!c || c.sent + c.dropped === 0) continue;
      const opErrors = Object.entries(c.classes)
        .filter(([kind]) => ERROR_CLASSES.has(kind as RequestClass))
        .reduce((sum, [, n]) => sum + n, 0);
      byOperation[op] = {
        sent: c.sent,
        dropped: c.dropped,
        ok: c.classes.ok,
        conflicts: c.classes.conflict,
        errors: opErrors,
        throttled: c.classes.throttled,
        serverErrors: c.classes['server-error'],
        unexpected: c.classes.unexpected,
        timeouts: c.classes.timeout,
        networkErrors: c.classes.network,
        aborted: c.classes.aborted,
        byStatus: { ...c.byStatus },
        latencyMs: c.latency.summary(),
      };
      for (const [status, n] of Object.entries(c.byStatus)) {
        byStatus[status] = (byStatus[status] ?? 0) + n;
      }
      sent += c.sent;
      dropped += c.dropped;
      aborted += c.classes.aborted;
      errors += opErrors;
      throttled += c.classes.throttled;
      timeouts += c.classes.timeout;
      networkErrors += c.classes.network;
    }
    const completed = sent - aborted;
    const b = this.burstCounts;
    return {
      sent,
      dropped,
      aborted,
      errors,
      errorRatePct: completed > 0 ? Math.round((errors / completed) * 100 * 1000) / 1000 : 0,
      throttled,
      timeouts,
      networkErrors,
      byStatus,
      byOperation,
      bursts: { ...b },
    };
  }

  /** The p95 of one operation so far, in ms (0 before any answer). */
  p95(op: LoadOperation): number {
    return this.perOp.get(op)?.latency.percentile(95) ?? 0;
  }
}
