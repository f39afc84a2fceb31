import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { describeDestination, destinationOf } from '../../cli/ops/dlq-destinations.js';
import {
  formatDlqMessage,
  maskedView,
  parseDlqMessage,
  ruleNameOf,
} from '../../cli/ops/dlq-messages.js';
import { ENVIRONMENTS } from '../../infra/environments.js';

const sit = ENVIRONMENTS.sit;
const FUNCTION = `arn:aws:lambda:eu-west-1:${sit.account}:function:order-handler-sit`;

const attrs = (values: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
  );

const upstreamEvent = {
  version: '0',
  id: 'eb-id-1',
  'detail-type': 'payment.succeeded',
  source: 'payments',
  account: sit.account,
  time: '2026-12-01T10:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail: {
    order_id: 'ord_1',
    metadata: { event_id: 'evt_pay_1' },
    email: 'jane@example.com',
    shipping: { recipient_name: 'Jane Doe', city: 'Cape Town' },
  },
};

/** A message as EventBridge parks it, received with MessageAttributeNames All. */
const deadLetter = (
  overrides: Record<string, string> = {},
  body: unknown = upstreamEvent,
): Message => ({
  MessageId: 'm-1',
  ReceiptHandle: 'rh-1',
  Body: typeof body === 'string' ? body : JSON.stringify(body),
  Attributes: { SentTimestamp: '1764583200000', ApproximateReceiveCount: '2' },
  MessageAttributes: attrs({
    RULE_ARN: `arn:aws:events:eu-west-1:${sit.account}:rule/order-events-sit`,
    TARGET_ARN: `${FUNCTION}:live`,
    ERROR_CODE: 'FUNCTION_ERROR',
    ERROR_MESSAGE: 'Error: could not reach jane@example.com',
    EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
    RETRY_ATTEMPTS: '2',
    ...overrides,
  }),
});

describe('parseDlqMessage', () => {
  it("maps EventBridge's six attributes and the event's ids", () => {
    // Act
    const m = parseDlqMessage(deadLetter());

    // Assess
    expect(m).toMatchObject({
      messageId: 'm-1',
      receiptHandle: 'rh-1',
      kind: 'target-failure',
      ruleArn: `arn:aws:events:eu-west-1:${sit.account}:rule/order-events-sit`,
      targetArn: `${FUNCTION}:live`,
      errorCode: 'FUNCTION_ERROR',
      exhaustedRetryCondition: 'MaximumRetryAttempts',
      retryAttempts: 2,
      sentAt: 1_764_583_200_000,
      receiveCount: 2,
      eventId: 'evt_pay_1',
      detailType: 'payment.succeeded',
      source: 'payments',
    });
  });

  it("falls back to EventBridge's id when the event has no metadata.event_id", () => {
    // Act
    const m = parseDlqMessage(deadLetter({}, { ...upstreamEvent, detail: { order_id: 'o' } }));

    // Assess
    expect(m.eventId).toBe('eb-id-1');
  });

  it("recognises the service's own parked publication (no TARGET_ARN, {type, detail, failure})", () => {
    // Prepare
    const raw: Message = {
      MessageId: 'm-2',
      ReceiptHandle: 'rh-2',
      Body: JSON.stringify({
        type: 'order.confirmed',
        detail: {
          metadata: { event_id: 'evt_2', occurred_at: '2026-12-01T09:00:00.000Z' },
          data: {},
        },
        failure: 'ResourceNotFoundException: no bus',
      }),
      MessageAttributes: attrs({ event_type: 'order.confirmed' }),
    };

    // Act
    const m = parseDlqMessage(raw);

    // Assess
    expect(m).toMatchObject({
      kind: 'publish-failure',
      eventId: 'evt_2',
      detailType: 'order.confirmed',
      errorMessage: 'ResourceNotFoundException: no bus',
    });
  });

  it('calls anything else unknown, and keeps a body that is not JSON', () => {
    // Act
    const m = parseDlqMessage({ MessageId: 'm-3', ReceiptHandle: 'rh', Body: 'plain text' });

    // Assess
    expect(m.kind).toBe('unknown');
    expect(m.event).toBeUndefined();
    expect(m.body).toBe('plain text');
  });
});

