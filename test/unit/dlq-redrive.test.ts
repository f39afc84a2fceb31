import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type RedriveClients, redriveDlq } from '../../cli/ops/dlq-redrive.js';
import { ENVIRONMENTS } from '../../infra/environments.js';

const sit = ENVIRONMENTS.sit;
const QUEUE_URL = `https://sqs.eu-west-1.amazonaws.com/${sit.account}/${sit.dlq}`;
const FUNCTION = `arn:aws:lambda:eu-west-1:${sit.account}:function:order-handler-sit`;

const deadLetter = (n: number, targetArn = `${FUNCTION}:live`): Message => ({
  MessageId: `m-${n}`,
  ReceiptHandle: `rh-${n}`,
  Body: JSON.stringify({
    id: `eb-${n}`,
    'detail-type': 'payment.succeeded',
    source: 'payments',
    time: '2026-12-01T10:00:00Z',
    detail: { order_id: `ord_${n}`, metadata: { event_id: `evt_${n}` } },
  }),
  MessageAttributes: {
    RULE_ARN: {
      DataType: 'String',
      StringValue: `arn:aws:events:eu-west-1:${sit.account}:rule/order-events-sit`,
    },
    TARGET_ARN: { DataType: 'String', StringValue: targetArn },
    ERROR_CODE: { DataType: 'String', StringValue: 'FUNCTION_ERROR' },
    RETRY_ATTEMPTS: { DataType: 'String', StringValue: '2' },
  },
});

