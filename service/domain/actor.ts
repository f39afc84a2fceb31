import { notFound, OrderError } from './errors.js';

/** Who is calling, as established by the API Gateway authorizer (or the system itself). */
export interface Actor {
  /** Stable subject id (`sub`); recorded in status history instead of names or emails. */
  readonly subject: string;
  /** The customer this identity acts for; absent for pure staff identities. */
  readonly customerId?: string;
  readonly isAdmin: boolean;
}

/** The identity used for transitions caused by upstream events. */
export const SYSTEM_ACTOR: Actor = { subject: 'system:events', isAdmin: true };

/** Admins see every order; a customer sees only their own. */
export const canSee = (actor: Actor, order: { customer_id: string }): boolean =>
  actor.isAdmin || (actor.customerId !== undefined && actor.customerId === order.customer_id);

/** Throws 404 (not 403) when the order belongs to someone else, so ids cannot be probed. */
export const assertVisible = <T extends { customer_id: string }>(actor: Actor, order: T): T => {
  if (!canSee(actor, order)) throw notFound();
  return order;
};

/** Throws 403 unless the caller is in the `admin` group. */
export const assertAdmin = (actor: Actor, action: string): void => {
  if (!actor.isAdmin) {
    throw new OrderError('forbidden', 'admin_required', `only admins may ${action}`);
  }
};

/**
 * Resolves which customer a request acts for: a customer may act only for themself;
 * an admin must name the customer.
 */
export const resolveCustomer = (actor: Actor, requested: string | undefined): string => {
  if (actor.isAdmin) {
    if (requested !== undefined) return requested;
    if (actor.customerId !== undefined) return actor.customerId;
    throw new OrderError('invalid', 'customer_required', 'customer_id is required for admins', {
      field: 'customer_id',
    });
  }
  if (actor.customerId === undefined) {
    throw new OrderError('forbidden', 'no_customer', 'this identity is not linked to a customer');
  }
  if (requested !== undefined && requested !== actor.customerId) {
    throw new OrderError('forbidden', 'other_customer', 'customers may act only for themselves');
  }
  return actor.customerId;
};
