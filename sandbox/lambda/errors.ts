import type { SandboxResponse } from '../gateway/types.js';

/**
 * How Lambda words an error's body. Most errors carry `Type: "User"` and a lower-case
 * `message`; a few carry `Message` (ResourceNotFoundException), and errors raised before
 * Lambda's own code runs (ValidationException) or some of its parameter checks carry only
 * `message`. Recorded against AWS: test/fixtures/aws/lambda/.
 */
export type ErrorBodyShape = 'Type+message' | 'Type+Message' | 'message';

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
    readonly shape: ErrorBodyShape = 'Type+message',
  ) {
    super(message);
    this.name = code;
  }
}

const bodyOf = (error: LambdaServiceError): Record<string, string> => {
  switch (error.shape) {
    case 'Type+Message':
      return { Type: 'User', Message: error.message, ...error.fields };
    case 'message':
      return { message: error.message, ...error.fields };
    default:
      return { Type: 'User', message: error.message, ...error.fields };
  }
};

/** The restJson1 error shape the SDK parses: type in `x-amzn-errortype`, text in `message`. */
export const errorResponse = (error: LambdaServiceError): SandboxResponse => ({
  status: error.status,
  headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code },
  body: JSON.stringify(bodyOf(error)),
});

export const resourceNotFound = (message: string) =>
  new LambdaServiceError(404, 'ResourceNotFoundException', message);

/** ResourceNotFoundException worded as the control plane words it (`Message`, capital M). */
export const functionNotFound = (message: string) =>
  new LambdaServiceError(404, 'ResourceNotFoundException', message, {}, 'Type+Message');

/** A request that fails Lambda's input constraints before any of its own checks run. */
export const validationError = (message: string) =>
  new LambdaServiceError(400, 'ValidationException', message, {}, 'message');

/** 409: the function is being changed, or something still references what is deleted. */
export const resourceConflict = (message: string) =>
  new LambdaServiceError(409, 'ResourceConflictException', message);

/** 412: the caller's RevisionId is not the resource's current one. */
export const preconditionFailed = () =>
  new LambdaServiceError(
    412,
    'PreconditionFailedException',
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
  );

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
