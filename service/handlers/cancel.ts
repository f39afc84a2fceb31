import { transition } from '../domain/order.js';
import { orderView } from '../domain/order-view.js';
import { json } from '../http/problem.js';
import { jsonBody, requireActor } from '../http/request.js';
import type { HttpHandler } from './deps.js';
import { withIdempotency } from './idempotent.js';
import { mutateOrder } from './mutate.js';
import { cancelSchema, parseWith } from './schemas.js';

/** POST /v1.0/orders/{id}/cancel: owner or admin, any time before the order ships. */
export const cancel: HttpHandler = async (input) => {
  const { request, deps, orderId } = input;
  const actor = requireActor(request);
  const body = parseWith(cancelSchema, jsonBody(request, false));
  return withIdempotency(input, 'cancel', body, async () => {
    const order = await mutateOrder(deps, actor, orderId, (current) =>
      transition(
        current,
        'cancelled',
        actor,
        deps.clock.now(),
        body.reason ? { reason: body.reason } : {},
      ),
    );
    return json(200, orderView(order));
  });
};
