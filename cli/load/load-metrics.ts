import type { Environment } from '../../infra/environments.js';
import type { CloudWatchApi, MetricQuery, MetricResults } from '../aws/cloudwatch-api.js';
import { validPeriod } from '../canary/read-window.js';

/**
 * The service's side of a load run, read from CloudWatch over the run's own window: Lambda
 * throttles (as the plan's Throttling alarm reads them, per function, and through the
 * alias the API invokes, as the canary reads traffic), Duration p95, ConcurrentExecutions,
 * and DynamoDB's throttles on the orders table.
 */

/** One figure: its value (null when CloudWatch had nothing) and how many datapoints made it. */
export interface MetricFigure {
  readonly value: number | null;
  readonly datapoints: number;
}

export interface ServiceMetrics {
  readonly window: { readonly start: string; readonly end: string };
  readonly lambda: {
    /** `{FunctionName}` Sum over the window (what the plan's alarm reads). */
    readonly throttles: MetricFigure;
    /** Worst 60-second period of the same. */
    readonly throttlesPerMinuteMax: MetricFigure;
    /** `{FunctionName, Resource: <fn>:<alias>}`: the API's invocations only. */
    readonly aliasThrottles: MetricFigure;
    readonly invocations: MetricFigure;
    readonly errors: MetricFigure;
    readonly durationP95Ms: MetricFigure;
    readonly concurrentExecutionsMax: MetricFigure;
  };
  readonly dynamodb: {
    /** Σ over the operations the service calls (AWS publishes it per `{TableName, Operation}`). */
    readonly throttledRequests: MetricFigure;
    /** The table and each GSI. */
    readonly readThrottleEvents: MetricFigure;
    readonly writeThrottleEvents: MetricFigure;
  };
  /** What to know when reading the figures (e.g. no datapoints at all). */
  readonly notes: readonly string[];
}

/**
 * The DynamoDB operations the service's repository sends to the orders table
 * (service/adapters/order-repository.ts): ThrottledRequests exists only per operation.
 */
export const ORDER_TABLE_OPERATIONS = ['GetItem', 'PutItem', 'DeleteItem', 'Query', 'Scan'];

const COUNT_PERIOD = 60;

const query = (
  id: string,
  namespace: string,
  metricName: string,
  dimensions: Record<string, string>,
  stat: string,
  periodSeconds: number,
): MetricQuery => ({ id, namespace, metricName, dimensions, stat, periodSeconds });

/** The queries for one window (exported for the unit test). */
export const loadQueries = (env: Environment, windowSeconds: number): MetricQuery[] => {
  const fn = { FunctionName: env.functionName };
  const alias = { ...fn, Resource: `${env.functionName}:${env.alias}` };
  // Percentiles and maxima over the whole window: one period covering it (two once
  // aligned; the worse counts). Counts per minute, so the alarm's per-minute rule applies.
  const whole = validPeriod(windowSeconds);
  const table = { TableName: env.tableName };
  return [
    query('fnthr', 'AWS/Lambda', 'Throttles', fn, 'Sum', COUNT_PERIOD),
    query('althr', 'AWS/Lambda', 'Throttles', alias, 'Sum', COUNT_PERIOD),
    query('inv', 'AWS/Lambda', 'Invocations', alias, 'Sum', COUNT_PERIOD),
    query('err', 'AWS/Lambda', 'Errors', alias, 'Sum', COUNT_PERIOD),
    query('dur', 'AWS/Lambda', 'Duration', alias, 'p95', whole),
    query('conc', 'AWS/Lambda', 'ConcurrentExecutions', alias, 'Maximum', whole),
    ...ORDER_TABLE_OPERATIONS.map((op, i) =>
      query(
        `ddbreq${i}`,
        'AWS/DynamoDB',
        'ThrottledRequests',
        { ...table, Operation: op },
        'Sum',
        COUNT_PERIOD,
      ),
    ),
    ...[undefined, ...env.gsis].flatMap((gsi, i) => {
      const dims = gsi ? { ...table, GlobalSecondaryIndexName: gsi } : table;
      return [
        query(`ddbread${i}`, 'AWS/DynamoDB', 'ReadThrottleEvents', dims, 'Sum', COUNT_PERIOD),
        query(`ddbwrite${i}`, 'AWS/DynamoDB', 'WriteThrottleEvents', dims, 'Sum', COUNT_PERIOD),
      ];
    }),
  ];
};

