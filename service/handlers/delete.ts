import { assertAdmin } from '../domain/actor.js';
import { notFound, OrderError } from '../domain/errors.js';
import { DELETABLE_STATUSES } from '../domain/status-machine.js';
import { json } from '../http/problem.js';
import { requireActor } from '../http/request.js';
import type { HttpHandler } from './deps.js';
import { publishChange } from './mutate.js';

/** DELETE /v1.0/orders/{id}: admins only, and only pending or cancelled orders. */
export const remove: HttpHandler = async ({ request, deps, orderId }) => {
  const actor = requireActor(request);
  assertAdmin(actor, 'delete orders');
  const order = await deps.repo.get(orderId);
  if (!order) throw notFound();
  const conflict = () =>
    new OrderError(
      'conflict',
      'not_deletable',
      `only ${DELETABLE_STATUSES.join(' or ')} orders can be deleted (this one is ${order.status})`,
    );
  if (!DELETABLE_STATUSES.includes(order.status)) throw conflict();
  // The write re-checks version and status, so a concurrent transition wins over the delete.
  if (!(await deps.repo.delete(order, DELETABLE_STATUSES))) {
    throw new OrderError('conflict', 'version_conflict', 'the order changed while deleting; retry');
  }
  await publishChange(
    deps,
    { ...order, updated_at: deps.clock.now().toISOString() },
    'order.deleted',
  );
  return json(200, { order_id: order.order_id, deleted: true });
};
