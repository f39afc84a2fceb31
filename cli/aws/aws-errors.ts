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

/**
 * Turns an AWS SDK failure that a user can fix (no or expired credentials, missing access)
 * into a PromoteError with a hint; anything else is returned unchanged. Nothing has been
 * changed when these happen at preflight, which is where they usually surface.
 */
export const explainAwsError = (error: unknown): unknown => {
  if (error instanceof PromoteError || !(error instanceof Error)) return error;
  if (CREDENTIAL_ERRORS.has(error.name)) {
    return new PromoteError(
      'preflight_blocked',
      'AWS_CREDENTIALS',
      `AWS credentials are missing or expired: ${error.message}`,
      'log in (aws sso login --profile Tebogo-<env>) or pass --profile; to try without an account: --sandbox',
    );
  }
  if (error.name === 'AccessDeniedException' || error.name === 'AccessDenied') {
    return new PromoteError(
      'preflight_blocked',
      'AWS_ACCESS_DENIED',
      `access denied: ${error.message}`,
      "use the environment's deploy role (terraform/ grants exactly what promote needs)",
    );
  }
  return error;
};
