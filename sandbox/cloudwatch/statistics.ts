import type { StatisticSet } from './metric-sink.js';

/**
 * CloudWatch statistics over stored samples, as pure functions: the five simple statistics
 * and percentiles (`p95`, `p99.9`), aggregated per period bucket aligned to the period.
 */

/** One stored PutMetricData entry, reduced to what statistics need. */
export interface Sample {
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly values: readonly number[];
  /** Parallel to `values`; absent means 1 each. */
  readonly counts?: readonly number[];
  readonly statistics?: StatisticSet;
}

export type SimpleStatistic = 'Sum' | 'Average' | 'Minimum' | 'Maximum' | 'SampleCount';

export const SIMPLE_STATISTICS: readonly SimpleStatistic[] = [
  'Sum',
  'Average',
  'Minimum',
  'Maximum',
  'SampleCount',
];

/** A parsed `Stat`: a simple statistic, or a percentile kept in hundredths (p99.9 → 9990). */
export type StatSpec =
  | { readonly kind: SimpleStatistic }
  | { readonly kind: 'percentile'; readonly hundredths: number };

// p0…p100 with at most two decimals, as CloudWatch accepts; other extended statistics
// (tm99, wm99, TC(…), IQM…) are not emulated and are refused by the callers.
const PERCENTILE = /^p(\d{1,3})(?:\.(\d{1,2}))?$/;

/** Parses a `Stat` / `Statistic` / `ExtendedStatistic`; `undefined` if not supported. */
export const parseStat = (stat: string): StatSpec | undefined => {
  if ((SIMPLE_STATISTICS as readonly string[]).includes(stat)) {
    return { kind: stat as SimpleStatistic };
  }
  const match = PERCENTILE.exec(stat);
  if (!match) return undefined;
  // Integer hundredths keep the rank arithmetic exact: 0.95 * 100 is 95.00000000000001.
  const hundredths = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return hundredths <= 10_000 ? { kind: 'percentile', hundredths } : undefined;
};

/** Everything one period bucket knows about its samples. */
export interface Aggregate {
  readonly sampleCount: number;
  readonly sum: number;
  readonly minimum: number;
  readonly maximum: number;
  /** `[value, count]` pairs usable for percentiles; `undefined` when some data is opaque. */
  readonly weighted: ReadonlyArray<readonly [number, number]> | undefined;
}

/**
 * Folds samples into one aggregate, honouring Values/Counts. A statistic set whose minimum
 * equals its maximum is as good as raw values (CloudWatch's own rule for percentiles);
 * any other set makes percentiles unavailable for the bucket.
 */
export const aggregate = (samples: readonly Sample[]): Aggregate | undefined => {
  let sampleCount = 0;
  let sum = 0;
  let minimum = Number.POSITIVE_INFINITY;
  let maximum = Number.NEGATIVE_INFINITY;
  let weighted: Array<readonly [number, number]> | undefined = [];
  for (const sample of samples) {
    const set = sample.statistics;
    if (set) {
      if (set.sampleCount <= 0) continue;
      sampleCount += set.sampleCount;
      sum += set.sum;
      minimum = Math.min(minimum, set.minimum);
      maximum = Math.max(maximum, set.maximum);
      if (set.minimum === set.maximum) weighted?.push([set.minimum, set.sampleCount]);
      else weighted = undefined;
      continue;
    }
    sample.values.forEach((value, i) => {
      const count = sample.counts?.[i] ?? 1;
      if (!(count > 0)) return;
      sampleCount += count;
      sum += value * count;
      minimum = Math.min(minimum, value);
      maximum = Math.max(maximum, value);
      weighted?.push([value, count]);
    });
  }
  if (sampleCount === 0) return undefined;
  return { sampleCount, sum, minimum, maximum, weighted };
};

/**
 * Nearest-rank percentile over weighted values: the smallest value whose cumulative count
 * reaches ⌈p·N⌉ (at least rank 1). `undefined` for an empty input.
 */
export const percentile = (
  weighted: ReadonlyArray<readonly [number, number]>,
  hundredths: number,
): number | undefined => {
  const sorted = [...weighted].filter(([, c]) => c > 0).sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((n, [, c]) => n + c, 0);
  if (total === 0) return undefined;
  // A tiny tolerance absorbs float noise when Counts are fractional.
  const rank = Math.max(1, Math.ceil((hundredths * total) / 10_000 - 1e-9));
  let cumulative = 0;
  for (const [value, count] of sorted) {
    cumulative += count;
    if (cumulative >= rank - 1e-9) return value;
  }
  return sorted.at(-1)?.[0];
};

/** One statistic of an aggregate; `undefined` when it cannot be computed. */
export const statValue = (agg: Aggregate, spec: StatSpec): number | undefined => {
  switch (spec.kind) {
    case 'Sum':
      return agg.sum;
    case 'Average':
      return agg.sum / agg.sampleCount;
    case 'Minimum':
      return agg.minimum;
    case 'Maximum':
      return agg.maximum;
    case 'SampleCount':
      return agg.sampleCount;
    case 'percentile':
      return agg.weighted ? percentile(agg.weighted, spec.hundredths) : undefined;
  }
};

/** Start of the period containing `timestamp`, periods aligned to the epoch. */
export const alignDown = (timestamp: number, periodMs: number): number =>
  Math.floor(timestamp / periodMs) * periodMs;

/**
 * CloudWatch's allowed periods: 1, 5, 10, 20, 30 (high resolution) or a multiple of 60.
 * The sandbox accepts these for alarms too, so tests can bake alarms in seconds.
 */
export const isValidPeriod = (seconds: number): boolean =>
  Number.isInteger(seconds) &&
  seconds > 0 &&
  ([1, 5, 10, 20, 30].includes(seconds) || seconds % 60 === 0);

/** One period bucket: its aligned start and the aggregate of its samples. */
export interface Bucket {
  readonly timestamp: number;
  readonly aggregate: Aggregate;
}

/** Groups samples by aligned period; empty periods are left out. Ascending by timestamp. */
export const bucketize = (samples: readonly Sample[], periodMs: number): Bucket[] => {
  const groups = new Map<number, Sample[]>();
  for (const sample of samples) {
    const start = alignDown(sample.timestamp, periodMs);
    const group = groups.get(start);
    if (group) group.push(sample);
    else groups.set(start, [sample]);
  }
  const buckets: Bucket[] = [];
  for (const [timestamp, group] of groups) {
    const agg = aggregate(group);
    if (agg) buckets.push({ timestamp, aggregate: agg });
  }
  return buckets.sort((a, b) => a.timestamp - b.timestamp);
};
