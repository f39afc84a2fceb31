import { assertVisible } from '../domain/actor.js';
import { notFound } from '../domain/errors.js';
import type { Order } from '../domain/order.js';
import { orderView } from '../domain/order-view.js';
import { json } from '../http/problem.js';
import { requireActor } from '../http/request.js';
import type { HttpHandler, RouteInput } from './deps.js';

/** Loads an order the caller may see, or 404 for both "missing" and "someone else's". */
export const loadVisible = async ({ request, deps, orderId }: RouteInput): Promise<Order> => {
  const actor = requireActor(request);
  const order = await deps.repo.get(orderId);
  if (!order) throw notFound();
  return assertVisible(actor, order);
};

/** GET /v1.0/orders/{id} */
export const get: HttpHandler = async (input) => json(200, orderView(await loadVisible(input)));
