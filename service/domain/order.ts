import type { Actor } from './actor.js';
import { OrderError } from './errors.js';
import { fromMinor, isCurrency, toMinor } from './money.js';
import {
  canTransition,
  EDITABLE_STATUSES,
  nextStatuses,
  type OrderStatus,
} from './status-machine.js';

/** A line as stored: price in minor units. */
export interface OrderItem {
  readonly product_id: string;
  readonly quantity: number;
  readonly price_minor: number;
}

/** Delivery details. Every field here is personal data and is masked in logs. */
export interface Shipping {
  readonly recipient_name: string;
  readonly line1: string;
  readonly line2?: string;
  readonly city: string;
  readonly postal_code: string;
  readonly country: string;
  readonly phone?: string;
  readonly email?: string;
}

export interface Tracking {
  readonly tracking_number: string;
  readonly carrier: string;
}

/** One entry of the append-only audit trail written with every status change. */
export interface StatusChange {
  readonly from: OrderStatus | null;
  readonly to: OrderStatus;
  readonly at: string;
  /** Subject id of the actor, never a name or email. */
  readonly by: string;
  readonly reason?: string;
}

/** The order aggregate as persisted. `version` guards every write (optimistic locking). */
export interface Order {
  readonly order_id: string;
  readonly customer_id: string;
  readonly status: OrderStatus;
  readonly currency: string;
  readonly items: readonly OrderItem[];
  readonly total_minor: number;
  readonly shipping?: Shipping;
  readonly tracking?: Tracking;
  readonly created_at: string;
  readonly updated_at: string;
  /** `YYYY-MM-DD` of creation (UTC): partition key of the `OrdersByDate` index. */
  readonly order_date: string;
  readonly version: number;
  readonly status_history: readonly StatusChange[];
}

/** Items as the API sends them: decimal prices. */
export interface ItemInput {
  readonly product_id: string;
  readonly quantity: number;
  readonly price: number;
}

export interface NewOrderInput {
  readonly customer_id: string;
  readonly items: readonly ItemInput[];
  readonly total: number;
  readonly currency: string;
  readonly shipping?: Shipping;
}

/**
 * Prices the items in minor units and checks that the client's `total` equals
 * Σ quantity × price exactly.
 */
export const priceItems = (
  items: readonly ItemInput[],
  total: number,
  currency: string,
): { items: OrderItem[]; total_minor: number } => {
  if (!isCurrency(currency)) {
    throw new OrderError('invalid', 'invalid_currency', 'currency must be an ISO 4217 code', {
      field: 'currency',
    });
  }
  const priced = items.map((item, index) => ({
    product_id: item.product_id,
    quantity: item.quantity,
    price_minor: toMinor(item.price, currency, `items[${index}].price`),
  }));
  const expected = priced.reduce((sum, item) => sum + item.quantity * item.price_minor, 0);
  const totalMinor = toMinor(total, currency, 'total');
  if (totalMinor !== expected) {
    throw new OrderError(
      'unprocessable',
      'total_mismatch',
      `total ${total} does not equal the sum of quantity × price (${fromMinor(expected, currency)})`,
      { field: 'total', expected: fromMinor(expected, currency) },
    );
  }
  return { items: priced, total_minor: totalMinor };
};

/** Builds a new pending order; the first history entry records its creation. */
export const createOrder = (
  input: NewOrderInput,
  actor: Actor,
  orderId: string,
  now: Date,
): Order => {
  const { items, total_minor } = priceItems(input.items, input.total, input.currency);
  const at = now.toISOString();
  return {
    order_id: orderId,
    customer_id: input.customer_id,
    status: 'pending',
    currency: input.currency,
    items,
    total_minor,
    ...(input.shipping ? { shipping: input.shipping } : {}),
    created_at: at,
    updated_at: at,
    order_date: at.slice(0, 10),
    version: 1,
    status_history: [{ from: null, to: 'pending', at, by: actor.subject }],
  };
};

/**
 * Moves an order one legal step, appending to its history and bumping its version.
 * Throws `conflict/illegal_transition` otherwise.
 */
export const transition = (
  order: Order,
  to: OrderStatus,
  actor: Actor,
  now: Date,
  extra: { tracking?: Tracking; reason?: string } = {},
): Order => {
  if (!canTransition(order.status, to)) {
    const allowed = nextStatuses(order.status);
    throw new OrderError(
      'conflict',
      'illegal_transition',
      `cannot move an order from ${order.status} to ${to}` +
        (allowed.length ? ` (allowed: ${allowed.join(', ')})` : ` (${order.status} is final)`),
      { from: order.status, to },
    );
  }
  const at = now.toISOString();
  return {
    ...order,
    status: to,
    ...(extra.tracking ? { tracking: extra.tracking } : {}),
    updated_at: at,
    version: order.version + 1,
    status_history: [
      ...order.status_history,
      {
        from: order.status,
        to,
        at,
        by: actor.subject,
        ...(extra.reason ? { reason: extra.reason } : {}),
      },
    ],
  };
};

export interface OrderEdit {
  readonly items?: readonly ItemInput[];
  readonly total?: number;
  readonly shipping?: Shipping;
}

/** Applies an edit to a pending order (items and total travel together). */
export const editOrder = (order: Order, edit: OrderEdit, now: Date): Order => {
  if (!EDITABLE_STATUSES.includes(order.status)) {
    throw new OrderError(
      'conflict',
      'not_editable',
      `an order can be edited only while pending (it is ${order.status})`,
      { status: order.status },
    );
  }
  if ((edit.items === undefined) !== (edit.total === undefined)) {
    throw new OrderError('invalid', 'items_and_total', 'items and total must be sent together');
  }
  const priced =
    edit.items && edit.total !== undefined
      ? priceItems(edit.items, edit.total, order.currency)
      : undefined;
  return {
    ...order,
    ...(priced ?? {}),
    ...(edit.shipping ? { shipping: edit.shipping } : {}),
    updated_at: now.toISOString(),
    version: order.version + 1,
  };
};