describe('redriveDlq', () => {
  const sqs = mockClient(SQSClient);
  const lambda = mockClient(LambdaClient);
  const events = mockClient(EventBridgeClient);
  let queue: Message[];

  const clients: RedriveClients = {
    sqs: new SQSClient({ region: 'eu-west-1' }),
    sqsIn: () => new SQSClient({ region: 'eu-west-1' }),
    lambda: () => new LambdaClient({ region: 'eu-west-1' }),
    events: () => new EventBridgeClient({ region: 'eu-west-1' }),
  };

  /** The DLQ as SQS serves it: each receive hands out up to MaxNumberOfMessages, once. */
  const serve = (...messages: Message[]) => {
    queue = [...messages];
    sqs.on(ReceiveMessageCommand).callsFake((input) => ({
      Messages: queue.splice(0, input.MaxNumberOfMessages ?? 1),
    }));
  };

  const released = () =>
    sqs
      .commandCalls(ChangeMessageVisibilityBatchCommand)
      .flatMap((c) => c.args[0].input.Entries ?? [])
      .map((e) => [e.ReceiptHandle, e.VisibilityTimeout]);

  const deleted = () =>
    sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle);

  beforeEach(() => {
    sqs.reset();
    lambda.reset();
    events.reset();
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
    sqs.on(DeleteMessageCommand).resolves({});
  });

  it('invokes the failed function asynchronously with the original event, then deletes', async () => {
    // Prepare
    serve(deadLetter(1));
    lambda.on(InvokeCommand).resolves({ StatusCode: 202, $metadata: { requestId: 'req-1' } });

    // Act
    const report = await redriveDlq({
      queueUrl: QUEUE_URL,
      env: sit,
      clients,
      max: 10,
      dryRun: false,
    });

    // Assess
    const invoke = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(invoke).toMatchObject({
      FunctionName: FUNCTION,
      Qualifier: 'live',
      InvocationType: 'Event',
    });
    expect(JSON.parse(Buffer.from(invoke?.Payload as Uint8Array).toString()).id).toBe('eb-1');
    expect(deleted()).toEqual(['rh-1']);
    expect(report.outcomes).toEqual([
      {
        messageId: 'm-1',
        eventId: 'evt_1',
        destination: 'lambda order-handler-sit:live',
        status: 'sent',
        receipt: 'req-1',
        deleted: true,
      },
    ]);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('keeps a message the target refused, and makes it visible again', async () => {
    // Prepare
    serve(deadLetter(1), deadLetter(2));
    lambda
      .on(InvokeCommand)
      .rejectsOnce(Object.assign(new Error('Rate Exceeded.'), { name: 'TooManyRequestsException' }))
      .resolves({ StatusCode: 202 });

    // Act
    const report = await redriveDlq({
      queueUrl: QUEUE_URL,
      env: sit,
      clients,
      max: 10,
      dryRun: false,
    });

    // Assess
    expect(report.counts).toMatchObject({ sent: 1, failed: 1, deleted: 1 });
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', deleted: false });
    expect(report.outcomes[0]?.error).toContain('TooManyRequestsException');
    expect(deleted()).toEqual(['rh-2']);
    expect(released()).toEqual([['rh-1', 0]]);
  });

  it('does not delete when Lambda answers anything but 202', async () => {
    // Prepare
    serve(deadLetter(1));
    lambda.on(InvokeCommand).resolves({ StatusCode: 200 });

    // Act
    const report = await redriveDlq({
      queueUrl: QUEUE_URL,
      env: sit,
      clients,
      max: 10,
      dryRun: false,
    });

    // Assess
    expect(report.counts.failed).toBe(1);
    expect(deleted()).toEqual([]);
  });

  it('takes at most --max messages', async () => {
    // Prepare
    serve(deadLetter(1), deadLetter(2), deadLetter(3));
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

    // Act
    const report = await redriveDlq({
      queueUrl: QUEUE_URL,
      env: sit,
      clients,
      max: 2,
      dryRun: false,
    });

    // Assess
    expect(report.outcomes.map((o) => o.messageId)).toEqual(['m-1', 'm-2']);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(2);
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]?.args[0].input.MaxNumberOfMessages).toBe(2);
    expect(queue.map((m) => m.MessageId)).toEqual(['m-3']);
  });

  it('--dry-run sends nothing, deletes nothing, and puts every message back', async () => {
    // Prepare
    serve(deadLetter(1), deadLetter(2));

    // Act
    const report = await redriveDlq({
      queueUrl: QUEUE_URL,
      env: sit,
      clients,
      max: 10,
      dryRun: true,
    });

    // Assess
    expect(report.counts).toMatchObject({ 'would-send': 2, sent: 0, deleted: 0 });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(deleted()).toEqual([]);
    expect(released()).toEqual([
      ['rh-1', 0],
      ['rh-2', 0],
    ]);
  });

  it('sends a message met twice in one run only once', async () => {
    // Prepare: the first receive's visibility ran out, and SQS hands m-1 out again
    queue = [];
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [deadLetter(1)] })
      .resolvesOnce({ Messages: [{ ...deadLetter(1), ReceiptHandle: 'rh-1b' }] })
      .resolves({ Messages: [] });
    sqs.on(DeleteMessageCommand).rejects(new Error('ReceiptHandleIsInvalid'));
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

    // Act
    const report = await redriveDlq({
      queueUrl: QUEUE_URL,
      env: sit,
      clients,
      max: 10,
      dryRun: false,
    });

    // Assess
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    expect(report.outcomes).toHaveLength(1);
    expect(report.outcomes[0]).toMatchObject({ status: 'sent', deleted: false });
    expect(report.outcomes[0]?.error).toContain('not deleted');
    expect(released()).toEqual([['rh-1b', 0]]);
  });

  it('skips what it cannot send, and leaves it in the queue', async () => {
    // Prepare
    serve({ MessageId: 'm-x', ReceiptHandle: 'rh-x', Body: 'not an event' });

    // Act
    const report = await redriveDlq({
      queueUrl: QUEUE_URL,
      env: sit,
      clients,
      max: 10,
      dryRun: false,
    });

    // Assess
    expect(report.outcomes[0]).toMatchObject({ status: 'skipped', deleted: false });
    expect(deleted()).toEqual([]);
    expect(released()).toEqual([['rh-x', 0]]);
  });

  it('puts a failed bus target back on that bus, and checks FailedEntryCount', async () => {
    // Prepare
    serve(
      deadLetter(1, 'arn:aws:events:eu-west-1:093646564004:event-bus/order-events-prod'),
      deadLetter(2, 'arn:aws:events:eu-west-1:093646564004:event-bus/order-events-prod'),
    );
    events
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: 'new-1' }] })
      .resolves({
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'x' }],
      });

    // Act
    const report = await redriveDlq({
      queueUrl: QUEUE_URL,
      env: ENVIRONMENTS.prod,
      clients,
      max: 10,
      dryRun: false,
    });

    // Assess
    expect(events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]).toMatchObject({
      EventBusName: 'arn:aws:events:eu-west-1:093646564004:event-bus/order-events-prod',
      Source: 'payments',
      DetailType: 'payment.succeeded',
    });
    expect(report.outcomes.map((o) => o.status)).toEqual(['sent', 'failed']);
    expect(deleted()).toEqual(['rh-1']);
  });
});
