import { LatencyHistogram } from './latency-histogram.js';
import { LOAD_OPERATIONS, type LoadOperation } from './load-mix.js';
import { ERROR_CLASSES, type RequestClass } from './load-tally.js';

/**
 * A load run over time: fixed-width buckets (one every `bucketMs`) of what was sent,
 * dropped and answered, per operation and in total, with p50/p95/p99 of each bucket.
 * Memory stays bounded whatever the run's length: only the open bucket has histograms
 * (one per operation, reset when the bucket closes); a closed bucket keeps a few numbers,
 * and at most `maxBuckets` buckets are kept. Events land in the bucket of the moment they
 * happen — a request's latency in the bucket where its answer arrived (as HDR interval
 * logs do), so time only moves forward and only one bucket is ever open.
 */

/** Points a planned run is cut into at most (a 15-minute run: 2 s buckets). */
export const TIMELINE_TARGET_POINTS = 600;
/** Hard cap (drains and clean-up can outlast the plan): later events are not charted. */
export const TIMELINE_MAX_BUCKETS = 1200;

/** One operation over time; arrays are indexed like {@link LoadSeries.t}. */
export interface OperationSeries {
  readonly sent: readonly number[];
  /** HTTP answers of any status (the ones with a latency). */
  readonly answered: readonly number[];
  /** Errors as the tally counts them (429, 5xx, unexpected 4xx, timeouts, network). */
  readonly errors: readonly number[];
  /** 429s (also in `errors`). */
  readonly throttled: readonly number[];
  /** Percentiles of the bucket's answers, ms; null when none arrived (a gap, not a zero). */
  readonly p50: readonly (number | null)[];
  readonly p95: readonly (number | null)[];
  readonly p99: readonly (number | null)[];
}

/** The whole run, in totals over all operations; arrays are indexed like {@link LoadSeries.t}. */
export interface TotalSeries {
  readonly sent: readonly number[];
  /** Arrivals that found the in-flight cap reached (never started). */
  readonly dropped: readonly number[];
  /** Requests that ended (answer, timeout or network error; Ctrl-C cuts excluded). */
  readonly completed: readonly number[];
  /** Ended without an error: 2xx, and the 409 races the tally does not count as errors. */
  readonly delivered: readonly number[];
  readonly errors: readonly number[];
  readonly throttled: readonly number[];
}

/** `report.json`'s `series`: the run bucketed over time (what report.html charts). */
export interface LoadSeries {
  /** Width of every bucket but possibly the last, ms. */
  readonly bucketMs: number;
  /** Start of each bucket, epoch seconds: bucket i covers [t[i], t[i] + bucketMs). */
  readonly t: readonly number[];
  /** When the last event was recorded, epoch seconds (the last bucket may be shorter). */
  readonly end: number;
  readonly total: TotalSeries;
  /** The operations that ran, in LOAD_OPERATIONS order. */
  readonly byOperation: Readonly<Partial<Record<LoadOperation, OperationSeries>>>;
  /** Set when the run outlasted TIMELINE_MAX_BUCKETS: later events are not in the series. */
  readonly truncated?: boolean;
}

/** The whole-second bucket width that cuts `plannedMs` into at most TIMELINE_TARGET_POINTS. */
export const bucketMsFor = (plannedMs: number): number =>
  Math.max(1000, Math.ceil(plannedMs / TIMELINE_TARGET_POINTS / 1000) * 1000);

interface OpRow {
  sent: number;
  answered: number;
  errors: number;
  throttled: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

interface Row {
  sent: number;
  dropped: number;
  completed: number;
  delivered: number;
  errors: number;
  throttled: number;
  ops: Partial<Record<LoadOperation, OpRow>>;
}

const emptyRow = (): Row => ({
  sent: 0,
  dropped: 0,
  completed: 0,
  delivered: 0,
  errors: 0,
  throttled: 0,
  ops: {},
});

const emptyOpRow = (): OpRow => ({
  sent: 0,
  answered: 0,
  errors: 0,
  throttled: 0,
  p50: null,
  p95: null,
  p99: null,
});

/** Epoch ms from the monotonic clock: a wall-clock step cannot reorder the buckets. */
const monotonicNow = () => performance.timeOrigin + performance.now();

export class LoadTimeline {
  private readonly bucketMs: number;
  private readonly now: () => number;
  private readonly maxBuckets: number;
  private origin: number | undefined;
  private lastAt: number | undefined;
  private readonly rows: Row[] = [];
  /** The open bucket's latencies, per operation; reset when it closes. */
  private readonly open = new Map<LoadOperation, LatencyHistogram>();
  private readonly seen = new Set<LoadOperation>();
  private truncated = false;