const values = (r: MetricResults, ids: readonly string[]) => ids.flatMap((id) => r[id] ?? []);

/** Counts: no datapoint means nothing was counted (AWS publishes throttles only when they happen). */
const count = (r: MetricResults, ids: readonly string[]): MetricFigure => {
  const v = values(r, ids);
  return { value: v.reduce((a, b) => a + b, 0), datapoints: v.length };
};

const maximum = (r: MetricResults, ids: readonly string[], emptyIsZero: boolean): MetricFigure => {
  const v = values(r, ids);
  return {
    value: v.length ? Math.round(Math.max(...v) * 10) / 10 : emptyIsZero ? 0 : null,
    datapoints: v.length,
  };
};

const idsLike = (r: MetricResults, prefix: string) =>
  Object.keys(r).filter((id) => id.startsWith(prefix));

/** Reduces GetMetricData results to the report's figures (pure; exported for tests). */
export const toServiceMetrics = (r: MetricResults, start: Date, end: Date): ServiceMetrics => {
  const metrics: Omit<ServiceMetrics, 'notes'> = {
    window: { start: start.toISOString(), end: end.toISOString() },
    lambda: {
      throttles: count(r, ['fnthr']),
      throttlesPerMinuteMax: maximum(r, ['fnthr'], true),
      aliasThrottles: count(r, ['althr']),
      invocations: count(r, ['inv']),
      errors: count(r, ['err']),
      durationP95Ms: maximum(r, ['dur'], false),
      concurrentExecutionsMax: maximum(r, ['conc'], false),
    },
    dynamodb: {
      throttledRequests: count(r, idsLike(r, 'ddbreq')),
      readThrottleEvents: count(r, idsLike(r, 'ddbread')),
      writeThrottleEvents: count(r, idsLike(r, 'ddbwrite')),
    },
  };
  const notes: string[] = [];
  if (metrics.lambda.invocations.datapoints === 0) {
    notes.push(
      'no Lambda Invocations datapoint for the alias in the window: CloudWatch may not have the run yet (raise --metrics-wait)',
    );
  }
  const ddb = metrics.dynamodb;
  if (
    ddb.throttledRequests.datapoints +
      ddb.readThrottleEvents.datapoints +
      ddb.writeThrottleEvents.datapoints ===
    0
  ) {
    notes.push(
      'no DynamoDB throttle datapoint: none were published (AWS publishes them only when throttling happens)',
    );
  }
  return { ...metrics, notes };
};

/**
 * Reads the run's window `[start, end]`, widened to whole minutes (what CloudWatch does with
 * an unaligned start anyway): a conservative reading — never fewer throttles than the run
 * caused, possibly a few from the minute around it.
 */
export const readLoadMetrics = async (input: {
  readonly cloudwatch: CloudWatchApi;
  readonly env: Environment;
  readonly start: Date;
  readonly end: Date;
}): Promise<ServiceMetrics> => {
  const minute = COUNT_PERIOD * 1000;
  const from = new Date(Math.floor(input.start.getTime() / minute) * minute);
  const to = new Date(Math.ceil((input.end.getTime() + 1) / minute) * minute);
  const windowSeconds = (to.getTime() - from.getTime()) / 1000;
  const results = await input.cloudwatch.getMetrics(
    loadQueries(input.env, windowSeconds),
    from,
    to,
  );
  return toServiceMetrics(results, from, to);
};
