import type { Command } from 'commander';
import type { EnvName } from '../../infra/environments.js';
import type { VersionInfo } from '../aws/lambda-api.js';
import { PromoteError } from '../errors.js';
import { EnvLock } from '../journal/env-lock.js';
import { JournalStore } from '../journal/journal-store.js';
import { newJournal, type RunJournal, type StepRecord } from '../journal/run-journal.js';
import { supersedeEarlier } from '../journal/supersede.js';
import { PLANS } from '../plans/plans.js';
import { runSmoke, smokeFailure } from '../smoke/run-smoke.js';
import { switchAlias } from '../steps/alias-switch.js';
import { actor, connect } from './connect.js';
import { ioOf } from './io-of.js';
import { reportScanProblems } from './journal-problems.js';
import { rollbackRegion } from './rollback-region.js';
import { finalLine, reportLine, reportRun, withRun } from './run-session.js';

interface RollbackFlags {
  to?: string;
  reason?: string;
  forceUnlock?: boolean;
  token?: string;
  sandbox?: boolean;
  profile?: string;
}

/**
 * Resolves `--to`: a version number, or a release tag found in a version's description
 * (`release v1.0.0-prod …`, as the deploy step writes it). Without `--to`, the version the
 * last successful promote started from.
 */
export const resolveRollbackTarget = (
  to: string | undefined,
  versions: readonly VersionInfo[],
  current: string,
  history: readonly RunJournal[],
): VersionInfo => {
  if (to === '$LATEST') {
    throw new PromoteError(
      'usage',
      'ROLLBACK_LATEST',
      '$LATEST is mutable and cannot be rolled back to; name a published version',
    );
  }
  let wanted = to;
  if (!wanted) {
    const last = history.find(
      (j) => j.command === 'promote' && j.versions.before && j.versions.before !== current,
    );
    if (!last?.versions.before) {
      throw new PromoteError(
        'usage',
        'ROLLBACK_NO_PREVIOUS',
        'no earlier version in the journal to roll back to',
        'name one: --to <version|release-tag>',
      );
    }
    wanted = last.versions.before;
  }
  const found = /^\d+$/.test(wanted)
    ? versions.find((v) => v.version === wanted)
    : [...versions].reverse().find((v) => v.description.split(/\s+/).includes(wanted as string));
  if (!found) {
    throw new PromoteError(
      'usage',
      'ROLLBACK_UNKNOWN_VERSION',
      `no published version ${/^\d+$/.test(wanted) ? wanted : `tagged ${wanted}`}`,
      `published: ${versions.map((v) => v.version).join(', ') || 'none'}`,
    );
  }
  if (found.version === current) {
    throw new PromoteError(
      'usage',
      'ROLLBACK_IS_CURRENT',
      `version ${found.version} is already live; nothing to roll back`,
    );
  }
  return found;
};

