import type { Context, EventBridgeEvent } from 'aws-lambda';
import { z } from 'zod';
import { ORDER_EVENT_SOURCE } from '../adapters/event-publisher.js';
import { SYSTEM_ACTOR } from '../domain/actor.js';
import { OrderError } from '../domain/errors.js';
import { transition } from '../domain/order.js';
import type { OrderStatus } from '../domain/status-machine.js';
import type { ServiceDeps } from './deps.js';
import { mutateOrder } from './mutate.js';

/** Upstream event types and the transition each one causes. */
export const UPSTREAM_TRANSITIONS: Readonly<Record<string, { to: OrderStatus; reason: string }>> = {
  'payment.succeeded': { to: 'confirmed', reason: 'payment succeeded' },
  'payment.failed': { to: 'cancelled', reason: 'payment failed' },
  'shipment.delivered': { to: 'delivered', reason: 'shipment delivered' },
};

const detailSchema = z.object({
  order_id: z.string().min(1).max(64).optional(),
  metadata: z
    .object({ event_id: z.string().min(1).max(128).optional(), order_id: z.string().optional() })
    .optional(),
});

/**
 * Failures a redelivery could overcome: infrastructure, or losing every optimistic-locking
 * race. These throw (Lambda retries, then the DLQ) instead of being acknowledged as ignored.
 */
const isRetryable = (error: OrderError): boolean =>
  error.kind === 'unavailable' || error.code === 'version_conflict';

export type EventOutcome =
  | { outcome: 'applied'; order_id: string; status: OrderStatus }
  | { outcome: 'ignored'; reason: string };

/**
 * Consumes upstream EventBridge events. Processing is idempotent by event id (EventBridge
 * delivers at least once): a redelivered event returns the first outcome and changes
 * nothing. Events that cannot apply (unknown order, illegal step) are acknowledged and
 * logged rather than thrown, since retrying them could never succeed; only infrastructure
 * failures (and losing every optimistic-locking race) throw, so Lambda retries and finally
 * parks the event in the DLQ.
 */
export const handleEvent = async (
  event: EventBridgeEvent<string, unknown>,
  deps: ServiceDeps,
  context?: Context,
): Promise<EventOutcome> => {
  const log = deps.telemetry.logger;
  const type = event['detail-type'];
  if (event.source === ORDER_EVENT_SOURCE) return { outcome: 'ignored', reason: 'own event' };
  const rule = UPSTREAM_TRANSITIONS[type];
  if (!rule) return { outcome: 'ignored', reason: `unhandled type ${type}` };
  const parsed = detailSchema.safeParse(event.detail);
  const orderId = parsed.success
    ? (parsed.data.order_id ?? parsed.data.metadata?.order_id)
    : undefined;
  if (!orderId) {
    log.warn('upstream event without order_id ignored', { event_id: event.id, type });
    return { outcome: 'ignored', reason: 'no order_id' };
  }
  const eventId = (parsed.success ? parsed.data.metadata?.event_id : undefined) ?? event.id;
  let result: EventOutcome;
  try {
    ({ result } = await deps.idempotency.run(
      { caller: SYSTEM_ACTOR.subject, operation: 'event', target: orderId, key: eventId },
      { type, orderId },
      async (): Promise<EventOutcome> => {
        try {
          const order = await mutateOrder(deps, SYSTEM_ACTOR, orderId, (current) =>
            transition(current, rule.to, SYSTEM_ACTOR, deps.clock.now(), { reason: rule.reason }),
          );
          return { outcome: 'applied', order_id: order.order_id, status: order.status };
        } catch (error) {
          // Refusals no retry can change become the stored outcome; retryable failures throw.
          if (error instanceof OrderError && !isRetryable(error)) {
            log.warn('upstream event not applicable', {
              event_id: eventId,
              type,
              code: error.code,
            });
            return { outcome: 'ignored', reason: error.code };
          }
          throw error;
        }
      },
      context,
    ));
  } catch (error) {
    // The same event id with another type: a producer bug that no retry can fix.
    if (error instanceof OrderError && error.code === 'idempotency_key_reused') {
      log.warn('upstream event id reused for a different event', { event_id: eventId, type });
      return { outcome: 'ignored', reason: 'event_id_reused' };
    }
    throw error;
  }
  return result;
};
