import { resolveCustomer } from '../domain/actor.js';
import { createOrder } from '../domain/order.js';
import { orderView } from '../domain/order-view.js';
import { json } from '../http/problem.js';
import { jsonBody, requireActor } from '../http/request.js';
import type { HttpHandler } from './deps.js';
import { withIdempotency } from './idempotent.js';
import { publishChange } from './mutate.js';
import { createSchema, parseWith } from './schemas.js';

/** POST /v1.0/orders: a customer orders for themself, an admin for a named customer. */
export const create: HttpHandler = async (input) => {
  const { request, deps } = input;
  const actor = requireActor(request);
  const body = parseWith(createSchema, jsonBody(request, true));
  const customerId = resolveCustomer(actor, body.customer_id);
  return withIdempotency(input, 'create', body, async () => {
    const order = createOrder(
      { ...body, customer_id: customerId },
      actor,
      deps.ids.orderId(),
      deps.clock.now(),
    );
    await deps.repo.create(order);
    deps.telemetry.orderCreated();
    await publishChange(deps, order);
    return json(201, orderView(order), {
      location: `/v1.0/orders/${order.order_id}`,
    });
  });
};
