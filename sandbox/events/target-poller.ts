import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { MetricSink } from '../cloudwatch/metric-sink.js';
import { motoClient } from '../moto/clients.js';
import {
  classifyFailure,
  type DeliveryFailure,
  deadLetterAttributes,
  type ExhaustedCondition,
  retryVerdict,
  ruleArnOf,
} from './dlq-attributes.js';
import { eventsStateOf, queuesOfTarget } from './events-state.js';
import type { LambdaTarget, LambdaTargetTable } from './lambda-targets.js';
import { type QueueContentsStore, queueRefOf } from './queue-contents.js';

/**
 * Invokes a function with an event; resolves `ok: false` on a function error or a refused
 * invocation. `code` is EventBridge's ERROR_CODE when the invoker knows it; otherwise the
 * poller classifies `error` (dlq-attributes.ts).
 */
export type TargetInvoker = (
  target: LambdaTarget,
  event: Buffer,
) => Promise<{ ok: boolean; error?: string; code?: string }>;

/**
 * Delivers events from the shadow queues to their functions, like EventBridge's async
 * invocation: retried until the target's RetryPolicy runs out (MaximumRetryAttempts or
 * MaximumEventAgeInSeconds; a missing function or permission is not retried), then parked in
 * the target's dead-letter queue as EventBridge parks it — the original event as the body,
 * RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION and
 * RETRY_ATTEMPTS as attributes — with AWS/Events Invocations and FailedInvocations per rule.
 *
 * Its queues' contents outlive a restart (queue-contents.ts): restored before the first
 * poll, kept at every park, snapshotted by `stop()`. A poll costs one ReceiveMessage per
 * target, nothing more.
 */
export class TargetPoller {
  private timer: NodeJS.Timeout | undefined;
  private readonly queueUrls = new Map<string, string>();
  private running: Promise<void> | undefined;
  private restored: Promise<unknown> | undefined;
  private readonly queues: QueueContentsStore;

  constructor(
    private readonly options: {
      motoEndpoint: string;
      targets: LambdaTargetTable;
      invoke: TargetInvoker;
      metrics: MetricSink;
      intervalMs?: number;
      now?: () => number;
    },
  ) {
    this.queues = eventsStateOf(options.targets, options.motoEndpoint).queues;
  }

  private ownedQueues() {
    return this.options.targets.all().flatMap(queuesOfTarget);
  }

  start(): void {
    // Whatever was kept goes back first: a park before the restore would be restored twice.
    this.restored = Promise.all(this.ownedQueues().map((q) => this.queues.restore(q)));
    const tick = async () => {
      if (this.running) return;
      this.running = (async () => {
        await this.restored;
        await this.pollOnce();
      })()
        .catch(() => {})
        .finally(() => {
          this.running = undefined;
        });
    };
    this.timer = setInterval(() => void tick(), this.options.intervalMs ?? 250);
  }

  /** Stops polling, lets the poll under way finish, and keeps the queues' contents. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.queues.snapshot(this.ownedQueues()).catch(() => {});
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
            MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          }),
        )
        .catch((error: Error) => {
          this.queueUrls.delete(urlKey);
          throw error;
        });
      for (const message of batch.Messages ?? []) {
        attempted += 1;
        const result = await this.options.invoke(target, Buffer.from(message.Body ?? '{}')).catch(
          (error: Error): Awaited<ReturnType<TargetInvoker>> => ({
            ok: false,
            error: error.message,
          }),
        );
        const receives = Number(message.Attributes?.ApproximateReceiveCount ?? 1);
        this.metric(target, 'Invocations', 1);
        if (result.ok) {
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
          );
          continue;
        }
        const failure = classifyFailure(result.error ?? 'function error', result.code);
        const sentAt = Number(message.Attributes?.SentTimestamp ?? Date.now());
        const verdict = retryVerdict({
          failure,
          attempts: receives,
          maximumRetryAttempts: target.maximumRetryAttempts,
          ageSeconds: ((this.options.now ?? Date.now)() - sentAt) / 1000,
          maximumEventAgeSeconds: target.maximumEventAgeSeconds ?? 86_400,
        });
        // Otherwise the message becomes visible again after 1 s: a retry.
        if (!verdict.park) continue;
        this.metric(target, 'FailedInvocations', 1);
        await this.park(sqs, target, message.Body ?? '', failure, receives - 1, verdict.exhausted);
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
    }
    return attempted;
  }

  private async park(
    sqs: SQSClient,
    target: LambdaTarget,
    body: string,
    failure: DeliveryFailure,
    retryAttempts: number,
    exhausted: ExhaustedCondition | undefined,
  ) {
    const queue = target.deadLetterArn ? queueRefOf(target.deadLetterArn) : undefined;
    if (!queue) return; // no DLQ: EventBridge drops the event
    const attributes = deadLetterAttributes({
      ruleArn: ruleArnOf(target),
      targetArn: target.functionArn,
      failure,
      retryAttempts,
      ...(exhausted ? { exhausted } : {}),
    });
    const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: queue.name }))).QueueUrl;
    await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageAttributes: attributes }),
    );
    this.queues.recordParked(queue, {
      body,
      attributes: Object.fromEntries(
        Object.entries(attributes).map(([k, v]) => [
          k,
          { DataType: v.DataType ?? 'String', StringValue: v.StringValue ?? '' },
        ]),
      ),
      sentAt: Date.now(),
    });
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
