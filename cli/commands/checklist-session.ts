import { ENVIRONMENTS, type EnvName } from '../../infra/environments.js';
import type { ChecklistApi } from '../aws/checklist-api.js';
import { lazyApi } from '../aws/lazy-api.js';
import type { ChecklistFile } from '../checklists/checklist-schema.js';
import { type Actor, GovernanceStore } from '../checklists/governance-store.js';
import { hasChecklist, loadChecklist } from '../checklists/load-checklist.js';
import type { ProbeContext } from '../checklists/probe.js';
import { PromoteError } from '../errors.js';
import { gitFacts } from '../git-facts.js';
import type { GlobalFlags } from '../global-flags.js';
import type { IoHost } from '../io/io-host.js';
import { JournalStore } from '../journal/journal-store.js';
import { PLANS } from '../plans/plans.js';
import { actor, type Connection, connect } from './connect.js';
import { otherEnv } from './other-env.js';

/** What the checklist commands share: the file, who is asking, and what the probes read. */
export interface ChecklistSession {
  readonly conn: Connection;
  readonly file: ChecklistFile;
  readonly governance: GovernanceStore;
  readonly actor: Actor;
  readonly ctx: ProbeContext;
  /** The package live in the environment (undefined before the first deployment). */
  readonly live?: { version: string; codeSha256: string };
}

/**
 * Connects and confirms the caller is the environment's account before anything is read or
 * written (a confirmation recorded in the wrong account would be evidence of nothing).
 */
export const checklistSession = async (
  envName: EnvName,
  flags: GlobalFlags,
  io: IoHost,
): Promise<ChecklistSession> => {
  if (!hasChecklist(envName)) {
    throw new PromoteError(
      'usage',
      'NO_CHECKLIST',
      `the plan has no checklist for ${envName}`,
      'checklists exist for sit and prod (checklists/<env>.yaml)',
    );
  }
  const file = loadChecklist(envName);
  const env = ENVIRONMENTS[envName];
  const conn = await connect(envName, flags, io);
  const me = await conn.apis.sts.whoAmI();
  if (me.account !== env.account) {
    throw new PromoteError(
      'preflight_blocked',
      'PREFLIGHT_WRONG_ACCOUNT',
      `credentials are for account ${me.account}, but ${envName} is ${env.account} (${me.arn}); nothing was read or recorded`,
      conn.target.sandbox
        ? `use the ${envName} key: --profile sandbox-${envName} (or no --profile)`
        : `aws sso login --profile ${env.profile} and pass --profile ${env.profile}`,
    );
  }
  const git = await gitFacts();
  const live = await conn.apis.lambda
    .getAlias()
    .then(async (alias) => {
      const fn = await conn.apis.lambda.getFunction(alias.version);
      return { version: alias.version, codeSha256: fn.codeSha256 };
    })
    .catch(() => undefined);
  const dev = otherEnv(conn, 'dev');
  const sit = otherEnv(conn, 'sit');
  const target = conn.target;
  const ctx: ProbeContext = {
    env,
    plan: PLANS[envName],
    apis: conn.apis,
    checklist:
      conn.apis.checklist ??
      lazyApi<ChecklistApi>(async () =>
        (await import('../aws/checklist-api.js')).checklistApi(target),
      ),
    apiBaseUrl: target.apiBaseUrl,
    git,
    ...(live ? { codeSha256: live.codeSha256 } : {}),
    runs: () => new JournalStore(conn.home, conn.state).list(envName),
    devRuns: dev.runs,
    sitSignoff: (sha) => sit.governance.signedOff('sit-signoff', sha),
  };
  return {
    conn,
    file,
    governance: new GovernanceStore(conn.state),
    actor: { actor: actor(), callerArn: me.arn, ...(git.user ? { gitUser: git.user } : {}) },
    ctx,
    ...(live ? { live } : {}),
  };
};
