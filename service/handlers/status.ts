import { assertAdmin } from '../domain/actor.js';
import { OrderError } from '../domain/errors.js';
import { transition } from '../domain/order.js';
import { orderView } from '../domain/order-view.js';
import { json } from '../http/problem.js';
import { jsonBody, requireActor } from '../http/request.js';
import type { HttpHandler } from './deps.js';
import { mutateOrder } from './mutate.js';
import { parseWith, statusSchema } from './schemas.js';

/** PUT /v1.0/orders/{id}/status `{"status":"processing"}`: admins move orders along. */
export const status: HttpHandler = async ({ request, deps, orderId }) => {
  const actor = requireActor(request);
  assertAdmin(actor, 'set an order status');
  const body = parseWith(statusSchema, jsonBody(request, true));
  if (body.status === 'shipped') {
    // Shipping without a tracking number would leave /track with nothing to show.
    throw new OrderError(
      'unprocessable',
      'tracking_required',
      'use POST /v1.0/orders/{id}/fulfill with tracking_number and carrier to ship',
    );
  }
  const order = await mutateOrder(deps, actor, orderId, (current) =>
    transition(
      current,
      body.status,
      actor,
      deps.clock.now(),
      body.reason ? { reason: body.reason } : {},
    ),
  );
  return json(200, orderView(order));
};
