import { historyView } from '../domain/order-view.js';
import { json } from '../http/problem.js';
import type { HttpHandler } from './deps.js';
import { loadVisible } from './get.js';

/** GET /v1.0/orders/{id}/history: the append-only status trail. */
export const history: HttpHandler = async (input) =>
  json(200, historyView(await loadVisible(input)));
