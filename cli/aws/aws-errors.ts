import { PromoteError } from '../errors.js';

/** SDK error names that mean "these credentials cannot be used here". */
const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'TokenRefreshRequired',
  'SSOTokenProviderFailure',
]);

const ACCESS_DENIED_ERRORS = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'AuthorizationError',
  // SNS's AuthorizationError as SDK v3 names it.
  'AuthorizationErrorException',
]);

/** Names AWS services use when they throttle (after the SDK's own retries gave up). */
const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'LimitExceededException',
]);

/** Socket and DNS failures: the endpoint was never reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

const networkCode = (error: Error): string | undefined => {
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string' && NETWORK_CODES.has(own)) return own;
  // fetch() wraps the socket error: TypeError("fetch failed") with the real one as cause.
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) return networkCode(cause);
  if (error.name === 'TimeoutError' && !(error as { $metadata?: unknown }).$metadata)
    return 'ETIMEDOUT';
  return undefined;
};

/**
 * Turns an AWS SDK failure that a user can act on (no or expired credentials, missing
 * access, an unreachable endpoint, throttling) into a PromoteError with a stable code and a
 * hint; anything else is returned unchanged (and is a bug: exit 1). The message never claims
 * that nothing was changed — where in the run it happened decides that, and the run's final
 * line says it (see `describeChanges`).
 */
export const explainAwsError = (error: unknown): unknown => {
  if (error instanceof PromoteError || !(error instanceof Error)) return error;
  if (CREDENTIAL_ERRORS.has(error.name)) {
    return new PromoteError(
      'preflight_blocked',
      'AWS_CREDENTIALS',
      `AWS credentials are missing or expired: ${error.message}`,
      'log in (aws sso login --profile Tebogo-<env>) or pass --profile; to try without an account: --sandbox',
      undefined,
      { cause: error },
    );
  }
  if (ACCESS_DENIED_ERRORS.has(error.name)) {
    return new PromoteError(
      'access_denied',
      'AWS_ACCESS_DENIED',
      `access denied: ${error.message}`,
      "use the environment's deploy role (order-lambda-deploy-<env> grants exactly what promote needs)",
      undefined,
      { cause: error },
    );
  }
  if (THROTTLING_ERRORS.has(error.name)) {
    return new PromoteError(
      'aws_throttled',
      'AWS_THROTTLED',
      `AWS is throttling the calls (${error.name}): ${error.message}`,
      'wait a minute and continue with --resume (the run keeps its journal and inputs)',
      undefined,
      { cause: error },
    );
  }
  const code = networkCode(error);
  if (code) {
    return new PromoteError(
      'aws_unreachable',
      'AWS_UNREACHABLE',
      `cannot reach the endpoint (${code}): ${error.message}`,
      'check the network, VPN and proxy (or, with --sandbox: promote sandbox status); then continue with --resume',
      undefined,
      { cause: error },
    );
  }
  return error;
};
