import { editOrder } from '../domain/order.js';
import { orderView } from '../domain/order-view.js';
import { json } from '../http/problem.js';
import { jsonBody, requireActor } from '../http/request.js';
import type { HttpHandler } from './deps.js';
import { mutateOrder } from './mutate.js';
import { parseWith, updateSchema } from './schemas.js';

/** PUT /v1.0/orders/{id}: items (with total) and shipping, while the order is pending. */
export const update: HttpHandler = async ({ request, deps, orderId }) => {
  const actor = requireActor(request);
  const edit = parseWith(updateSchema, jsonBody(request, true));
  const order = await mutateOrder(deps, actor, orderId, (current) =>
    editOrder(current, edit, deps.clock.now()),
  );
  return json(200, orderView(order));
};
