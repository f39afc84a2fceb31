import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { AwsTarget } from './target.js';

/** One GetMetricData query on a single metric. */
export interface MetricQuery {
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** `Sum`, `Average`, `Maximum`, `SampleCount`, `p95`… */
  readonly stat: string;
  readonly periodSeconds: number;
}

/** Query id → values (oldest first). An id with no data maps to an empty array. */
export type MetricResults = Readonly<Record<string, readonly number[]>>;

/** The one CloudWatch read the canary analysis makes. */
export interface CloudWatchApi {
  getMetrics(queries: readonly MetricQuery[], start: Date, end: Date): Promise<MetricResults>;
}

export const cloudWatchApi = (
  target: AwsTarget,
  client = new CloudWatchClient(target.clientConfig),
): CloudWatchApi => ({
  async getMetrics(queries, start, end) {
    const results: Record<string, number[]> = Object.fromEntries(queries.map((q) => [q.id, []]));
    let NextToken: string | undefined;
    do {
      const out = await client.send(
        new GetMetricDataCommand({
          StartTime: start,
          EndTime: end,
          ScanBy: 'TimestampAscending',
          NextToken,
          MetricDataQueries: queries.map((q) => ({
            Id: q.id,
            ReturnData: true,
            MetricStat: {
              Metric: {
                Namespace: q.namespace,
                MetricName: q.metricName,
                Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })),
              },
              Period: q.periodSeconds,
              Stat: q.stat,
            },
          })),
        }),
      );
      for (const r of out.MetricDataResults ?? []) {
        if (r.Id) results[r.Id] = [...(results[r.Id] ?? []), ...(r.Values ?? [])];
      }
      NextToken = out.NextToken;
    } while (NextToken);
    return results;
  },
});
