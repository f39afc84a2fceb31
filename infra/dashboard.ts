import type { Environment } from './environments.js';

/**
 * The plan's dashboard `order-lambda-<env>-dashboard`: Invocations, Errors, Duration,
 * Throttles, Concurrent Executions, DLQ depth, EventBridge and order-processing metrics.
 */
export const dashboardBody = (e: Environment) => {
  const fn = ['FunctionName', e.functionName];
  const svc = ['service', 'order-service', 'environment', e.name];
  const widget = (title: string, metrics: unknown[][], y: number, x: number, stat = 'Sum') => ({
    type: 'metric',
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region: e.region, stat, period: 60, metrics },
  });
  return {
    widgets: [
      widget('Invocations', [['AWS/Lambda', 'Invocations', ...fn]], 0, 0),
      widget('Errors', [['AWS/Lambda', 'Errors', ...fn]], 0, 12),
      widget('Duration p95', [['AWS/Lambda', 'Duration', ...fn]], 6, 0, 'p95'),
      widget('Throttles', [['AWS/Lambda', 'Throttles', ...fn]], 6, 12),
      widget(
        'Concurrent executions',
        [['AWS/Lambda', 'ConcurrentExecutions', ...fn]],
        12,
        0,
        'Maximum',
      ),
      widget(
        'DLQ depth',
        [['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', e.dlq]],
        12,
        12,
        'Maximum',
      ),
      widget(
        'EventBridge publication',
        [
          ['OrderService', 'EventsPublished', ...svc],
          ['OrderService', 'EventPublishFailed', ...svc],
        ],
        18,
        0,
      ),
      widget(
        'Order processing',
        [
          ['OrderService', 'OrdersCreated', ...svc],
          ['OrderService', 'OrderProcessingFailed', ...svc],
        ],
        18,
        12,
      ),
    ],
  };
};
