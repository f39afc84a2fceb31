import { ENVIRONMENTS, type EnvName } from '../../infra/environments.js';
import { stateTableName } from '../../infra/state-table.js';
import { lazyApi } from '../aws/lazy-api.js';
import type { StateApi } from '../aws/state-api.js';
import { awsTarget, sandboxTarget } from '../aws/target.js';
import { GovernanceStore } from '../checklists/governance-store.js';
import { JournalStore } from '../journal/journal-store.js';
import type { RunJournal } from '../journal/run-journal.js';
import type { Connection } from './connect.js';

/**
 * Reads another environment's state table (DEV's journals for "all tests passing in DEV",
 * SIT's sign-off for PROD's Gate 4) with that environment's own credentials, as the plan's
 * PROD step 1 reaches into SIT: in the sandbox its `sandbox-<env>` key, in AWS the profile
 * `PROMOTE_<ENV>_PROFILE` or the plan's (`Tebogo-sit`). Only reads are made.
 */
export interface OtherEnv {
  readonly env: EnvName;
  readonly runs: () => Promise<RunJournal[]>;
  readonly governance: GovernanceStore;
}

export const otherEnv = (conn: Connection, name: EnvName): OtherEnv => {
  const env = ENVIRONMENTS[name];
  const endpoint = conn.target.clientConfig.endpoint;
  const target =
    conn.target.sandbox && endpoint
      ? sandboxTarget(env, endpoint, conn.apiUrlOf(name) ?? '', `sandbox-${name}`)
      : awsTarget(env, process.env[`PROMOTE_${name.toUpperCase()}_PROFILE`] ?? env.profile);
  const state = lazyApi<StateApi>(
    async () => (await import('../aws/state-api.js')).stateApi(target),
    { tableName: stateTableName(name) },
  );
  return {
    env: name,
    runs: () => new JournalStore(conn.home, state).list(name),
    governance: new GovernanceStore(state),
  };
};
