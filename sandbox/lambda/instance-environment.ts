import type { ResolvedFunction } from './function-resolver.js';

/** Temporary credentials of the function's execution role. */
export interface RoleCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/**
 * Issues credentials for a function's execution role in an account. The sandbox wires
 * this to its STS credential registry, so calls the function makes are attributed to the
 * role's account just like in AWS.
 */
export type CredentialsFor = (
  account: string,
  roleArn: string,
) => RoleCredentials | Promise<RoleCredentials>;

export interface EnvironmentInputs {
  readonly taskRoot: string;
  /** The sandbox gateway, so the function's SDK clients call the sandbox, not AWS. */
  readonly endpointUrl: string;
  readonly credentials: RoleCredentials;
  readonly logStreamName: string;
}

/**
 * The complete `process.env` of a warm instance: the function's own variables, then the
 * variables Lambda reserves (which a function cannot override, so they are applied last).
 * Nothing leaks in from the sandbox's own environment except PATH.
 */
export const instanceEnvironment = (
  fn: ResolvedFunction,
  inputs: EnvironmentInputs,
): Record<string, string> => ({
  ...fn.environment,
  AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
  AWS_LAMBDA_FUNCTION_VERSION: fn.version,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
  AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
  AWS_LAMBDA_LOG_STREAM_NAME: inputs.logStreamName,
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
  AWS_REGION: fn.region,
  AWS_DEFAULT_REGION: fn.region,
  AWS_ENDPOINT_URL: inputs.endpointUrl,
  AWS_ACCESS_KEY_ID: inputs.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: inputs.credentials.secretAccessKey,
  AWS_SESSION_TOKEN: inputs.credentials.sessionToken,
  LAMBDA_TASK_ROOT: inputs.taskRoot,
  _HANDLER: fn.handler,
  TZ: 'UTC',
  LANG: 'en_US.UTF-8',
  PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
});
