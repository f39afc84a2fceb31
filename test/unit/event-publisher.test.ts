import type { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  EventBridgePublisher,
  ORDER_EVENT_SOURCE,
  type OrderEvent,
} from '../../service/adapters/event-publisher.js';

const BUS = 'orders-bus-test';
const DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/000000000000/orders-events-dlq';

const event: OrderEvent = {
  type: 'order.confirmed',
  detail: {
    metadata: {
      event_id: 'evt_01JH0000000000000000000000',
      order_id: 'ord_01JH0000000000000000000000',
      version: 2,
      occurred_at: '2025-03-01T10:00:00.000Z',
    },
    data: { status: 'confirmed', customer_id: 'cust_test_001' },
  },
};

describe('EventBridgePublisher', () => {
  const eventBridge = mockClient(EventBridgeClient);
  const sqs = mockClient(SQSClient);
  let logger: { warn: ReturnType<typeof vi.fn>; error: ReturnType<typeof vi.fn> };
  let onFailure: ReturnType<typeof vi.fn>;

  const publisher = (dlqUrl: string | undefined) =>
    new EventBridgePublisher(
      new EventBridgeClient({ region: 'eu-west-1' }),
      new SQSClient({ region: 'eu-west-1' }),
      BUS,
      dlqUrl,
      logger as unknown as Logger,
      onFailure as unknown as () => void,
    );

  beforeEach(() => {
    eventBridge.reset();
    sqs.reset();
    logger = { warn: vi.fn(), error: vi.fn() };
    onFailure = vi.fn();
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('publishes one entry with the order envelope and does not touch the DLQ', async () => {
    // Prepare
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });

    // Act
    const published = await publisher(DLQ_URL).publish(event);

    // Assess
    expect(published).toBe(true);
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(1);
    const entries = calls[0]!.args[0].input.Entries!;
    expect(entries).toHaveLength(1);
    const entry = entries[0]!;
    expect(entry.Source).toBe('bbws.orders');
    expect(entry.Source).toBe(ORDER_EVENT_SOURCE);
    expect(entry.DetailType).toBe('order.confirmed');
    expect(entry.EventBusName).toBe(BUS);
    expect(entry.Time).toEqual(new Date('2025-03-01T10:00:00.000Z'));
    expect(JSON.parse(entry.Detail!)).toEqual(event.detail);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(onFailure).not.toHaveBeenCalled();
  });

  it('parks an entry EventBridge refused in the DLQ with the reason', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm1' });

    // Act
    const published = await publisher(DLQ_URL).publish(event);

    // Assess
    expect(published).toBe(false);
    expect(onFailure).toHaveBeenCalledTimes(1);
    const calls = sqs.commandCalls(SendMessageCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.QueueUrl).toBe(DLQ_URL);
    expect(JSON.parse(input.MessageBody!)).toEqual({
      ...event,
      failure: 'InternalFailure: try again',
    });
    expect(input.MessageAttributes?.event_type).toEqual({
      DataType: 'String',
      StringValue: 'order.confirmed',
    });
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('parks the event in the DLQ when PutEvents throws', async () => {
    // Prepare
    const outage = new Error('service unavailable');
    outage.name = 'ServiceUnavailableException';
    eventBridge.on(PutEventsCommand).rejects(outage);
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm2' });

    // Act
    const published = await publisher(DLQ_URL).publish(event);

    // Assess
    expect(published).toBe(false);
    expect(onFailure).toHaveBeenCalledTimes(1);
    const calls = sqs.commandCalls(SendMessageCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input.QueueUrl).toBe(DLQ_URL);
    expect(JSON.parse(calls[0]!.args[0].input.MessageBody!)).toMatchObject({
      type: 'order.confirmed',
      detail: event.detail,
      failure: 'ServiceUnavailableException: service unavailable',
    });
  });

  it('does not throw when the DLQ refuses the event too', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).rejects(new Error('eventbridge down'));
    sqs.on(SendMessageCommand).rejects(new Error('sqs down'));

    // Act
    const published = await publisher(DLQ_URL).publish(event);

    // Assess
    expect(published).toBe(false);
    expect(onFailure).toHaveBeenCalledTimes(1);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error.mock.calls[0]![1]).toMatchObject({
      event_id: event.detail.metadata.event_id,
      type: 'order.confirmed',
      dlq_error: 'sqs down',
    });
  });

  it('logs instead of sending when no DLQ is configured', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{}] });

    // Act
    const published = await publisher(undefined).publish(event);

    // Assess
    expect(published).toBe(false);
    expect(onFailure).toHaveBeenCalledTimes(1);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error.mock.calls[0]![1]).toMatchObject({ reason: 'unknown: ' });
  });
});
