import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { MetricDatum, MetricSink } from './metric-sink.js';
import type { Sample } from './statistics.js';

/**
 * The sandbox's metric store: every datum per account and region, in memory, persisted
 * append-only as JSON lines so that a restarted sandbox still has its recent metrics.
 */

/** A metric's identity: namespace, name and its exact set of dimensions. */
export interface MetricIdentity {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** ListMetrics filters; a dimension filter without a value matches any value. */
export interface MetricFilter {
  readonly namespace?: string;
  readonly metricName?: string;
  readonly dimensions?: ReadonlyArray<{ readonly name: string; readonly value?: string }>;
  /** Only metrics with a datum at or after this epoch ms (ListMetrics `RecentlyActive`). */
  readonly activeSince?: number;
}

export interface MetricStoreOptions {
  /** Clock for retention; tests pass a fixed one. */
  readonly now?: () => number;
  /** How long data is kept; CloudWatch keeps far longer, the sandbox only needs a day. */
  readonly retentionMs?: number;
}

/** A stored datum, as read back by the statistics. */
export interface StoredSample extends Sample {
  readonly unit?: string;
}

interface Series extends MetricIdentity {
  /** Sorted by timestamp (ties in arrival order). */
  readonly samples: StoredSample[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Canonical key of a metric: dimension order never makes two metrics. */
export const metricKey = (m: MetricIdentity): string =>
  JSON.stringify([
    m.namespace,
    m.metricName,
    Object.entries(m.dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  ]);

const scopeKey = (account: string, region: string) => `${account}/${region}`;

/** First index whose timestamp is ≥ `t` (binary search). */
const lowerBound = (samples: readonly StoredSample[], t: number): number => {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((samples[mid] as StoredSample).timestamp < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

const isDatum = (value: unknown): value is MetricDatum => {
  const d = value as MetricDatum | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof d.account === 'string' &&
    typeof d.region === 'string' &&
    typeof d.namespace === 'string' &&
    typeof d.metricName === 'string' &&
    typeof d.timestamp === 'number' &&
    Array.isArray(d.values) &&
    typeof d.dimensions === 'object'
  );
};

export class MetricStore implements MetricSink {
  private readonly scopes = new Map<string, Map<string, Series>>();
  private readonly now: () => number;
  private readonly retentionMs: number;
  private lastPrune: number;
  private readonly unwritten: string[] = [];
  private flushScheduled = false;

  /**
   * @param path JSONL file to append to; reloaded here, dropping data older than the
   *   retention (24 h) and rewriting the file without it. Omit for a memory-only store.
   */
  constructor(
    readonly path?: string,
    options: MetricStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.retentionMs = options.retentionMs ?? DAY_MS;
    this.lastPrune = this.now();
    if (path) this.load(path);
  }

  private load(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    if (!existsSync(path)) return;
    const cutoff = this.now() - this.retentionMs;
    const kept: string[] = [];
    let dropped = 0;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let datum: unknown;
      try {
        datum = JSON.parse(line);
      } catch {
        // A line torn by a crash mid-append; everything before it is intact.
        dropped += 1;
        continue;
      }
      if (!isDatum(datum) || datum.timestamp < cutoff) {
        dropped += 1;
        continue;
      }
      this.insert(datum);
      kept.push(line);
    }
    // Compact on load so the file does not grow across restarts; rename is atomic.
    if (dropped > 0) {
      const tmp = `${path}.tmp`;
      writeFileSync(tmp, kept.map((l) => `${l}\n`).join(''));
      renameSync(tmp, path);
    }
  }

  private insert(datum: MetricDatum): void {
    const key = scopeKey(datum.account, datum.region);
    let scope = this.scopes.get(key);
    if (!scope) {
      scope = new Map();
      this.scopes.set(key, scope);
    }
    const identity = {
      namespace: datum.namespace,
      metricName: datum.metricName,
      dimensions: { ...datum.dimensions },
    };
    const id = metricKey(identity);
    let series = scope.get(id);
    if (!series) {
      series = { ...identity, samples: [] };
      scope.set(id, series);
    }
    const sample: StoredSample = {
      timestamp: datum.timestamp,
      values: datum.values,
      ...(datum.counts ? { counts: datum.counts } : {}),
      ...(datum.statistics ? { statistics: datum.statistics } : {}),
      ...(datum.unit ? { unit: datum.unit } : {}),
    };
    // Data mostly arrives in time order, so this is usually a push at the end.
    const at = lowerBound(series.samples, datum.timestamp + 1);
    series.samples.splice(at, 0, sample);
  }

  /** Stores and persists data (the MetricSink contract); throws on malformed data. */
  put(data: readonly MetricDatum[]): void {
    if (data.length === 0) return;
    for (const datum of data) {
      if (datum.counts && datum.counts.length !== datum.values.length) {
        throw new Error(`${datum.metricName}: counts and values differ in length`);
      }
    }
    if (this.path) {
      // Group commit: one append per event-loop turn instead of one per datum batch (the
      // Lambda runtime puts after every invocation). A crash loses at most that turn's
      // metrics — history for charts and alarms, never the lock or a journal.
      this.unwritten.push(data.map((d) => `${JSON.stringify(d)}\n`).join(''));
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    }
    for (const datum of data) this.insert(datum);
    this.pruneHourly();
  }

  /** Writes what put() has queued; called on its own each turn, and by the sandbox's stop. */
  flush(): void {
    this.flushScheduled = false;
    if (!this.path || this.unwritten.length === 0) return;
    appendFileSync(this.path, this.unwritten.splice(0).join(''));
  }

  /** Drops expired data from memory at most once an hour, so a long-running sandbox stays small. */
  private pruneHourly(): void {
    const now = this.now();
    if (now - this.lastPrune < 60 * 60 * 1000) return;
    this.lastPrune = now;
    const cutoff = now - this.retentionMs;
    for (const scope of this.scopes.values()) {
      for (const [id, series] of scope) {
        series.samples.splice(0, lowerBound(series.samples, cutoff));
        if (series.samples.length === 0) scope.delete(id);
      }
    }
  }

  /** Metrics of one account and region matching a filter, sorted by namespace, name, dimensions. */
  listMetrics(account: string, region: string, filter: MetricFilter = {}): MetricIdentity[] {
    const scope = this.scopes.get(scopeKey(account, region));
    if (!scope) return [];
    const out: Array<{ key: string; metric: MetricIdentity }> = [];
    for (const [key, series] of scope) {
      if (filter.namespace !== undefined && series.namespace !== filter.namespace) continue;
      if (filter.metricName !== undefined && series.metricName !== filter.metricName) continue;
      const dims = filter.dimensions ?? [];
      if (
        !dims.every(
          (d) =>
            d.name in series.dimensions &&
            (d.value === undefined || series.dimensions[d.name] === d.value),
        )
      ) {
        continue;
      }
      const last = series.samples.at(-1);
      if (filter.activeSince !== undefined && (!last || last.timestamp < filter.activeSince))
        continue;
      out.push({
        key,
        metric: {
          namespace: series.namespace,
          metricName: series.metricName,
          dimensions: { ...series.dimensions },
        },
      });
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((o) => o.metric);
  }

  /**
   * Samples of exactly this metric (same dimension set) with `start ≤ timestamp < end`,
   * ascending; with `unit`, only data published with that unit (`None` when unitless).
   */
  samples(
    account: string,
    region: string,
    metric: MetricIdentity,
    start: number,
    end: number,
    unit?: string,
  ): StoredSample[] {
    const series = this.scopes.get(scopeKey(account, region))?.get(metricKey(metric));
    if (!series) return [];
    const slice = series.samples.slice(
      lowerBound(series.samples, start),
      lowerBound(series.samples, end),
    );
    return unit === undefined ? slice : slice.filter((s) => (s.unit ?? 'None') === unit);
  }
}