export const rollback = async (env: EnvName, command: Command): Promise<void> => {
  const io = ioOf(command);
  const flags = command.optsWithGlobals() as RollbackFlags;
  const conn = await connect(env, flags, io);
  const { lambda } = conn.apis;
  const identity = await conn.apis.sts.whoAmI();
  if (identity.account !== PLANS[env].env.account) {
    throw new PromoteError(
      'preflight_blocked',
      'PREFLIGHT_WRONG_ACCOUNT',
      `credentials are for account ${identity.account}, but ${env} is ${PLANS[env].env.account}; nothing was changed`,
    );
  }
  const store = new JournalStore(conn.home, conn.state, (error) =>
    io.warn('JOURNAL_REMOTE', `could not write the journal remotely: ${error.message}`),
  );
  const alias = await lambda.getAlias();
  const failover = conn.apis.failover;
  const history = await store.scan(env, 50);
  reportScanProblems(io, history);
  const target = resolveRollbackTarget(
    flags.to,
    await lambda.listVersions(),
    alias.version,
    history.runs,
  );
  // An emergency rollback does not wait for a smoke token: without one it rolls back, says
  // the read-only smoke was skipped and why, and exits by what happened to the alias.
  const tokens = await conn.smokeTokens().catch((error: unknown) => {
    if (error instanceof PromoteError && error.code === 'SMOKE_NO_TOKEN') return error;
    throw error;
  });
  if (tokens instanceof PromoteError) {
    io.warn(
      'SMOKE_WILL_BE_SKIPPED',
      `${tokens.message}: the read-only smoke check after the switch will be skipped`,
    );
  }
  const journal = newJournal({
    env,
    command: 'rollback',
    actor: actor(),
    sandbox: conn.target.sandbox,
    region: PLANS[env].env.region,
    reason: flags.reason ?? 'not given',
    steps: [
      {
        kind: 'switch-alias',
        title: `Switch alias ${PLANS[env].env.alias} → version ${target.version}`,
      },
      ...(failover
        ? [
            {
              kind: 'switch-alias-failover',
              title: `Switch alias ${PLANS[env].env.alias} in ${failover.region} → the same package`,
            },
          ]
        : []),
      { kind: 'smoke', title: 'Smoke tests (read-only subset)' },
    ],
  });
  journal.versions.before = alias.version;
  journal.versions.candidate = target.version;
  const lock = new EnvLock(conn.state, env);
  if (flags.forceUnlock) {
    const held = await lock.forceUnlock();
    if (held) io.warn('FORCE_UNLOCK', `removed ${env} lock of run ${held.runId} (${held.command})`);
  }
  await lock.acquire({ runId: journal.runId, actor: journal.actor, command: `rollback ${env}` });
  journal.lockedAt = new Date().toISOString();
  // A promote left unfinished must never be resumed over this rollback.
  for (const run of await supersedeEarlier(store, journal, `rollback run ${journal.runId}`)) {
    io.warn('RUN_SUPERSEDED', `unfinished run ${run.runId} is superseded by this rollback`);
  }
  const stepOf = (kind: string) => journal.steps.find((s) => s.kind === kind) as StepRecord;
  const switchStep = stepOf('switch-alias');
  const smokeStep = stepOf('smoke');
  try {
    await store.save(journal);
    switchStep.state = 'running';
    switchStep.startedAt = new Date().toISOString();
    try {
      await switchAlias(lambda, target.version);
    } catch (error) {
      switchStep.state = 'failed';
      journal.status = 'rollback_failed';
      throw error instanceof PromoteError
        ? error
        : new PromoteError('rollback_failed', 'ROLLBACK_FAILED', (error as Error).message);
    }
    switchStep.state = 'succeeded';
    switchStep.finishedAt = new Date().toISOString();
    switchStep.evidence = {
      from: alias.version,
      fromWeights: alias.weights,
      to: target.version,
      description: target.description,
    };
    journal.versions.after = target.version;
    journal.rollback = {
      to: target.version,
      reason: journal.reason ?? '',
      verified: true,
      at: switchStep.finishedAt,
    };
    io.info('ROLLED_BACK', `${env}: alias ${alias.version} → ${target.version}, verified`);
    await store.save(journal);
    if (failover) {
      // The primary serves traffic and went first; the failover region follows by package.
      await rollbackRegion({
        regional: failover,
        codeSha256: target.codeSha256,
        journal,
        step: stepOf('switch-alias-failover'),
        io,
      });
      await store.save(journal);
    }

    if (tokens instanceof PromoteError) {
      smokeStep.state = 'skipped';
      smokeStep.evidence = { skipped: tokens.message, hint: tokens.hint };
      journal.status = 'succeeded';
      journal.finishedAt = new Date().toISOString();
      const files = await reportRun(conn, io, journal);
      io.warn('SMOKE_SKIPPED', `read-only smoke skipped: ${tokens.message} (${tokens.hint ?? ''})`);
      io.info('RUN_DONE', finalLine(journal));
      io.result(reportLine(files));
      io.document({
        ok: true,
        env,
        version: target.version,
        smoke: 'skipped',
        run: journal,
        reports: files,
      });
      return;
    }
    smokeStep.state = 'running';
    const report = await runSmoke({
      baseUrl: conn.target.apiBaseUrl,
      token: tokens.token,
      ...(tokens.adminToken ? { adminToken: tokens.adminToken } : {}),
      readOnly: true,
    });
    smokeStep.evidence = { smoke: report };
    smokeStep.state = report.ok ? 'succeeded' : 'failed';
    const failure = smokeFailure(report);
    journal.status = failure ? 'failed' : 'succeeded';
    if (failure) throw failure;
    journal.finishedAt = new Date().toISOString();
    const files = await reportRun(conn, io, journal);
    io.info('RUN_DONE', finalLine(journal));
    io.result(reportLine(files));
    io.document({ ok: true, env, version: target.version, run: journal, reports: files });
  } catch (error) {
    if (journal.status === 'running') journal.status = 'failed';
    journal.finishedAt = new Date().toISOString();
    const failedFiles = await reportRun(conn, io, journal);
    io.result(reportLine(failedFiles));
    throw withRun(error, journal, failedFiles);
  } finally {
    // The one final save, whichever way the run ended.
    await store.save(journal).catch(() => undefined);
    await lock.release(journal.runId).catch(() => undefined);
  }
};
