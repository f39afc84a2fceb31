/**
 * CloudWatch's errors with both of their names: the Smithy shape name the JSON protocol puts
 * in `__type`, and the awsQuery code the XML protocol (and the JSON protocol's
 * `x-amzn-query-error` header, since the service is awsQueryCompatible) reports.
 */
export class CloudWatchError extends Error {
  constructor(
    /** Shape name, e.g. `InvalidParameterValueException`. */
    readonly type: string,
    /** awsQuery code, e.g. `InvalidParameterValue`. */
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

export const invalidParameterValue = (message: string) =>
  new CloudWatchError('InvalidParameterValueException', 'InvalidParameterValue', 400, message);

export const missingParameter = (name: string) =>
  new CloudWatchError(
    'MissingRequiredParameterException',
    'MissingParameter',
    400,
    `The parameter ${name} is required.`,
  );

export const invalidParameterCombination = (message: string) =>
  new CloudWatchError(
    'InvalidParameterCombinationException',
    'InvalidParameterCombination',
    400,
    message,
  );

/** What CloudWatch answers for metric-math and query-structure errors. */
export const validationError = (message: string) =>
  new CloudWatchError('ValidationException', 'ValidationError', 400, message);

export const resourceNotFound = (message: string) =>
  new CloudWatchError('ResourceNotFound', 'ResourceNotFound', 404, message);

export const dashboardNotFound = (name: string) =>
  new CloudWatchError(
    'DashboardNotFoundError',
    'ResourceNotFound',
    404,
    `Dashboard ${name} does not exist`,
  );

export const dashboardInvalidInput = (message: string) =>
  new CloudWatchError('DashboardInvalidInputError', 'InvalidParameterInput', 400, message);

export const invalidFormat = (message: string) =>
  new CloudWatchError('InvalidFormatFault', 'InvalidFormat', 400, message);

export const invalidNextToken = () =>
  new CloudWatchError('InvalidNextToken', 'InvalidNextToken', 400, 'The NextToken is invalid.');

export const unknownOperation = (operation: string) =>
  new CloudWatchError(
    'UnknownOperationException',
    'InvalidAction',
    400,
    `CloudWatch operation ${operation} is not supported by the sandbox`,
  );

/** An ARN the tagging operations do not know (a different shape from `ResourceNotFound`). */
export const resourceNotFoundException = (arn: string) =>
  new CloudWatchError(
    'ResourceNotFoundException',
    'ResourceNotFoundException',
    404,
    `The resource ${arn} does not exist.`,
  );

/** A JSON 1.0 body that does not parse, or is not an object. */
export const serializationError = (message: string) =>
  new CloudWatchError('SerializationException', 'SerializationException', 400, message);
