/** Order statuses, lower case on the wire. */
export const ORDER_STATUSES = [
  'pending',
  'confirmed',
  'processing',
  'shipped',
  'delivered',
  'cancelled',
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * Legal transitions. The plan's workflow is create → process → fulfill → complete, so a new
 * order may go straight to processing; `confirmed` (payment received, set by the
 * `payment.succeeded` event) is an optional step before it. Cancel is allowed only before
 * the parcel leaves (shipped); delivered and cancelled are terminal.
 */
const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['confirmed', 'processing', 'cancelled'],
  confirmed: ['processing', 'cancelled'],
  processing: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
};

export const isOrderStatus = (value: unknown): value is OrderStatus =>
  typeof value === 'string' && (ORDER_STATUSES as readonly string[]).includes(value);

/** True when `from → to` is a legal single step of the order state machine. */
export const canTransition = (from: OrderStatus, to: OrderStatus): boolean =>
  TRANSITIONS[from].includes(to);

/** Statuses reachable in one step from `from`, for error messages. */
export const nextStatuses = (from: OrderStatus): readonly OrderStatus[] => TRANSITIONS[from];

/** Statuses from which an order may be deleted by an admin. */
export const DELETABLE_STATUSES: readonly OrderStatus[] = ['pending', 'cancelled'];

/** Statuses in which the customer may still edit items and shipping. */
export const EDITABLE_STATUSES: readonly OrderStatus[] = ['pending'];
