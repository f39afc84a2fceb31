import type { EnvName } from '../../infra/environments.js';

/**
 * The one thing the API front needs from the Lambda runtime: "invoke this environment's order
 * function with this payload". The daemon wires it to `order-handler-<env>:live` in the
 * environment's account and region, so alias weights and fault injection apply exactly as
 * they would to a direct `lambda invoke`; tests wire it to the router in-process.
 */
export interface ApiInvokeInput {
  readonly env: EnvName;
  /** The API Gateway proxy event, JSON-encoded, as Lambda's Invoke API receives it. */
  readonly payload: Buffer;
}

export interface ApiInvokeResult {
  /**
   * The Invoke API's own status, not the function's HTTP answer: 200 for any completed
   * invocation (including one whose handler threw), 429 when the function was throttled.
   */
  readonly statusCode: number;
  /** What the handler returned (or Lambda's error document when `functionError` is set). */
  readonly payload: Buffer;
  /** `Unhandled` / `Handled` as in Lambda's `X-Amz-Function-Error` header; absent on success. */
  readonly functionError?: string;
  /** The version that actually ran (alias routing picks one), e.g. `7`. */
  readonly executedVersion: string;
}

export type ApiInvoker = (input: ApiInvokeInput) => Promise<ApiInvokeResult>;

/** Invoke status that means the function was throttled (Lambda's TooManyRequestsException). */
export const THROTTLED_STATUS = 429;

/**
 * True when an invoker rejected because of throttling rather than failing. A runtime may
 * report throttling either by resolving with 429 or by throwing the SDK-shaped error, so
 * the front accepts both.
 */
export const isThrottleError = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as {
    name?: unknown;
    statusCode?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  return (
    e.name === 'TooManyRequestsException' ||
    e.statusCode === THROTTLED_STATUS ||
    e.$metadata?.httpStatusCode === THROTTLED_STATUS
  );
};
