import type { Command } from 'commander';
import type { EnvName } from '../../infra/environments.js';
import type { GlobalFlags } from '../global-flags.js';
import type { StepRecord } from '../journal/run-journal.js';
import { PLANS, type Plan } from '../plans/plans.js';
import { backup } from '../steps/backup.js';
import { connect } from './connect.js';
import { ioOf } from './io-of.js';
import { failureOf, openDataRun, recordFailure } from './restore-session.js';
import { reportLine, reportRun, withRun } from './run-session.js';

/**
 * `promote backup <env>`: the plan's backup step outside a promotion — for a restore
 * rehearsal, or before a risky data change. The same step, so the same evidence: the
 * backup waited on until AVAILABLE, its item counts per status in the journal, the
 * function's snapshot beside it.
 */
export const backupCommand = async (env: EnvName, command: Command): Promise<void> => {
  const io = ioOf(command);
  const conn = await connect(env, command.optsWithGlobals() as GlobalFlags, io);
  // Not a pre-deployment backup: named for what it is.
  const plan: Plan = { ...PLANS[env], backupPrefix: `${PLANS[env].env.tableName}-on-demand` };
  const run = await openDataRun(conn, io, {
    env,
    command: 'backup',
    steps: [{ kind: 'backup', title: backup.title({ kind: 'backup' }, plan) }],
  });
  const { journal } = run;
  const record = journal.steps[0] as StepRecord;
  try {
    await run.save();
    record.state = 'running';
    record.startedAt = new Date().toISOString();
    await backup.run(
      {
        plan,
        target: conn.target,
        apis: conn.apis,
        io,
        journal,
        record,
        options: { home: conn.home },
        signal: run.signal,
        save: run.save,
        progress: (text) => io.info('BACKUP_PROGRESS', text),
      },
      { kind: 'backup' },
    );
    record.state = 'succeeded';
    record.finishedAt = new Date().toISOString();
    record.durationMs = Date.parse(record.finishedAt) - Date.parse(record.startedAt);
    journal.status = 'succeeded';
    journal.finishedAt = record.finishedAt;
    const files = await reportRun(conn, io, journal);
    const taken = journal.backups.at(-1);
    io.info('BACKUP_DONE', `${env}: backup ${taken?.name} AVAILABLE (run ${journal.runId})`);
    io.result(reportLine(files));
    io.document({ ok: true, env, backup: taken, run: journal, reports: files });
  } catch (error) {
    const failure = failureOf(error, run.signal);
    record.state = 'failed';
    record.error = { code: failure.code, message: failure.message };
    recordFailure(journal, failure);
    const failedFiles = await reportRun(conn, io, journal);
    io.result(reportLine(failedFiles));
    throw withRun(failure, journal, failedFiles);
  } finally {
    await run.close();
  }
};
