import type { Environment } from '../../infra/environments.js';
import { METRIC, METRICS_NAMESPACE, VERSION_DIMENSION } from '../../service/adapters/telemetry.js';
import type { CloudWatchApi, MetricQuery, MetricResults } from '../aws/cloudwatch-api.js';
import type { CanarySamples, VersionWindow } from './assess.js';

/** The service name the function reports as (POWERTOOLS_SERVICE_NAME, see provisioning). */
const SERVICE = 'order-service';

/** The smallest period CloudWatch accepts that is at least `seconds` (1, 5, 10, 20, 30, n×60). */
export const validPeriod = (seconds: number): number => {
  for (const p of [1, 5, 10, 20, 30]) if (seconds <= p) return p;
  return Math.ceil(seconds / 60) * 60;
};

const sum = (values: readonly number[] | undefined) => (values ?? []).reduce((a, b) => a + b, 0);
const max = (values: readonly number[] | undefined) =>
  values?.length ? Math.max(...values) : undefined;

/**
 * The queries for one version: Lambda's own metrics under the weighted-alias dimension set
 * `{FunctionName, Resource, ExecutedVersion}`, and the service's EMF metrics under
 * `function_version`. The window is read as one period (totals and p95 over the window)
 * plus fine periods for the rank test's samples.
 */
const versionQueries = (
  env: Environment,
  tag: 'c' | 'b',
  version: string,
  windowSeconds: number,
  samplePeriod: number,
): MetricQuery[] => {
  const lambda = {
    FunctionName: env.functionName,
    Resource: `${env.functionName}:${env.alias}`,
    ExecutedVersion: version,
  };
  const service = { service: SERVICE, environment: env.name, [VERSION_DIMENSION]: version };
  const q = (
    id: string,
    namespace: string,
    metricName: string,
    dimensions: Record<string, string>,
    stat: string,
    periodSeconds = windowSeconds,
  ): MetricQuery => ({
    id: `${tag}_${id}`,
    namespace,
    metricName,
    dimensions,
    stat,
    periodSeconds,
  });
  return [
    // Counts at the fine period, summed: exactly the window, whatever the alignment.
    q('inv', 'AWS/Lambda', 'Invocations', lambda, 'Sum', samplePeriod),
    q('err', 'AWS/Lambda', 'Errors', lambda, 'Sum', samplePeriod),
    q('thr', 'AWS/Lambda', 'Throttles', lambda, 'Sum', samplePeriod),
    q('dur', 'AWS/Lambda', 'Duration', lambda, 'Average', samplePeriod),
    q('p95create', METRICS_NAMESPACE, METRIC.latency, { ...service, operation: 'create' }, 'p95'),
    q('p95status', METRICS_NAMESPACE, METRIC.latency, { ...service, operation: 'status' }, 'p95'),
    // The plan's "read" is the service's `get` (one order by id).
    q('p95read', METRICS_NAMESPACE, METRIC.latency, { ...service, operation: 'get' }, 'p95'),
    q('ops', METRICS_NAMESPACE, METRIC.processingFailed, service, 'SampleCount', samplePeriod),
    q('fail', METRICS_NAMESPACE, METRIC.processingFailed, service, 'Sum', samplePeriod),
    q('pub', METRICS_NAMESPACE, METRIC.eventsPublished, service, 'Sum', samplePeriod),
    q('pubfail', METRICS_NAMESPACE, METRIC.eventPublishFailed, service, 'Sum', samplePeriod),
  ];
};

const versionWindow = (r: MetricResults, tag: 'c' | 'b', version: string): VersionWindow => {
  const p95create = max(r[`${tag}_p95create`]);
  const p95status = max(r[`${tag}_p95status`]);
  const p95read = max(r[`${tag}_p95read`]);
  return {
    version,
    invocations: sum(r[`${tag}_inv`]),
    errors: sum(r[`${tag}_err`]),
    throttles: sum(r[`${tag}_thr`]),
    durationSamples: [...(r[`${tag}_dur`] ?? [])],
    p95: {
      ...(p95create !== undefined ? { create: p95create } : {}),
      ...(p95status !== undefined ? { status: p95status } : {}),
      ...(p95read !== undefined ? { read: p95read } : {}),
    },
    operations: sum(r[`${tag}_ops`]),
    processingFailures: sum(r[`${tag}_fail`]),
    eventsPublished: sum(r[`${tag}_pub`]),
    eventPublishFailures: sum(r[`${tag}_pubfail`]),
  };
};

