import type { SandboxResponse } from '../gateway/types.js';

/**
 * A request-level Lambda API error: the call itself failed (throttled, not found, bad
 * payload). Function errors are not this: they are a 200 with `X-Amz-Function-Error`.
 */
export class LambdaServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra body fields the SDK surfaces on the exception (e.g. `Reason`). */
    readonly fields: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = code;
  }
}

/** The restJson1 error shape the SDK parses: type in `x-amzn-errortype`, text in `message`. */
export const errorResponse = (error: LambdaServiceError): SandboxResponse => ({
  status: error.status,
  headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code },
  body: JSON.stringify({ Type: 'User', message: error.message, ...error.fields }),
});

export const resourceNotFound = (message: string) =>
  new LambdaServiceError(404, 'ResourceNotFoundException', message);

export const accessDenied = (message: string) =>
  new LambdaServiceError(403, 'AccessDeniedException', message);

export const invalidParameter = (message: string) =>
  new LambdaServiceError(400, 'InvalidParameterValueException', message);

export const invalidRequestContent = (message: string) =>
  new LambdaServiceError(400, 'InvalidRequestContentException', message);

export const requestTooLarge = (message: string) =>
  new LambdaServiceError(413, 'RequestTooLargeException', message);

export const invalidRuntime = (message: string) =>
  new LambdaServiceError(502, 'InvalidRuntimeException', message);

export const serviceException = (message: string) =>
  new LambdaServiceError(500, 'ServiceException', message);

/**
 * 429 as Lambda sends it. `Reason` tells a reserved-concurrency throttle from the
 * (sandbox default) per-function limit, as AWS distinguishes reserved from account limits.
 */
export const tooManyRequests = (reserved: boolean) =>
  new LambdaServiceError(429, 'TooManyRequestsException', 'Rate Exceeded.', {
    Reason: reserved
      ? 'ReservedFunctionConcurrentInvocationLimitExceeded'
      : 'ConcurrentInvocationLimitExceeded',
  });
