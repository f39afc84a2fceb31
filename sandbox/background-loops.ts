import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ENVIRONMENTS, type EnvName } from '../infra/environments.js';
import type { AlarmStore } from './cloudwatch/alarm-store.js';
import type { MetricStore } from './cloudwatch/metric-store.js';
import { motoClient } from './moto/clients.js';

/**
 * What CloudWatch does on its own every minute, compressed to every `tickMs`: sample each
 * DLQ's visible-message count into AWS/SQS, then evaluate every alarm.
 */
export const startBackgroundLoops = (options: {
  envs: readonly EnvName[];
  motoEndpoint: string;
  metrics: MetricStore;
  alarms: AlarmStore;
  log: (line: string) => void;
  tickMs: number;
}): NodeJS.Timeout => {
  let busy = false;
  const sampleDlqs = async () => {
    for (const name of options.envs) {
      const env = ENVIRONMENTS[name];
      const sqs = motoClient(SQSClient, options.motoEndpoint, env.account, env.region);
      const url = await sqs.send(new GetQueueUrlCommand({ QueueName: env.dlq }));
      const attributes = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url.QueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      options.metrics.put([
        {
          account: env.account,
          region: env.region,
          namespace: 'AWS/SQS',
          metricName: 'ApproximateNumberOfMessagesVisible',
          dimensions: { QueueName: env.dlq },
          timestamp: Date.now(),
          values: [Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0)],
          unit: 'Count',
        },
      ]);
    }
  };
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      await sampleDlqs().catch((error) => options.log(`DLQ sampling: ${error.message}`));
      for (const change of options.alarms.evaluateAlarms(Date.now())) {
        options.log(
          `alarm ${change.alarmName} (${change.account}): ${change.oldState} → ${change.newState}: ${change.reason}`,
        );
      }
    } finally {
      busy = false;
    }
  }, options.tickMs);
  timer.unref();
  return timer;
};
