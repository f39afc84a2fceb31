import { VersionConflict } from '../adapters/order-repository.js';
import { type Actor, assertVisible } from '../domain/actor.js';
import { notFound, OrderError } from '../domain/errors.js';
import type { Order } from '../domain/order.js';
import { orderView } from '../domain/order-view.js';
import type { ServiceDeps } from './deps.js';

/** How often a write that lost a version race is re-read and re-applied before 409. */
const MAX_ATTEMPTS = 40;

const backoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(5 * 2 ** attempt, 100)));

/**
 * Read → apply a pure change → conditional write on `version`, retried on a lost race.
 * The change is re-evaluated against the fresh order each time, so a transition that became
 * illegal meanwhile is refused (409) instead of overwriting the winner: no lost update, and
 * the history only ever grows by legal steps.
 */
export const mutateOrder = async (
  deps: ServiceDeps,
  actor: Actor,
  orderId: string,
  change: (order: Order) => Order,
): Promise<Order> => {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const current = await deps.repo.get(orderId);
    if (!current) throw notFound();
    assertVisible(actor, current);
    const next = change(current);
    try {
      await deps.repo.replace(next, current.version);
    } catch (error) {
      if (error instanceof VersionConflict) {
        await backoff(attempt);
        continue;
      }
      throw error;
    }
    if (next.status !== current.status) await publishChange(deps, next);
    return next;
  }
  throw new OrderError(
    'conflict',
    'version_conflict',
    'the order is being changed concurrently; retry',
  );
};

/** Publishes `order.<status>` (or another type) with the standard envelope. */
export const publishChange = async (
  deps: ServiceDeps,
  order: Order,
  type = `order.${order.status}`,
): Promise<void> => {
  const { shipping: _pii, ...data } = orderView(order);
  const accepted = await deps.publisher.publish({
    type,
    detail: {
      metadata: {
        event_id: deps.ids.eventId(),
        order_id: order.order_id,
        version: order.version,
        occurred_at: order.updated_at,
      },
      // Shipping details stay out of events: downstream consumers fetch them if entitled.
      data,
    },
  });
  // Failures are counted by the publisher itself; successes here, for the failure rate.
  if (accepted) deps.telemetry.eventPublished();
};
