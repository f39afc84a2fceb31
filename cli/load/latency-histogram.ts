import { build, type Histogram } from 'hdr-histogram-js';

/**
 * Latencies of a load run in an HDR histogram: every observation counted (no sampling), in
 * microseconds from 1 µs to 60 s at 3 significant digits — so any percentile is within
 * 0.1% of the true value at a fixed, small memory cost whatever the run's length.
 */

/** Lowest and highest trackable latency, in µs. */
const LOWEST_US = 1;
const HIGHEST_US = 60_000_000;

/** Percentiles of one series, in milliseconds (0.1 ms resolution); all 0 when empty. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

const toMs = (us: number) => Math.round(us / 100) / 10;

export class LatencyHistogram {
  private readonly histogram: Histogram = build({
    lowestDiscernibleValue: LOWEST_US,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    // A fixed range: a value past 60 s is clamped, never a reason to grow.
    autoResize: false,
  });

  /** Records one latency in ms; beyond 60 s it counts as 60 s (the histogram's ceiling). */
  record(ms: number): void {
    const us = Math.round(ms * 1000);
    this.histogram.recordValue(Math.min(HIGHEST_US, Math.max(LOWEST_US, us)));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /**
   * A percentile (0–100) in ms; 0 when nothing was recorded. HDR answers with the upper
   * edge of the value's bucket, which near the top can pass the largest value recorded:
   * capped there, so p50 ≤ p95 ≤ p99 ≤ max always holds.
   */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    return toMs(Math.min(this.histogram.getValueAtPercentile(p), this.histogram.maxValue));
  }

  /** Adds another histogram's observations (a stress step into the whole run). */
  add(other: LatencyHistogram): void {
    this.histogram.add(other.histogram);
  }

  reset(): void {
    this.histogram.reset();
  }

  summary(): LatencySummary {
    if (this.count === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0 };
    return {
      count: this.count,
      p50: this.percentile(50),
      p95: this.percentile(95),
      p99: this.percentile(99),
      max: toMs(this.histogram.maxValue),
    };
  }
}
