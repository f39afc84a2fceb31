import { userInfo } from 'node:os';
import { ENVIRONMENTS, type EnvName } from '../../infra/environments.js';
import { stateTableName } from '../../infra/state-table.js';
import { loadSandboxKeys } from '../../sandbox/api/jwt.js';
import { startDaemon } from '../../sandbox/control-client.js';
import { promoteHome, sandboxPaths } from '../../sandbox/paths.js';
import type { ChecklistApi } from '../aws/checklist-api.js';
import type { CloudWatchApi } from '../aws/cloudwatch-api.js';
import type { DynamoDbApi } from '../aws/dynamodb-api.js';
import type { EvidenceApi } from '../aws/evidence-api.js';
import type { InfraApi } from '../aws/infra-api.js';
import type { LambdaApi } from '../aws/lambda-api.js';
import { lazyApi } from '../aws/lazy-api.js';
import { inRegion, regionalApiUrlOf } from '../aws/regional-target.js';
import type { StateApi } from '../aws/state-api.js';
import type { StsApi } from '../aws/sts-api.js';
import {
  type AwsTarget,
  apiBaseUrlOf,
  awsTarget,
  chooseProfile,
  sandboxTarget,
} from '../aws/target.js';
import { PromoteError } from '../errors.js';
import type { GlobalFlags } from '../global-flags.js';
import type { IoHost } from '../io/io-host.js';
import { resolveToken } from '../smoke/resolve-token.js';
import type { RegionalApis, RunApis } from '../steps/step-context.js';
import { DEFAULT_SANDBOX_PORT, parsePort, SANDBOX_PORT_ENV } from './sandbox.js';

/** A connection to one environment: where, as whom, the narrow APIs, and smoke tokens. */
export interface Connection {
  readonly target: AwsTarget;
  readonly apis: RunApis;
  readonly state: StateApi;
  /** The env's evidence bucket (reports and checklist evidence). */
  readonly evidence: EvidenceApi;
  readonly home: string;
  /** Base URL of every environment's API (prod preflight reads SIT's health). */
  readonly apiUrlOf: (env: EnvName) => string | undefined;
  /** Tokens for the smoke tests: `--token`, `<ENV>_TOKEN`, or minted by the sandbox. */
  readonly smokeTokens: () => Promise<{ token: string; adminToken?: string }>;
}

/** Who is running this, for the lock and the journal (never an email or a secret). */
export const actor = (): string =>
  process.env.GITHUB_ACTOR ? `github:${process.env.GITHUB_ACTOR}` : userInfo().username;

/**
 * Resolves `--sandbox` / `--profile` into a target. With `--sandbox` the sandbox is started
 * when it is not running (so any command "just works" on a laptop or in CI).
 */
/** PROD's failover region: its function (loaded on first use) and its API if known. */
const failoverApis = (
  target: AwsTarget,
  region: string,
  apiBaseUrl: string | undefined,
): RegionalApis => ({
  region,
  lambda: lazyApi<LambdaApi>(async () =>
    (await import('../aws/lambda-api.js')).lambdaApi(inRegion(target, region)),
  ),
  ...(apiBaseUrl ? { apiBaseUrl } : {}),
});

