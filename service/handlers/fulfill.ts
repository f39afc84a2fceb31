import { assertAdmin } from '../domain/actor.js';
import { transition } from '../domain/order.js';
import { orderView } from '../domain/order-view.js';
import { json } from '../http/problem.js';
import { jsonBody, requireActor } from '../http/request.js';
import type { HttpHandler } from './deps.js';
import { withIdempotency } from './idempotent.js';
import { mutateOrder } from './mutate.js';
import { fulfillSchema, parseWith } from './schemas.js';

/** POST /v1.0/orders/{id}/fulfill `{"tracking_number","carrier"}`: processing → shipped. */
export const fulfill: HttpHandler = async (input) => {
  const { request, deps, orderId } = input;
  const actor = requireActor(request);
  assertAdmin(actor, 'fulfill orders');
  const tracking = parseWith(fulfillSchema, jsonBody(request, true));
  return withIdempotency(input, 'fulfill', tracking, async () => {
    const order = await mutateOrder(deps, actor, orderId, (current) =>
      transition(current, 'shipped', actor, deps.clock.now(), { tracking }),
    );
    return json(200, orderView(order));
  });
};
