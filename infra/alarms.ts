import type { Environment } from './environments.js';

/**
 * The plan's CloudWatch alarms (§ Monitoring & Alerts) as data. Terraform and the sandbox
 * create exactly these; the canary gates treat any of them in ALARM as a rollback trigger.
 */

/** One metric a CloudWatch alarm or expression reads. */
export interface MetricRef {
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** `Sum`, `Average`, `p95`, … */
  readonly stat: string;
}

export interface AlarmSpec {
  /** Full alarm name, e.g. `order-handler-prod-high-error-rate`. */
  readonly name: string;
  /** The plan's wording, kept for reports. */
  readonly planName: string;
  readonly description: string;
  readonly metrics: readonly MetricRef[];
  /** Metric-math expression over `metrics` ids; absent → the single metric itself. */
  readonly expression?: string;
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  /** The plan's "CRITICAL" marking. */
  readonly critical: boolean;
}

const lambda = (e: Environment, id: string, metricName: string, stat: string): MetricRef => ({
  id,
  namespace: 'AWS/Lambda',
  metricName,
  dimensions: { FunctionName: e.functionName },
  stat,
});

const service = (
  e: Environment,
  id: string,
  metricName: string,
  stat: string,
  extra: Record<string, string> = {},
): MetricRef => ({
  id,
  namespace: 'OrderService',
  metricName,
  dimensions: { service: 'order-service', environment: e.name, ...extra },
  stat,
});

/** The eight alarms of the plan for one environment. */
export const planAlarms = (e: Environment): readonly AlarmSpec[] => {
  const name = (suffix: string) => `${e.functionName}-${suffix}`;
  const base = { periodSeconds: 60, evaluationPeriods: 1, critical: false };
  return [
    {
      ...base,
      name: name('high-error-rate'),
      planName: 'High Error Rate',
      description: 'Lambda errors above 5% of invocations',
      metrics: [
        lambda(e, 'errors', 'Errors', 'Sum'),
        lambda(e, 'invocations', 'Invocations', 'Sum'),
      ],
      expression: '100 * errors / invocations',
      threshold: 5,
    },
    {
      ...base,
      name: name('high-duration-create'),
      planName: 'High Duration (Create)',
      description: 'p95 latency of create above 3 s',
      metrics: [service(e, 'latency', 'Latency', 'p95', { operation: 'create' })],
      threshold: 3000,
    },
    {
      ...base,
      name: name('high-duration-read'),
      planName: 'High Duration (Read)',
      description: 'p95 latency of get above 1 s',
      metrics: [service(e, 'latency', 'Latency', 'p95', { operation: 'get' })],
      threshold: 1000,
    },
    {
      ...base,
      name: name('throttling'),
      planName: 'Throttling',
      description: 'more than 10 Lambda throttles per minute',
      metrics: [lambda(e, 'throttles', 'Throttles', 'Sum')],
      threshold: 10,
    },
    {
      ...base,
      name: name('dlq-depth'),
      planName: 'Dead Letter Queue',
      description: 'more than 5 messages waiting in the DLQ',
      metrics: [
        {
          id: 'depth',
          namespace: 'AWS/SQS',
          metricName: 'ApproximateNumberOfMessagesVisible',
          dimensions: { QueueName: e.dlq },
          stat: 'Maximum',
        },
      ],
      threshold: 5,
      critical: true,
    },
    {
      ...base,
      name: name('eventbridge-failures'),
      planName: 'EventBridge Failures',
      description: 'more than 1% of order events failed to publish',
      metrics: [
        service(e, 'failed', 'EventPublishFailed', 'Sum'),
        service(e, 'published', 'EventsPublished', 'Sum'),
      ],
      expression: '100 * failed / (failed + published)',
      threshold: 1,
    },
    {
      ...base,
      name: name('order-processing-failures'),
      planName: 'Order Processing Failures',
      description: 'more than 1% of order operations failed server-side',
      metrics: [service(e, 'failed', 'OrderProcessingFailed', 'Average')],
      expression: '100 * failed',
      threshold: 1,
    },
    {
      ...base,
      name: name('dynamodb-throttling'),
      planName: 'DynamoDB Throttling',
      description: 'any throttled DynamoDB request on the orders table',
      // ThrottledRequests exists only per table *and operation*: by table alone it never has
      // data in AWS. The table-level throttle events do; SUM([…]) counts whichever has data.
      metrics: [
        {
          id: 'reads',
          namespace: 'AWS/DynamoDB',
          metricName: 'ReadThrottleEvents',
          dimensions: { TableName: e.tableName },
          stat: 'Sum',
        },
        {
          id: 'writes',
          namespace: 'AWS/DynamoDB',
          metricName: 'WriteThrottleEvents',
          dimensions: { TableName: e.tableName },
          stat: 'Sum',
        },
      ],
      expression: 'SUM([reads, writes])',
      threshold: 0,
    },
  ];
};