  constructor(options: { bucketMs: number; now?: () => number; maxBuckets?: number }) {
    this.bucketMs = options.bucketMs;
    this.now = options.now ?? monotonicNow;
    this.maxBuckets = options.maxBuckets ?? TIMELINE_MAX_BUCKETS;
  }

  /** Pins bucket 0 to now (the first phase's start) unless already started. */
  start(): void {
    this.origin ??= this.now();
    this.lastAt ??= this.origin;
  }

  /** Moves time to now without an event (a phase's end): the series lasts until here. */
  touch(): void {
    this.row();
  }

  sent(op: LoadOperation, count = 1): void {
    const row = this.row();
    if (!row) return;
    row.sent += count;
    this.opRow(row, op).sent += count;
  }

  dropped(op: LoadOperation, count: number): void {
    const row = this.row();
    if (!row) return;
    row.dropped += count;
    this.opRow(row, op);
  }

  /** A started request ended as `kind`; `latencyMs` when it was answered. */
  settled(op: LoadOperation, kind: RequestClass, latencyMs?: number): void {
    const row = this.row();
    if (!row) return;
    const opRow = this.opRow(row, op);
    if (kind === 'aborted') return;
    row.completed += 1;
    if (kind === 'ok' || kind === 'conflict') row.delivered += 1;
    if (ERROR_CLASSES.has(kind)) {
      row.errors += 1;
      opRow.errors += 1;
    }
    if (kind === 'throttled') {
      row.throttled += 1;
      opRow.throttled += 1;
    }
    if (latencyMs !== undefined) {
      opRow.answered += 1;
      let histogram = this.open.get(op);
      if (!histogram) {
        histogram = new LatencyHistogram();
        this.open.set(op, histogram);
      }
      histogram.record(latencyMs);
    }
  }

  /** The series so far (the open bucket's percentiles as they stand). Does not close it. */
  snapshot(): LoadSeries {
    const origin = this.origin ?? this.now();
    const rows = this.rows.map((row, i) =>
      i === this.rows.length - 1 ? this.withPercentiles(row) : row,
    );
    const column = <T>(pick: (row: Row) => T) => rows.map(pick);
    const byOperation: Partial<Record<LoadOperation, OperationSeries>> = {};
    for (const op of LOAD_OPERATIONS) {
      if (!this.seen.has(op)) continue;
      const of = (row: Row) => row.ops[op] ?? emptyOpRow();
      byOperation[op] = {
        sent: column((r) => of(r).sent),
        answered: column((r) => of(r).answered),
        errors: column((r) => of(r).errors),
        throttled: column((r) => of(r).throttled),
        p50: column((r) => of(r).p50),
        p95: column((r) => of(r).p95),
        p99: column((r) => of(r).p99),
      };
    }
    return {
      bucketMs: this.bucketMs,
      t: rows.map((_, i) => (origin + i * this.bucketMs) / 1000),
      end: (this.lastAt ?? origin) / 1000,
      total: {
        sent: column((r) => r.sent),
        dropped: column((r) => r.dropped),
        completed: column((r) => r.completed),
        delivered: column((r) => r.delivered),
        errors: column((r) => r.errors),
        throttled: column((r) => r.throttled),
      },
      byOperation,
      ...(this.truncated ? { truncated: true } : {}),
    };
  }

  private opRow(row: Row, op: LoadOperation): OpRow {
    this.seen.add(op);
    let opRow = row.ops[op];
    if (!opRow) {
      opRow = emptyOpRow();
      row.ops[op] = opRow;
    }
    return opRow;
  }

  /** The open bucket's row with its percentiles filled in from the histograms. */
  private withPercentiles(row: Row): Row {
    const ops: Partial<Record<LoadOperation, OpRow>> = {};
    for (const [op, opRow] of Object.entries(row.ops) as [LoadOperation, OpRow][]) {
      const h = this.open.get(op);
      ops[op] =
        h && h.count > 0
          ? { ...opRow, p50: h.percentile(50), p95: h.percentile(95), p99: h.percentile(99) }
          : opRow;
    }
    return { ...row, ops };
  }

  /** The row of the bucket now falls in, closing the open one (and any empty ones) first. */
  private row(): Row | undefined {
    this.start();
    const at = this.now();
    const origin = this.origin as number;
    // A clock that steps back never reopens a closed bucket.
    const index = Math.max(this.rows.length - 1, Math.floor((at - origin) / this.bucketMs));
    if (index >= this.maxBuckets) {
      this.truncated = true;
      return undefined;
    }
    this.lastAt = Math.max(this.lastAt ?? at, at);
    while (this.rows.length <= index) {
      const last = this.rows.length - 1;
      if (last >= 0) this.rows[last] = this.withPercentiles(this.rows[last] as Row);
      for (const h of this.open.values()) h.reset();
      this.rows.push(emptyRow());
    }
    return this.rows[index];
  }
}
