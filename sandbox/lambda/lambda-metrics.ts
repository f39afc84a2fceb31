import type { MetricDatum } from '../cloudwatch/metric-sink.js';

/** The built-in per-invocation metrics Lambda publishes, in `AWS/Lambda`. */
export interface InvocationMetrics {
  readonly account: string;
  readonly region: string;
  readonly functionName: string;
  /** The qualifier the caller used; adds the `Resource` dimension set. */
  readonly qualifier?: string;
  readonly executedVersion: string;
  readonly timestamp: number;
  readonly invocations?: number;
  readonly errors?: number;
  readonly durationMs?: number;
  readonly throttles?: number;
  readonly concurrentExecutions?: number;
}

const UNITS: Record<string, string> = {
  Invocations: 'Count',
  Errors: 'Count',
  Duration: 'Milliseconds',
  Throttles: 'Count',
  ConcurrentExecutions: 'Count',
};

/**
 * Lambda's metrics for one invocation (or throttle), under each dimension set Lambda uses:
 * `{FunctionName}`, `{FunctionName, Resource}` for a qualified call, and
 * `{FunctionName, ExecutedVersion}`, and `{FunctionName, Resource, ExecutedVersion}` for a
 * qualified call — the set AWS publishes for weighted aliases, which canary analysis reads.
 * `Errors` is published as 0 on success so that its average is the error rate.
 */
export const lambdaMetricData = (m: InvocationMetrics): MetricDatum[] => {
  const sets: Record<string, string>[] = [
    { FunctionName: m.functionName },
    ...(m.qualifier
      ? [{ FunctionName: m.functionName, Resource: `${m.functionName}:${m.qualifier}` }]
      : []),
    { FunctionName: m.functionName, ExecutedVersion: m.executedVersion },
    // What AWS publishes for a weighted alias: the version that ran, per alias.
    ...(m.qualifier
      ? [
          {
            FunctionName: m.functionName,
            Resource: `${m.functionName}:${m.qualifier}`,
            ExecutedVersion: m.executedVersion,
          },
        ]
      : []),
  ];
  const values: [string, number | undefined][] = [
    ['Invocations', m.invocations],
    ['Errors', m.errors],
    ['Duration', m.durationMs],
    ['Throttles', m.throttles],
    ['ConcurrentExecutions', m.concurrentExecutions],
  ];
  return values.flatMap(([metricName, value]) =>
    value === undefined
      ? []
      : sets.map((dimensions) => ({
          account: m.account,
          region: m.region,
          namespace: 'AWS/Lambda',
          metricName,
          dimensions,
          timestamp: m.timestamp,
          values: [value],
          unit: UNITS[metricName] ?? 'None',
        })),
  );
};
