import { trackingView } from '../domain/order-view.js';
import { json } from '../http/problem.js';
import type { HttpHandler } from './deps.js';
import { loadVisible } from './get.js';

/** GET /v1.0/orders/{id}/track: status plus carrier and tracking number once shipped. */
export const track: HttpHandler = async (input) =>
  json(200, trackingView(await loadVisible(input)));
