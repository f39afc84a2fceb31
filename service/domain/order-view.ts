import { fromMinor } from './money.js';
import type { Order } from './order.js';

/** The public JSON shape of an order: decimals, no internal bookkeeping. */
export const orderView = (order: Order) => ({
  order_id: order.order_id,
  customer_id: order.customer_id,
  status: order.status,
  items: order.items.map((item) => ({
    product_id: item.product_id,
    quantity: item.quantity,
    price: fromMinor(item.price_minor, order.currency),
  })),
  total: fromMinor(order.total_minor, order.currency),
  currency: order.currency,
  ...(order.shipping ? { shipping: order.shipping } : {}),
  ...(order.tracking ? { tracking: order.tracking } : {}),
  created_at: order.created_at,
  updated_at: order.updated_at,
  version: order.version,
});

/** What `/track` answers: where the order is, and the shipment if there is one. */
export const trackingView = (order: Order) => {
  const shippedAt = order.status_history.find((c) => c.to === 'shipped')?.at;
  const deliveredAt = order.status_history.find((c) => c.to === 'delivered')?.at;
  return {
    order_id: order.order_id,
    status: order.status,
    tracking_number: order.tracking?.tracking_number ?? null,
    carrier: order.tracking?.carrier ?? null,
    shipped_at: shippedAt ?? null,
    delivered_at: deliveredAt ?? null,
    updated_at: order.updated_at,
  };
};

export const historyView = (order: Order) => ({
  order_id: order.order_id,
  status: order.status,
  status_history: order.status_history,
});