/**
 * Reads one analysis window from CloudWatch: canary and stable version side by side over
 * the same seconds, the DLQ depth and DynamoDB throttles. Alarms and smoke are added by
 * the caller, which owns those reads.
 */
export const readWindow = async (input: {
  cloudwatch: CloudWatchApi;
  env: Environment;
  canary: string;
  baseline: string;
  windowSeconds: number;
  now: Date;
}): Promise<
  Omit<CanarySamples, 'alarmsInAlarm' | 'allowedAlarms' | 'criticalSmoke' | 'endOfBake'>
> => {
  const { env, windowSeconds } = input;
  // Enough fine periods for a rank test, but never below CloudWatch's 1 s resolution.
  // Lambda's metrics are stored per minute in AWS: below a 5-minute window (the sandbox,
  // compressed bakes) finer periods exist; at the plan's 300 s, one sample per minute.
  const samplePeriod =
    windowSeconds >= 300 ? 60 : validPeriod(Math.max(1, Math.floor(windowSeconds / 30)));
  // p95 over the window: one period covering it (at most two buckets once aligned; the
  // worse bucket counts). Counts use the fine period and are summed.
  const period = validPeriod(windowSeconds);
  const queries: MetricQuery[] = [
    ...versionQueries(env, 'c', input.canary, period, samplePeriod),
    ...versionQueries(env, 'b', input.baseline, period, samplePeriod),
    {
      id: 'dlq',
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: env.dlq },
      stat: 'Maximum',
      periodSeconds: period,
    },
    {
      // The sandbox's own load (absent in AWS): a saturated window judges the machine.
      id: 'sat',
      namespace: 'Sandbox',
      metricName: 'Saturated',
      dimensions: {},
      stat: 'Maximum',
      periodSeconds: samplePeriod,
    },
    // The table's throttle events (ThrottledRequests exists only per operation in AWS).
    ...(['ReadThrottleEvents', 'WriteThrottleEvents'] as const).map((metricName, i) => ({
      id: `ddbthr${i}`,
      namespace: 'AWS/DynamoDB',
      metricName,
      dimensions: { TableName: env.tableName },
      stat: 'Sum',
      periodSeconds: period,
    })),
  ];
  const end = input.now;
  const start = new Date(end.getTime() - windowSeconds * 1000);
  const r = await input.cloudwatch.getMetrics(queries, start, end);
  const dlq = max(r.dlq);
  const saturation = r.sat ?? [];
  return {
    ...(saturation.length
      ? {
          hostSaturation: {
            saturated: saturation.filter((v) => v >= 1).length,
            samples: saturation.length,
          },
        }
      : {}),
    canary: versionWindow(r, 'c', input.canary),
    baseline: versionWindow(r, 'b', input.baseline),
    windowSeconds,
    ...(dlq !== undefined ? { dlqDepth: dlq } : {}),
    dynamoThrottles: sum(r.ddbthr0) + sum(r.ddbthr1),
  };
};

/**
 * The alias's invocation rate over the last `lookbackSeconds` (per second), before any
 * weight is set: `{FunctionName, Resource: <fn>:<alias>}`. The whole lookback counts — a
 * minute of silence and ten seconds of traffic average to a low rate, because traffic that
 * started seconds ago is not a rate to plan a bake on.
 */
export const readAliasRate = async (input: {
  cloudwatch: CloudWatchApi;
  env: Environment;
  lookbackSeconds: number;
  now: Date;
}): Promise<number> => {
  const period = validPeriod(Math.max(1, Math.floor(input.lookbackSeconds / 30)));
  const r = await input.cloudwatch.getMetrics(
    [
      {
        id: 'rate',
        namespace: 'AWS/Lambda',
        metricName: 'Invocations',
        dimensions: {
          FunctionName: input.env.functionName,
          Resource: `${input.env.functionName}:${input.env.alias}`,
        },
        stat: 'Sum',
        periodSeconds: period,
      },
    ],
    new Date(input.now.getTime() - input.lookbackSeconds * 1000),
    input.now,
  );
  return sum(r.rate) / input.lookbackSeconds;
};
