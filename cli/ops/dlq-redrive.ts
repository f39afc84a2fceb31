import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Environment } from '../../infra/environments.js';
import { maskText } from '../../service/adapters/pii-mask.js';
import { type Destination, describeDestination, destinationOf } from './dlq-destinations.js';
import { parseDlqMessage } from './dlq-messages.js';
import { receiveBatch, release } from './dlq-queue.js';

/**
 * `promote dlq <env> --redrive`: each message goes back to the target that failed it (the
 * function, asynchronously, at the alias or version the rule targets — as EventBridge invokes
 * it) and is deleted only once that target accepted it. Refused, skipped and dry-run messages
 * are made visible again. Safe to repeat: the consumer deduplicates by event id, and a message
 * whose delete failed is at worst sent twice.
 */

/** SDK clients per region (a rule's target may live in another region: PROD's failover bus). */
export interface RedriveClients {
  readonly sqs: SQSClient;
  readonly lambda: (region: string) => LambdaClient;
  readonly events: (region: string) => EventBridgeClient;
  readonly sqsIn: (region: string) => SQSClient;
}

export interface RedriveOutcome {
  readonly messageId: string;
  readonly eventId?: string;
  readonly destination: string;
  readonly status: 'sent' | 'would-send' | 'failed' | 'skipped';
  /** The target's receipt: Lambda's request id, the bus's event id, the queue's message id. */
  readonly receipt?: string;
  readonly error?: string;
  /** Removed from the DLQ (only after `sent`). */
  readonly deleted: boolean;
}

export interface RedriveReport {
  readonly dryRun: boolean;
  readonly max: number;
  readonly outcomes: readonly RedriveOutcome[];
  readonly counts: Record<RedriveOutcome['status'] | 'deleted', number>;
}

/** Sends one message's body to its destination; resolves the receipt, throws when refused. */
export const sendTo = async (
  destination: Exclude<Destination, { kind: 'skip' }>,
  body: string,
  clients: RedriveClients,
): Promise<string | undefined> => {
  switch (destination.kind) {
    case 'lambda': {
      const out = await clients.lambda(destination.region).send(
        new InvokeCommand({
          FunctionName: destination.functionArn,
          ...(destination.qualifier ? { Qualifier: destination.qualifier } : {}),
          InvocationType: 'Event',
          Payload: Buffer.from(body),
        }),
      );
      // 202 is Lambda's "accepted for asynchronous invocation".
      if (out.StatusCode !== 202) throw new Error(`Lambda answered ${out.StatusCode}, not 202`);
      return out.$metadata?.requestId;
    }
    case 'event-bus': {
      const out = await clients.events(destination.region).send(
        new PutEventsCommand({
          Entries: [{ ...destination.entry, EventBusName: destination.bus }],
        }),
      );
      const entry = out.Entries?.[0];
      if (out.FailedEntryCount || !entry?.EventId) {
        throw new Error(`${entry?.ErrorCode ?? 'PutEvents failed'}: ${entry?.ErrorMessage ?? ''}`);
      }
      return entry.EventId;
    }
    case 'sqs': {
      const sqs = clients.sqsIn(destination.region);
      const { QueueUrl } = await sqs.send(
        new GetQueueUrlCommand({
          QueueName: destination.queueName,
          QueueOwnerAWSAccountId: destination.account,
        }),
      );
      const out = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
      return out.MessageId;
    }
  }
};

/** Why a target refused, masked: it is printed and journaled (an error may quote the event). */
const reason = (error: unknown) =>
  maskText(error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/**
 * Redrives up to `max` messages of the queue at `queueUrl`. A message is held invisible
 * (`visibilitySeconds`) while the run goes on, so it is met once per run; everything not
 * deleted is released at the end, whatever happened.
 */
export const redriveDlq = async (options: {
  readonly queueUrl: string;
  readonly env: Environment;
  readonly clients: RedriveClients;
  readonly max: number;
  readonly dryRun: boolean;
  readonly visibilitySeconds?: number;
  readonly onOutcome?: (outcome: RedriveOutcome) => void;
}): Promise<RedriveReport> => {
  const { sqs } = options.clients;
  const outcomes: RedriveOutcome[] = [];
  const held: Message[] = [];
  const seen = new Set<string>();
  const record = (outcome: RedriveOutcome) => {
    outcomes.push(outcome);
    options.onOutcome?.(outcome);
  };
  try {
    while (outcomes.length < options.max) {
      const batch = await receiveBatch(
        sqs,
        options.queueUrl,
        options.max - outcomes.length,
        options.visibilitySeconds ?? 60,
      );
      const fresh = batch.filter((m) => m.MessageId && !seen.has(m.MessageId));
      // Already-seen messages came back (their visibility ran out): not sent twice in one run.
      held.push(...batch.filter((m) => !fresh.includes(m)));
      if (fresh.length === 0) break;
      for (const raw of fresh) {
        seen.add(raw.MessageId as string);
        const message = parseDlqMessage(raw);
        const destination = destinationOf(message, options.env);
        const base = {
          messageId: message.messageId,
          ...(message.eventId ? { eventId: message.eventId } : {}),
          destination: describeDestination(destination),
        };
        if (destination.kind === 'skip' || options.dryRun) {
          held.push(raw);
          record({
            ...base,
            status: destination.kind === 'skip' ? 'skipped' : 'would-send',
            deleted: false,
          });
          continue;
        }
        let receipt: string | undefined;
        try {
          receipt = await sendTo(destination, message.body, options.clients);
        } catch (error) {
          held.push(raw);
          record({ ...base, status: 'failed', error: reason(error), deleted: false });
          continue;
        }
        let deleted = true;
        let error: string | undefined;
        try {
          await sqs.send(
            new DeleteMessageCommand({
              QueueUrl: options.queueUrl,
              ReceiptHandle: raw.ReceiptHandle,
            }),
          );
        } catch (e) {
          // Sent but still in the DLQ: a later redrive sends it again, which the
          // idempotent consumer absorbs. Said, not hidden.
          deleted = false;
          error = `sent, but not deleted from the DLQ: ${reason(e)}`;
        }
        record({
          ...base,
          status: 'sent',
          ...(receipt ? { receipt } : {}),
          ...(error ? { error } : {}),
          deleted,
        });
      }
    }
  } finally {
    await release(sqs, options.queueUrl, held);
  }
  const count = (status: RedriveOutcome['status']) =>
    outcomes.filter((o) => o.status === status).length;
  return {
    dryRun: options.dryRun,
    max: options.max,
    outcomes,
    counts: {
      sent: count('sent'),
      'would-send': count('would-send'),
      failed: count('failed'),
      skipped: count('skipped'),
      deleted: outcomes.filter((o) => o.deleted).length,
    },
  };
};
