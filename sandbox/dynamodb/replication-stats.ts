import type { MetricDatum } from '../cloudwatch/metric-sink.js';

/** `SANDBOX_REPLICATION_LAG_MS`, default 300 ms: how long after a write its item moves. */
export const replicationLagFromEnv = (): number => {
  const raw = process.env.SANDBOX_REPLICATION_LAG_MS?.trim();
  const value = raw ? Number(raw) : Number.NaN;
  return Number.isFinite(value) && value >= 0 ? value : 300;
};

/**
 * `AWS/DynamoDB ReplicationLatency` of items delivered together, in the source region with
 * AWS's dimensions (`TableName`, `ReceivingRegion`).
 */
export const replicationLatency = (d: {
  account: string;
  source: string;
  table: string;
  target: string;
  values: number[];
  now: number;
}): MetricDatum => ({
  account: d.account,
  region: d.source,
  namespace: 'AWS/DynamoDB',
  metricName: 'ReplicationLatency',
  dimensions: { TableName: d.table, ReceivingRegion: d.target },
  timestamp: d.now,
  values: d.values,
  unit: 'Milliseconds',
});

/** What `GET /_sandbox/replication` and `sandbox status` show of replication. */
export interface ReplicationStats {
  /** `SANDBOX_REPLICATION_LAG_MS`: how long after a write its item moves. */
  readonly lagMs: number;
  /** Items waiting to reach at least one region (those held by an outage included). */
  readonly pending: number;
  /** Of those, waiting for a region to come back. */
  readonly heldByOutage: number;
  /** Item deliveries to a region since the sandbox started. */
  readonly replicated: number;
  /** Write-to-delivery time of the last item delivered (ms). */
  readonly lastLagMs?: number;
  readonly maxLagMs?: number;
  readonly lastReplicatedAt?: string;
}

/** Counts deliveries and their lag, as ReplicationLatency reports them. */
export class LagCounters {
  private replicated = 0;
  private last: number | undefined;
  private max: number | undefined;
  private lastAt: number | undefined;

  /** Items delivered at `now`, each `lags[i]` ms after its write. */
  record(lags: readonly number[], now: number): void {
    if (!lags.length) return;
    this.replicated += lags.length;
    this.last = lags[lags.length - 1];
    this.max = lags.reduce((a, b) => Math.max(a, b), this.max ?? 0);
    this.lastAt = now;
  }

  snapshot(queue: { lagMs: number; pending: number; heldByOutage: number }): ReplicationStats {
    return {
      ...queue,
      replicated: this.replicated,
      ...(this.last !== undefined ? { lastLagMs: this.last } : {}),
      ...(this.max !== undefined ? { maxLagMs: this.max } : {}),
      ...(this.lastAt ? { lastReplicatedAt: new Date(this.lastAt).toISOString() } : {}),
    };
  }
}
