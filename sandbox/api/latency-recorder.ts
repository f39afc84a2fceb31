/** Samples kept per series: percentiles stay accurate to well under 1% and memory flat. */
const DEFAULT_CAPACITY = 10_000;

export interface LatencySummary {
  /** Every observation, not just the sampled ones. */
  readonly count: number;
  /** Milliseconds, 0.1 ms resolution; 0 when there were no observations. */
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

/** Nearest-rank percentile of an ascending array (what CloudWatch's pNN reports). */
export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? 0;
};

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * Latency observations for one series. Past `capacity` it keeps a uniform reservoir sample
 * (Algorithm R), so a long soak at a high rate does not grow without bound.
 */
export class LatencyRecorder {
  private readonly samples: number[] = [];
  private seen = 0;
  private highest = 0;

  constructor(
    private readonly random: () => number = Math.random,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  record(ms: number): void {
    this.seen += 1;
    this.highest = Math.max(this.highest, ms);
    if (this.samples.length < this.capacity) {
      this.samples.push(ms);
      return;
    }
    const slot = Math.floor(this.random() * this.seen);
    if (slot < this.capacity) this.samples[slot] = ms;
  }

  summary(): LatencySummary {
    const sorted = [...this.samples].sort((a, b) => a - b);
    return {
      count: this.seen,
      p50: round(percentile(sorted, 50)),
      p95: round(percentile(sorted, 95)),
      max: round(this.highest),
    };
  }
}
