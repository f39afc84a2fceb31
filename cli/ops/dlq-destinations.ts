import type { Environment } from '../../infra/environments.js';
import type { DlqMessage } from './dlq-messages.js';

/**
 * Where a redrive sends each DLQ message: back to the one target that failed it, never to
 * the bus its rule is on (a PutEvents there would reach every rule of the bus again). Pure.
 */
export type Destination =
  | {
      readonly kind: 'lambda';
      /** Unqualified function ARN; the target's alias or version goes in `qualifier`. */
      readonly functionArn: string;
      readonly qualifier?: string;
      readonly region: string;
    }
  | {
      readonly kind: 'event-bus';
      /** A bus ARN (a rule's target) or name (the service's own bus). */
      readonly bus: string;
      readonly region: string;
      /** The service's order event it could not publish, rebuilt as PutEvents would have had it. */
      readonly entry: {
        readonly Source: string;
        readonly DetailType: string;
        readonly Detail: string;
        readonly Resources?: string[];
        readonly Time?: Date;
      };
    }
  | {
      readonly kind: 'sqs';
      readonly queueName: string;
      readonly account: string;
      readonly region: string;
    }
  | { readonly kind: 'skip'; readonly reason: string };

const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)(?::([^:]+))?$/;
const BUS_ARN = /^arn:aws[a-z-]*:events:([a-z0-9-]+):(\d{12}):event-bus\/(.+)$/;
const QUEUE_ARN = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):(.+)$/;

const timeOf = (value: unknown): Date | undefined => {
  if (typeof value !== 'string') return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
};

/** The service's source (service/adapters/event-publisher.ts ORDER_EVENT_SOURCE). */
const ORDER_SOURCE = 'bbws.orders';

/**
 * @example
 * // a message whose TARGET_ARN is arn:aws:lambda:eu-west-1:815856636111:function:order-handler-sit:live
 * destinationOf(message, ENVIRONMENTS.sit)
 * // → { kind: 'lambda', functionArn: '…:function:order-handler-sit', qualifier: 'live', region: 'eu-west-1' }
 */
export const destinationOf = (m: DlqMessage, env: Environment): Destination => {
  if (m.kind === 'publish-failure') {
    const detail = m.event?.detail as { metadata?: { occurred_at?: unknown } } | undefined;
    const time = timeOf(detail?.metadata?.occurred_at);
    return {
      kind: 'event-bus',
      bus: env.eventBus,
      region: env.region,
      entry: {
        Source: ORDER_SOURCE,
        DetailType: String(m.event?.type),
        Detail: JSON.stringify(m.event?.detail ?? {}),
        ...(time ? { Time: time } : {}),
      },
    };
  }
  if (m.kind !== 'target-failure' || !m.targetArn) {
    return { kind: 'skip', reason: 'not an EventBridge dead letter (no TARGET_ARN attribute)' };
  }
  const lambda = LAMBDA_ARN.exec(m.targetArn);
  if (lambda) {
    const region = lambda[1] as string;
    return {
      kind: 'lambda',
      functionArn: `arn:aws:lambda:${region}:${lambda[2]}:function:${lambda[3]}`,
      ...(lambda[4] ? { qualifier: lambda[4] } : {}),
      region,
    };
  }
  const queue = QUEUE_ARN.exec(m.targetArn);
  if (queue) {
    return {
      kind: 'sqs',
      region: queue[1] as string,
      account: queue[2] as string,
      queueName: queue[3] as string,
    };
  }
  const bus = BUS_ARN.exec(m.targetArn);
  if (bus) {
    const event = m.event;
    if (!event || typeof event.source !== 'string' || typeof event['detail-type'] !== 'string') {
      return { kind: 'skip', reason: 'the body is not an EventBridge event' };
    }
    const time = timeOf(event.time);
    return {
      kind: 'event-bus',
      bus: m.targetArn,
      region: bus[1] as string,
      entry: {
        Source: event.source,
        DetailType: event['detail-type'],
        Detail: JSON.stringify(event.detail ?? {}),
        ...(Array.isArray(event.resources) ? { Resources: event.resources as string[] } : {}),
        ...(time ? { Time: time } : {}),
      },
    };
  }
  return { kind: 'skip', reason: `target type not supported by redrive: ${m.targetArn}` };
};

/** `lambda order-handler-sit:live`, `bus order-events-sit`, `sqs q`: for lines and journals. */
export const describeDestination = (d: Destination): string => {
  switch (d.kind) {
    case 'lambda':
      return `lambda ${d.functionArn.split(':').pop()}${d.qualifier ? `:${d.qualifier}` : ''}`;
    case 'event-bus':
      return `bus ${d.bus.split('/').pop()}${d.bus.includes(':') ? ` (${d.region})` : ''}`;
    case 'sqs':
      return `sqs ${d.queueName}`;
    case 'skip':
      return `skipped: ${d.reason}`;
  }
};
