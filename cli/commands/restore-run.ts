import type { Command } from 'commander';
import { ENVIRONMENTS, type EnvName } from '../../infra/environments.js';
import { PromoteError } from '../errors.js';
import type { IoHost } from '../io/io-host.js';
import type { StepRecord } from '../journal/run-journal.js';
import { type RestoreApi, restoreApi } from '../ops/restore-api.js';
import { describeSource, type RestoreOutcome, runRestore } from '../ops/restore-flow.js';
import {
  checkCleanupTarget,
  checkRestoreTarget,
  sideTableName,
  sideTablePrefix,
} from '../ops/restore-names.js';
import { writeRestoreReport } from '../ops/restore-report.js';
import { parsePointInTime, parseTimeout } from '../ops/restore-time.js';
import { documentClientOf } from '../ops/table-counts.js';
import { connect } from './connect.js';
import { ioOf } from './io-of.js';
import type { RestoreFlags } from './restore.js';
import { type DataRun, failureOf, openDataRun, recordFailure } from './restore-session.js';
import { storeEvidence } from './run-session.js';

/**
 * `promote restore <env>`: the plan's rollback Option 4 ("DynamoDB restore, if data
 * corruption") and the checklist's "test restore procedure from backup", as one command.
 * It restores into a side table — never over live — waits until it is ACTIVE, validates
 * it, journals and reports the verdict; `--cleanup` deletes side tables.
 */

const timed = (record: StepRecord, state: 'succeeded' | 'failed') => {
  record.state = state;
  record.finishedAt = new Date().toISOString();
  if (record.startedAt)
    record.durationMs = Date.parse(record.finishedAt) - Date.parse(record.startedAt);
};

const start = (record: StepRecord) => {
  record.state = 'running';
  record.startedAt = new Date().toISOString();
};

/** Writes the reports and copies them to the env's evidence bucket. */
const report = async (
  conn: Awaited<ReturnType<typeof connect>>,
  io: IoHost,
  run: DataRun,
  outcome?: RestoreOutcome,
) => {
  const files = writeRestoreReport(conn.home, run.journal, outcome);
  const prefix = `runs/${run.journal.env}/${run.journal.runId}`;
  const stored = await storeEvidence(conn.evidence, io, [
    { file: files.markdown, key: `${prefix}/summary.md` },
    { file: files.json, key: `${prefix}/report.json` },
  ]);
  return { ...files, ...(stored ? { stored } : {}) };
};

const restoreRun = async (env: EnvName, flags: RestoreFlags, io: IoHost): Promise<void> => {
  const environment = ENVIRONMENTS[env];
  if (Boolean(flags.backup) === Boolean(flags.pitr)) {
    throw new PromoteError(
      'usage',
      'RESTORE_NEEDS_SOURCE',
      'name exactly one source: --backup <arn|latest> or --pitr <time>',
    );
  }
  // Every refusal that needs no AWS comes first: a bad flag never takes the lock.
  const pitr = flags.pitr ? parsePointInTime(flags.pitr, new Date()) : undefined;
  const timeoutMs = parseTimeout(flags.timeout ?? '60m');
  const target = flags.target ?? sideTableName(environment, new Date());
  checkRestoreTarget(environment, target);
  const conn = await connect(env, flags, io);
  const from = flags.backup
    ? `backup ${flags.backup}`
    : `${environment.tableName} at ${flags.pitr}`;
  const run = await openDataRun(conn, io, {
    env,
    command: 'restore',
    steps: [
      { kind: 'restore', title: `Restore ${from} into ${target}` },
      { kind: 'validate', title: `Validate ${target} (counts, indexes, sampled orders)` },
    ],
    init: (journal) => {
      journal.restore = { action: 'restore', table: target };
      journal.reason = `restore ${from}`;
    },
  });
  const { journal } = run;
  const [restoreStep, validateStep] = journal.steps as [StepRecord, StepRecord];
  let outcome: RestoreOutcome | undefined;
  try {
    await run.save();
    start(restoreStep);
    outcome = await runRestore({
      api: restoreApi(conn.target),
      doc: documentClientOf(conn.target),
      env: environment,
      request: flags.backup ? { backup: flags.backup } : { pitr: pitr ?? 'latest' },
      target,
      runs: () => run.store.list(env, 100),
      timeoutMs,
      ...(flags.samples !== undefined ? { samples: flags.samples } : {}),
      signal: run.signal,
      progress: (text) => io.info('RESTORE_PROGRESS', text),
      onStarted: async (_table, source) => {
        journal.restore = { action: 'restore', table: target, source };
        await run.save();
      },
      onRestored: async () => {
        timed(restoreStep, 'succeeded');
        start(validateStep);
        await run.save();
      },
    });
    const { validation } = outcome;
    validateStep.evidence = { checks: validation.checks };
    timed(validateStep, validation.verdict === 'validated' ? 'succeeded' : 'failed');
    journal.restore = {
      action: 'restore',
      table: target,
      source: outcome.source,
      verdict: validation.verdict,
      checks: validation.checks,
      expectedCounts: outcome.expected.source,
    };
    for (const c of validation.checks) {
      io.info('RESTORE_CHECK', `${c.ok ? '✔' : c.blocking ? '✖' : '!'} ${c.name}: ${c.detail}`);
    }
    if (validation.verdict !== 'validated') {
      throw new PromoteError(
        'deploy_failed',
        'RESTORE_VALIDATION_FAILED',
        `${target} restored but NOT validated: ${validation.checks
          .filter((c) => !c.ok && c.blocking)
          .map((c) => `${c.name} (${c.detail})`)
          .join('; ')}`,
        `the side table ${target} is kept for inspection; delete it with "promote restore ${env} --cleanup ${target}"`,
        { table: target, verdict: validation.verdict, checks: validation.checks },
      );
    }
    journal.status = 'succeeded';
    journal.finishedAt = new Date().toISOString();
    const files = await report(conn, io, run, outcome);
    io.info(
      'RESTORE_DONE',
      `${target} restored from ${describeSource(outcome.source)} and validated (run ${journal.runId}); it stays until "promote restore ${env} --cleanup ${target}"`,
    );
    io.document({
      ok: true,
      env,
      table: target,
      source: outcome.source,
      verdict: validation.verdict,
      checks: validation.checks,
      counts: validation.counts,
      expected: outcome.expected,
      samples: validation.samples,
      run: journal.runId,
      reports: files,
    });
  } catch (error) {
    const failure = failureOf(error, run.signal);
    for (const step of [restoreStep, validateStep]) {
      if (step.state === 'running') {
        step.error = { code: failure.code, message: failure.message };
        timed(step, 'failed');
      }
    }
    journal.restore = { action: 'restore', table: target, ...journal.restore };
    journal.restore.verdict ??= 'incomplete';
    recordFailure(journal, failure);
    const files = await report(conn, io, run, outcome);
    throw new PromoteError(failure.reason, failure.code, failure.message, failure.hint, {
      ...(failure.details ?? {}),
      env,
      table: target,
      run: journal.runId,
      reports: files,
    });
  } finally {
    await run.close();
  }
};

