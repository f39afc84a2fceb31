/**
 * The ways an order operation can fail, independent of transport.
 *
 * The HTTP layer maps each kind to one status code (see `service/http/problem.ts`);
 * domain code never mentions HTTP so it can be reused by the events handler.
 */
export type FailureKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'too_large'
  | 'unavailable';

/**
 * A failure the caller caused or can act on. Anything else that escapes a handler
 * is an internal error and is reported as a 500 without details.
 *
 * @example
 * ```ts
 * throw new OrderError('conflict', 'illegal_transition', 'cannot move from shipped to cancelled');
 * ```
 */
export class OrderError extends Error {
  constructor(
    readonly kind: FailureKind,
    /** Stable machine-readable code, e.g. `illegal_transition`. */
    readonly code: string,
    message: string,
    /** Extra, non-sensitive fields for the client (e.g. `{ field: 'total' }`). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'OrderError';
  }
}

export const notFound = (): OrderError =>
  // One message for "missing" and "not yours" so callers cannot probe for other customers' ids.
  new OrderError('not_found', 'order_not_found', 'order not found');
