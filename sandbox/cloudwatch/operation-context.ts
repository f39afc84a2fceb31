/**
 * What every CloudWatch operation is handed besides its input: the caller's scope and the
 * clock. Operations are protocol-neutral: they read a decoded input object (JSON 1.0 or
 * awsQuery, coerced by the wire schemas) and return the output object, or `undefined` for
 * operations whose output is empty.
 */

export interface OperationContext {
  /** The signer's account; metrics and alarms are per account and region, dashboards per account. */
  readonly account: string;
  /** The region of the SigV4 credential scope. */
  readonly region: string;
  /** Epoch ms of this request. */
  readonly now: number;
}

/** One API operation: raw decoded input → output (or `undefined` for no output). */
export type Operation = (input: unknown, context: OperationContext) => unknown;