/** Deletes `names` (each checked to be a side table), journaled under the env's lock. */
const deleteSideTables = async (
  conn: Awaited<ReturnType<typeof connect>>,
  io: IoHost,
  api: RestoreApi,
  env: EnvName,
  names: readonly string[],
) => {
  const run = await openDataRun(conn, io, {
    env,
    command: 'restore',
    steps: names.map((name) => ({ kind: 'delete-table', title: `Delete side table ${name}` })),
    init: (journal) => {
      journal.restore = { action: 'cleanup', deleted: [] };
    },
  });
  const { journal } = run;
  try {
    await run.save();
    for (const [i, name] of names.entries()) {
      const record = journal.steps[i] as StepRecord;
      start(record);
      await api.deleteTable(name);
      timed(record, 'succeeded');
      journal.restore?.deleted?.push(name);
      io.info('RESTORE_TABLE_DELETED', `deleted ${name}`);
      await run.save();
    }
    journal.status = 'succeeded';
    journal.finishedAt = new Date().toISOString();
    io.document({ ok: true, env, deleted: journal.restore?.deleted ?? [], run: journal.runId });
  } catch (error) {
    const failure = failureOf(error, run.signal);
    recordFailure(journal, failure);
    throw failure;
  } finally {
    await run.close();
  }
};

const cleanupRun = async (env: EnvName, flags: RestoreFlags, io: IoHost): Promise<void> => {
  const environment = ENVIRONMENTS[env];
  const named = typeof flags.cleanup === 'string' ? flags.cleanup : undefined;
  if (named) checkCleanupTarget(environment, named);
  const conn = await connect(env, flags, io);
  const api = restoreApi(conn.target);
  if (named) {
    if (!(await api.describeTable(named))) {
      throw new PromoteError('usage', 'RESTORE_CLEANUP_REFUSED', `no table ${named} in ${env}`);
    }
    await deleteSideTables(conn, io, api, env, [named]);
    return;
  }
  const names = await api.listTables(sideTablePrefix(environment));
  // Listed by prefix; checked again so that nothing else could ever be deleted.
  for (const name of names) checkCleanupTarget(environment, name);
  if (!names.length) {
    io.info('RESTORE_SIDE_TABLES', `no side tables ${sideTablePrefix(environment)}* in ${env}`);
    io.document({ ok: true, env, deleted: [] });
    return;
  }
  io.result(names.map((n) => `  ${n}`).join('\n'));
  const yes = await io.confirm(
    'RESTORE_SIDE_TABLES',
    `delete ${names.length} side table${names.length === 1 ? '' : 's'} of ${env} (${names.join(', ')})?`,
  );
  if (!yes) {
    throw new PromoteError('approval_declined', 'APPROVAL_DECLINED', 'nothing was deleted');
  }
  await deleteSideTables(conn, io, api, env, names);
};

/** The run of `promote restore <env>` (imported only when the command is used). */
export const restoreCommand = async (env: EnvName, command: Command): Promise<void> => {
  const io = ioOf(command);
  const flags = command.optsWithGlobals() as RestoreFlags;
  if (flags.cleanup !== undefined) {
    if (flags.backup || flags.pitr || flags.target) {
      throw new PromoteError(
        'usage',
        'RESTORE_NEEDS_SOURCE',
        '--cleanup deletes side tables: it takes no --backup, --pitr or --target',
      );
    }
    await cleanupRun(env, flags, io);
    return;
  }
  await restoreRun(env, flags, io);
};
