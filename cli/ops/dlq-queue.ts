import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { notFound } from '../aws/not-found.js';
import { PromoteError } from '../errors.js';
import { type DlqMessage, parseDlqMessage } from './dlq-messages.js';

/**
 * Reading an environment's DLQ without consuming it: messages are received with a short
 * visibility timeout and made visible again at once (ChangeMessageVisibility 0), so a look
 * never hides a message from a redrive or a colleague for longer than it takes.
 */

export interface DlqQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  /** ApproximateNumberOfMessages: ready to be received. */
  readonly visible: number;
  /** ApproximateNumberOfMessagesNotVisible: received by someone, not yet deleted. */
  readonly inFlight: number;
  readonly delayed: number;
  readonly retentionSeconds: number;
}

/** The queue and its depth; a missing queue is a clear error, not an SDK one. */
export const describeDlq = async (sqs: SQSClient, name: string): Promise<DlqQueue> => {
  let url: string | undefined;
  try {
    url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (error) {
    if (!notFound(error)) throw error;
  }
  if (!url) {
    throw new PromoteError(
      'preflight_blocked',
      'DLQ_NOT_FOUND',
      `the DLQ ${name} does not exist`,
      'terraform creates it (terraform/modules/events); in the sandbox, promote sandbox up provisions it',
    );
  }
  const { Attributes: a = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
  );
  return {
    name,
    url,
    arn: a.QueueArn ?? '',
    visible: Number(a.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
    retentionSeconds: Number(a.MessageRetentionPeriod ?? 0),
  };
};

/**
 * One receive of at most `max` (≤ 10) messages, hidden for `visibilitySeconds`, with their
 * attributes. Waits up to a second when the queue looks empty: a short poll can miss
 * messages that are there (SQS samples its servers).
 */
export const receiveBatch = async (
  sqs: SQSClient,
  url: string,
  max: number,
  visibilitySeconds: number,
): Promise<Message[]> => {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: Math.max(1, Math.min(10, max)),
      VisibilityTimeout: visibilitySeconds,
      WaitTimeSeconds: 1,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
    }),
  );
  return out.Messages ?? [];
};

/** Makes received messages visible again (the look is over, or they stay for later). */
export const release = async (sqs: SQSClient, url: string, messages: readonly Message[]) => {
  for (let i = 0; i < messages.length; i += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: messages.slice(i, i + 10).map((m, j) => ({
          Id: String(j),
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
};

/**
 * Looks at up to `scan` messages and puts them all back. Returns them oldest first; the
 * oldest age is exact when every message was seen (`complete`), else a lower bound.
 */
export const peekDlq = async (
  sqs: SQSClient,
  queue: Pick<DlqQueue, 'url'>,
  scan: number,
): Promise<{ messages: DlqMessage[]; complete: boolean }> => {
  const seen = new Map<string, Message>();
  try {
    while (seen.size < scan) {
      const batch = await receiveBatch(sqs, queue.url, scan - seen.size, 30);
      const fresh = batch.filter((m) => m.MessageId && !seen.has(m.MessageId));
      if (fresh.length === 0) break;
      for (const m of fresh) seen.set(m.MessageId as string, m);
    }
  } finally {
    await release(sqs, queue.url, [...seen.values()]);
  }
  const messages = [...seen.values()]
    .map(parseDlqMessage)
    .sort((a, b) => (a.sentAt ?? 0) - (b.sentAt ?? 0));
  // The loop ended before `scan`: the queue had no more to give.
  return { messages, complete: seen.size < scan };
};
