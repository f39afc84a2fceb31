import { OrderError } from '../domain/errors.js';
import { orderView } from '../domain/order-view.js';
import { json } from '../http/problem.js';
import { requireActor } from '../http/request.js';
import type { HttpHandler } from './deps.js';
import { listQuerySchema, parseWith } from './schemas.js';

/**
 * GET /v1.0/orders?customer_id=&status=&date=&limit=&next_token=
 * Customers list their own orders only; admins any customer, status or date (or all).
 */
export const list: HttpHandler = async ({ request, deps }) => {
  const actor = requireActor(request);
  const query = parseWith(listQuerySchema, request.query);
  let customerId = query.customer_id;
  if (!actor.isAdmin) {
    if (actor.customerId === undefined) {
      throw new OrderError('forbidden', 'no_customer', 'this identity is not linked to a customer');
    }
    if (customerId !== undefined && customerId !== actor.customerId) {
      throw new OrderError(
        'forbidden',
        'other_customer',
        'customers may list only their own orders',
      );
    }
    customerId = actor.customerId;
  }
  // The token is bound to who asked and exactly what was asked.
  const scope = JSON.stringify([actor.subject, customerId, query.status, query.date, query.limit]);
  const page = await deps.repo.list({
    limit: query.limit,
    ...(customerId !== undefined ? { customerId } : {}),
    ...(query.status !== undefined ? { status: query.status } : {}),
    ...(query.date !== undefined ? { date: query.date } : {}),
    ...(query.next_token !== undefined
      ? { startKey: deps.pageTokens.decode(query.next_token, scope) }
      : {}),
  });
  return json(200, {
    orders: page.orders.map(orderView),
    count: page.orders.length,
    next_token: page.nextKey ? deps.pageTokens.encode(page.nextKey, scope) : null,
  });
};
