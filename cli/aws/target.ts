import type { Environment } from '../../infra/environments.js';

export interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/**
 * Where and as whom the CLI talks to an environment. One value carries it to every client,
 * so a step can never mix the sandbox with a real account, or sit's credentials with prod.
 */
export interface AwsTarget {
  readonly env: Environment;
  /** True when the endpoint is the local sandbox. */
  readonly sandbox: boolean;
  /** The shared options every SDK v3 client of this target is built with. */
  readonly clientConfig: {
    readonly region: string;
    readonly endpoint?: string;
    /** Static keys (the sandbox), or a provider (a role assumed for a read of another env). */
    readonly credentials?: StaticCredentials | (() => Promise<StaticCredentials>);
    readonly profile?: string;
    readonly maxAttempts?: number;
  };
  /** The API base URL (`https://api.sit.kimmyai.io` or the sandbox front). */
  readonly apiBaseUrl: string;
  /** Human description for logs: "sandbox http://127.0.0.1:4566 as sandbox-sit". */
  readonly describe: string;
}

/**
 * Chooses the AWS profile for a real environment: `--profile`, else `AWS_PROFILE`, else
 * nothing when credentials are already in the environment (CI with OIDC), else the plan's
 * profile for that account (`Tebogo-sit`).
 */
export const chooseProfile = (
  env: Environment,
  flag: string | undefined,
  processEnv: NodeJS.ProcessEnv,
): string | undefined => {
  if (flag) return flag;
  if (processEnv.AWS_PROFILE) return processEnv.AWS_PROFILE;
  if (processEnv.AWS_ACCESS_KEY_ID || processEnv.AWS_WEB_IDENTITY_TOKEN_FILE) return undefined;
  return env.profile;
};

/**
 * The env's API: `https://<apiDomain>`, unless `PROMOTE_API_URL_<ENV>` points elsewhere (a
 * private endpoint, a staging domain, or an emulator such as the sandbox's API front).
 */
export const apiBaseUrlOf = (env: Environment, processEnv: NodeJS.ProcessEnv = process.env) =>
  processEnv[`PROMOTE_API_URL_${env.name.toUpperCase()}`]?.trim().replace(/\/+$/, '') ||
  `https://${env.apiDomain}`;

/** A target in real AWS through the standard credential chain. */
export const awsTarget = (env: Environment, profile: string | undefined): AwsTarget => ({
  env,
  sandbox: false,
  clientConfig: { region: env.region, ...(profile ? { profile } : {}), maxAttempts: 5 },
  apiBaseUrl: apiBaseUrlOf(env),
  describe: `AWS ${env.region}${profile ? ` (profile ${profile})` : ' (default credentials)'}`,
});

/**
 * A target in the sandbox. `profile` names a sandbox key (`sandbox-dev`, `sandbox-sit`,
 * `sandbox-prod`, `sandbox`); by default the environment's own.
 */
export const sandboxTarget = (
  env: Environment,
  endpoint: string,
  apiBaseUrl: string,
  profile?: string,
): AwsTarget => {
  const key = profile ?? `sandbox-${env.name}`;
  return {
    env,
    sandbox: true,
    clientConfig: {
      region: env.region,
      endpoint,
      credentials: { accessKeyId: key, secretAccessKey: 'sandbox' },
      maxAttempts: 3,
    },
    apiBaseUrl,
    describe: `sandbox ${endpoint} as ${key}`,
  };
};

/**
 * A target in real AWS as a role assumed from the current credentials (CI: PROD's deploy role
 * assumes SIT's read-only gate reader). Credentials are fetched on first use and renewed
 * five minutes before they expire.
 */
export const assumedRoleTarget = (env: Environment, roleArn: string): AwsTarget => {
  let current: StaticCredentials | undefined;
  const credentials = async (): Promise<StaticCredentials> => {
    if (current?.expiration && current.expiration.getTime() - Date.now() > 5 * 60_000) {
      return current;
    }
    const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    const out = await new STSClient({ region: env.region }).send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: `promote-${env.name}-read`,
        DurationSeconds: 900,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey)
      throw new Error(`AssumeRole ${roleArn}: no credentials`);
    current = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
    return current;
  };
  return {
    env,
    sandbox: false,
    clientConfig: { region: env.region, credentials, maxAttempts: 5 },
    apiBaseUrl: apiBaseUrlOf(env),
    describe: `AWS ${env.region} as ${roleArn}`,
  };
};