describe('maskedView and formatDlqMessage', () => {
  it('masks personal data in the event and the error message, keeping ids', () => {
    // Act
    const view = maskedView(parseDlqMessage(deadLetter()), 1_764_583_260_000);
    const text = JSON.stringify(view);

    // Assess
    expect(text).not.toContain('jane@example.com');
    expect(text).not.toContain('Jane Doe');
    expect(view.error_message).toBe('Error: could not reach ***');
    expect((view.event as { detail: Record<string, unknown> }).detail).toMatchObject({
      order_id: 'ord_1',
      email: '***',
      shipping: '***',
    });
    expect(view.age_seconds).toBe(60);
  });

  it('says on one line the rule and target that failed, the error and the retries', () => {
    // Act
    const line = formatDlqMessage(maskedView(parseDlqMessage(deadLetter()), 1_764_583_260_000));

    // Assess
    expect(line).toContain('rule order-events-sit');
    expect(line).toContain(`${FUNCTION}:live`);
    expect(line).toContain('FUNCTION_ERROR: Error: could not reach ***');
    expect(line).toContain('2 retries (MaximumRetryAttempts)');
    expect(line).toContain('event evt_pay_1');
  });

  it('names the rule of a custom bus with its bus', () => {
    // Assess
    expect(ruleNameOf('arn:aws:events:eu-west-1:1:rule/order-events-sit/order-events-sit')).toBe(
      'order-events-sit/order-events-sit',
    );
  });
});

describe('destinationOf', () => {
  it('sends a Lambda target failure to the function, at the qualifier the rule targets', () => {
    // Act
    const d = destinationOf(parseDlqMessage(deadLetter()), sit);

    // Assess
    expect(d).toEqual({
      kind: 'lambda',
      functionArn: FUNCTION,
      qualifier: 'live',
      region: 'eu-west-1',
    });
    expect(describeDestination(d)).toBe('lambda order-handler-sit:live');
  });

  it('sends an event-bus target failure to that bus, in its region, rebuilt from the event', () => {
    // Prepare
    const bus = 'arn:aws:events:eu-west-1:093646564004:event-bus/order-events-prod';

    // Act
    const d = destinationOf(parseDlqMessage(deadLetter({ TARGET_ARN: bus })), ENVIRONMENTS.prod);

    // Assess
    expect(d).toMatchObject({
      kind: 'event-bus',
      bus,
      region: 'eu-west-1',
      entry: {
        Source: 'payments',
        DetailType: 'payment.succeeded',
        Time: new Date('2026-12-01T10:00:00Z'),
      },
    });
  });

  it('sends a queue target failure to that queue', () => {
    // Act
    const d = destinationOf(
      parseDlqMessage(deadLetter({ TARGET_ARN: `arn:aws:sqs:eu-west-1:${sit.account}:audit` })),
      sit,
    );

    // Assess
    expect(d).toEqual({
      kind: 'sqs',
      queueName: 'audit',
      account: sit.account,
      region: 'eu-west-1',
    });
  });

  it("re-publishes the service's parked order event on the env's own bus", () => {
    // Prepare
    const m = parseDlqMessage({
      MessageId: 'm',
      ReceiptHandle: 'r',
      Body: JSON.stringify({
        type: 'order.confirmed',
        detail: { metadata: { event_id: 'e', occurred_at: '2026-12-01T09:00:00.000Z' }, data: {} },
        failure: 'x',
      }),
    });

    // Act
    const d = destinationOf(m, sit);

    // Assess
    expect(d).toMatchObject({
      kind: 'event-bus',
      bus: sit.eventBus,
      entry: {
        Source: 'bbws.orders',
        DetailType: 'order.confirmed',
        Time: new Date('2026-12-01T09:00:00.000Z'),
      },
    });
  });

  it.each([
    ['an unknown message', { MessageId: 'm', ReceiptHandle: 'r', Body: '{}' }],
    [
      'an unsupported target',
      deadLetter({ TARGET_ARN: 'arn:aws:states:eu-west-1:1:stateMachine:x' }),
    ],
  ])('skips %s with a reason', (_label, raw) => {
    // Act
    const d = destinationOf(parseDlqMessage(raw as Message), sit);

    // Assess
    expect(d.kind).toBe('skip');
    expect(describeDestination(d)).toMatch(/^skipped: /);
  });
});
