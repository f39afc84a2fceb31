import type { Logger } from '@aws-lambda-powertools/logger';
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Source of every event this service publishes; the events handler ignores its own. */
export const ORDER_EVENT_SOURCE = 'bbws.orders';

/** The envelope every order event carries (`detail` of the EventBridge event). */
export interface OrderEventDetail {
  readonly metadata: {
    readonly event_id: string;
    readonly order_id: string;
    readonly version: number;
    readonly occurred_at: string;
  };
  readonly data: Record<string, unknown>;
}

export interface OrderEvent {
  /** e.g. `order.confirmed`, `order.deleted`. */
  readonly type: string;
  readonly detail: OrderEventDetail;
}

export interface EventPublisher {
  /**
   * Publishes after the state change is committed. Never throws: a failed publication is
   * parked in the DLQ for replay and counted, because the order itself is already saved.
   * Resolves `true` when EventBridge accepted the event.
   */
  publish(event: OrderEvent): Promise<boolean>;
}

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly events: EventBridgeClient,
    private readonly sqs: SQSClient,
    private readonly busName: string,
    private readonly dlqUrl: string | undefined,
    private readonly logger: Logger,
    private readonly onFailure: () => void,
  ) {}

  async publish(event: OrderEvent): Promise<boolean> {
    let reason: string;
    try {
      const out = await this.events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: this.busName,
              Source: ORDER_EVENT_SOURCE,
              DetailType: event.type,
              Detail: JSON.stringify(event.detail),
              Time: new Date(event.detail.metadata.occurred_at),
            },
          ],
        }),
      );
      // PutEvents reports per-entry failures in a 200 response; they must be checked.
      if (!out.FailedEntryCount) return true;
      const entry = out.Entries?.[0];
      reason = `${entry?.ErrorCode ?? 'unknown'}: ${entry?.ErrorMessage ?? ''}`;
    } catch (error) {
      reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    this.onFailure();
    await this.park(event, reason);
    return false;
  }

  private async park(event: OrderEvent, reason: string): Promise<void> {
    const ids = { event_id: event.detail.metadata.event_id, type: event.type, reason };
    if (!this.dlqUrl) {
      this.logger.error('event publication failed and no DLQ is configured', ids);
      return;
    }
    try {
      await this.sqs.send(
        new SendMessageCommand({
          QueueUrl: this.dlqUrl,
          MessageBody: JSON.stringify({ ...event, failure: reason }),
          MessageAttributes: {
            event_type: { DataType: 'String', StringValue: event.type },
          },
        }),
      );
      this.logger.warn('event publication failed; parked in DLQ', ids);
    } catch (error) {
      this.logger.error('event publication failed and the DLQ refused it', {
        ...ids,
        dlq_error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
