import { ENVIRONMENTS, type Environment, type EnvName } from '../../infra/environments.js';
import { stateTableName } from '../../infra/state-table.js';
import { lazyApi } from '../aws/lazy-api.js';
import type { StateApi } from '../aws/state-api.js';
import { type AwsTarget, assumedRoleTarget, awsTarget, sandboxTarget } from '../aws/target.js';
import { GovernanceStore } from '../checklists/governance-store.js';
import { JournalStore } from '../journal/journal-store.js';
import type { RunJournal } from '../journal/run-journal.js';
import type { Connection } from './connect.js';

/**
 * Reads another environment's state table (DEV's journals for "all tests passing in DEV",
 * SIT's sign-off for PROD's Gate 4) with that environment's own credentials, as the plan's
 * PROD step 1 reaches into SIT: in the sandbox its `sandbox-<env>` key, in AWS see
 * {@link awsTargetOf}. Only reads are made.
 */
export interface OtherEnv {
  readonly env: EnvName;
  readonly runs: () => Promise<RunJournal[]>;
  readonly governance: GovernanceStore;
}

/**
 * In AWS: `PROMOTE_<ENV>_PROFILE` when set; else, with ambient credentials (CI through OIDC),
 * the env's read-only gate reader role assumed from them; else the plan's SSO profile.
 */
export const awsTargetOf = (env: Environment, processEnv: NodeJS.ProcessEnv): AwsTarget => {
  const profile = processEnv[`PROMOTE_${env.name.toUpperCase()}_PROFILE`];
  if (profile) return awsTarget(env, profile);
  if (processEnv.AWS_ACCESS_KEY_ID || processEnv.AWS_WEB_IDENTITY_TOKEN_FILE) {
    return assumedRoleTarget(env, env.gateReaderRole);
  }
  return awsTarget(env, env.profile);
};

export const otherEnv = (conn: Connection, name: EnvName): OtherEnv => {
  const env = ENVIRONMENTS[name];
  const endpoint = conn.target.clientConfig.endpoint;
  const target =
    conn.target.sandbox && endpoint
      ? sandboxTarget(env, endpoint, conn.apiUrlOf(name) ?? '', `sandbox-${name}`)
      : awsTargetOf(env, process.env);
  const state = lazyApi<StateApi>(
    async () => (await import('../aws/state-api.js')).stateApi(target),
    { tableName: stateTableName(name) },
  );
  return {
    env: name,
    // A journal that cannot be read remotely (access denied…) is an answer to report, not
    // "no runs": the probe then names the error.
    runs: async () => {
      const scan = await new JournalStore(conn.home, state).scan(name);
      if (scan.remoteError && scan.runs.length === 0) throw new Error(scan.remoteError);
      return scan.runs;
    },
    governance: new GovernanceStore(state),
  };
};