export const connect = async (
  envName: EnvName,
  flags: GlobalFlags & { token?: string },
  io: IoHost,
): Promise<Connection> => {
  const env = ENVIRONMENTS[envName];
  const home = promoteHome();
  let target: AwsTarget;
  let apiUrlOf: (env: EnvName) => string | undefined;
  let smokeTokens: Connection['smokeTokens'];
  // The failover region's own API, when one is known (see regionalApiUrlOf).
  let failoverApi: string | undefined = env.failoverRegion
    ? regionalApiUrlOf(envName, env.failoverRegion)
    : undefined;
  if (flags.sandbox) {
    // The same port `promote sandbox up` uses; a bad value is refused the same way (exit 2).
    const raw = process.env[SANDBOX_PORT_ENV] ?? String(DEFAULT_SANDBOX_PORT);
    let port: number;
    try {
      port = parsePort(raw);
    } catch (error) {
      throw new PromoteError(
        'usage',
        'SANDBOX_BAD_PORT',
        `${SANDBOX_PORT_ENV}=${raw}: ${(error as Error).message}`,
      );
    }
    io.debug('SANDBOX_CONNECT', `looking for the sandbox (starting it on :${port} if needed)`);
    const { state, alreadyRunning } = await startDaemon({ port, fresh: false });
    if (!alreadyRunning) io.info('SANDBOX_UP', `sandbox started at ${state.endpoint}`);
    const apiUrl = state.apiUrls[envName];
    if (!apiUrl) {
      throw new PromoteError(
        'sandbox_unavailable',
        'NO_API',
        `the sandbox has no API for ${envName}`,
      );
    }
    target = sandboxTarget(env, state.endpoint, apiUrl, flags.profile);
    const fronts = (state as { failoverApiUrls?: Readonly<Record<string, string>> })
      .failoverApiUrls;
    failoverApi = fronts?.[envName] ?? failoverApi;
    apiUrlOf = (other) => state.apiUrls[other];
    smokeTokens = async () => {
      const fromUser = resolveToken({ flag: flags.token, env: envName, processEnv: process.env });
      if (fromUser) return { token: fromUser.token };
      const keys = await loadSandboxKeys(sandboxPaths(home).keys);
      return {
        token: await keys.mintToken({ env: envName, customerId: 'cust_test_001' }),
        adminToken: await keys.mintToken({ env: envName, admin: true }),
      };
    };
  } else {
    const profile = chooseProfile(env, flags.profile, process.env);
    target = awsTarget(env, profile);
    apiUrlOf = (other) => apiBaseUrlOf(ENVIRONMENTS[other]);
    smokeTokens = async () => {
      const fromUser = resolveToken({ flag: flags.token, env: envName, processEnv: process.env });
      if (!fromUser) {
        throw new PromoteError(
          'usage',
          'SMOKE_NO_TOKEN',
          `no token for the ${envName} smoke tests`,
          `export ${envName.toUpperCase()}_TOKEN=<a Cognito access token for a test admin> or pass --token`,
        );
      }
      return { token: fromUser.token };
    };
  }
  io.debug('TARGET', target.describe);
  return {
    target,
    // Each client loads on its first call: a command pays only for the services it uses.
    apis: {
      sts: lazyApi<StsApi>(async () => (await import('../aws/sts-api.js')).stsApi(target)),
      lambda: lazyApi<LambdaApi>(async () =>
        (await import('../aws/lambda-api.js')).lambdaApi(target),
      ),
      dynamodb: lazyApi<DynamoDbApi>(async () =>
        (await import('../aws/dynamodb-api.js')).dynamoDbApi(target),
      ),
      infra: lazyApi<InfraApi>(async () => (await import('../aws/infra-api.js')).infraApi(target)),
      cloudwatch: lazyApi<CloudWatchApi>(async () =>
        (await import('../aws/cloudwatch-api.js')).cloudWatchApi(target),
      ),
      checklist: lazyApi<ChecklistApi>(async () =>
        (await import('../aws/checklist-api.js')).checklistApi(target),
      ),
      ...(env.failoverRegion
        ? { failover: failoverApis(target, env.failoverRegion, failoverApi) }
        : {}),
    },
    state: lazyApi<StateApi>(async () => (await import('../aws/state-api.js')).stateApi(target), {
      tableName: stateTableName(envName),
    }),
    evidence: lazyApi<EvidenceApi>(
      async () => (await import('../aws/evidence-api.js')).evidenceApi(target),
      { bucket: env.evidenceBucket },
    ),
    home,
    apiUrlOf,
    smokeTokens,
  };
};
