import { existsSync } from 'node:fs';
import { GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ENVIRONMENTS, type EnvName } from '../../infra/environments.js';

/**
 * What the sandbox tests share: the aws CLI v2 (Debian's, at /usr/bin/aws — the `aws` on
 * PATH may be v1), and a look at an env's alias with its operator key.
 */
export const AWS_CLI = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';

/** The version alias `live` of `env` points to, read with the env's operator key. */
export const liveVersion = async (endpoint: string, env: EnvName): Promise<string | undefined> => {
  const e = ENVIRONMENTS[env];
  const alias = await new LambdaClient({
    endpoint,
    region: e.region,
    credentials: { accessKeyId: `sandbox-${env}`, secretAccessKey: 'sandbox' },
  }).send(new GetAliasCommand({ FunctionName: e.functionName, Name: 'live' }));
  return alias.FunctionVersion;
};
