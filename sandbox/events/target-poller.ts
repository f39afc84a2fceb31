import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { MetricSink } from '../cloudwatch/metric-sink.js';
import { motoClient } from '../moto/clients.js';
import type { LambdaTarget, LambdaTargetTable } from './lambda-targets.js';

/** Invokes a function with an event; resolves false on a function error or throttle. */
export type TargetInvoker = (
  target: LambdaTarget,
  event: Buffer,
) => Promise<{ ok: boolean; error?: string }>;

/**
 * Delivers events from the shadow queues to their functions, like EventBridge's async
 * invocation: retried up to the target's MaximumRetryAttempts, then parked in the target's
 * dead-letter queue, with AWS/Events Invocations and FailedInvocations per rule.
 */
export class TargetPoller {
  private timer: NodeJS.Timeout | undefined;
  private readonly queueUrls = new Map<string, string>();
  private running = false;

  constructor(
    private readonly options: {
      motoEndpoint: string;
      targets: LambdaTargetTable;
      invoke: TargetInvoker;
      metrics: MetricSink;
      intervalMs?: number;
    },
  ) {}

  start(): void {
    const tick = async () => {
      if (this.running) return;
      this.running = true;
      try {
        await this.pollOnce();
      } finally {
        this.running = false;
      }
    };
    this.timer = setInterval(() => void tick(), this.options.intervalMs ?? 250);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass over every shadow queue; returns the number of deliveries attempted. */
  async pollOnce(): Promise<number> {
    let attempted = 0;
    for (const target of this.options.targets.all()) {
      const sqs = motoClient(SQSClient, this.options.motoEndpoint, target.account, target.region);
      // Queue URLs are stable: looked up once, forgotten when a receive fails.
      const urlKey = `${target.account}/${target.region}/${target.queueName}`;
      let url = this.queueUrls.get(urlKey);
      if (!url) {
        url = await sqs
          .send(new GetQueueUrlCommand({ QueueName: target.queueName }))
          .then((r) => r.QueueUrl)
          .catch(() => undefined);
        if (!url) continue;
        this.queueUrls.set(urlKey, url);
      }
      const queueUrl = url;
      const batch = await sqs
        .send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
        )
        .catch((error: Error) => {
          this.queueUrls.delete(urlKey);
          throw error;
        });
      for (const message of batch.Messages ?? []) {
        attempted += 1;
        const result = await this.options
          .invoke(target, Buffer.from(message.Body ?? '{}'))
          .catch((error: Error) => ({ ok: false, error: error.message }));
        const receives = Number(message.Attributes?.ApproximateReceiveCount ?? 1);
        this.metric(target, 'Invocations', 1);
        if (result.ok) {
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
          );
          continue;
        }
        if (receives > target.maximumRetryAttempts) {
          this.metric(target, 'FailedInvocations', 1);
          await this.park(sqs, target, message.Body ?? '', result.error ?? 'function error');
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
          );
        }
        // Otherwise the message becomes visible again after 1 s: a retry.
      }
    }
    return attempted;
  }

  private async park(sqs: SQSClient, target: LambdaTarget, body: string, error: string) {
    if (!target.deadLetterArn) return;
    const queueName = target.deadLetterArn.split(':').pop();
    const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl;
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: body,
        MessageAttributes: {
          ERROR_CODE: { DataType: 'String', StringValue: 'FunctionError' },
          ERROR_MESSAGE: { DataType: 'String', StringValue: error.slice(0, 256) },
          RULE_ARN: {
            DataType: 'String',
            StringValue: `arn:aws:events:${target.region}:${target.account}:rule/${target.ruleName}`,
          },
          TARGET_ARN: { DataType: 'String', StringValue: target.functionArn },
        },
      }),
    );
  }

  private metric(target: LambdaTarget, name: string, value: number) {
    this.options.metrics.put([
      {
        account: target.account,
        region: target.region,
        namespace: 'AWS/Events',
        metricName: name,
        dimensions: { RuleName: target.ruleName },
        timestamp: Date.now(),
        values: [value],
        unit: 'Count',
      },
    ]);
  }
}
