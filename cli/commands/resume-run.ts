import type { EnvName } from '../../infra/environments.js';
import { type ArtifactFacts, inspectArtifact } from '../artifact/inspect-artifact.js';
import type { StateApi } from '../aws/state-api.js';
import { PromoteError } from '../errors.js';
import type { IoHost } from '../io/io-host.js';
import { EnvLock } from '../journal/env-lock.js';
import { guardianNote } from '../journal/guardian-records.js';
import type { JournalStore } from '../journal/journal-store.js';
import type { RunJournal } from '../journal/run-journal.js';
import { isUnfinished, markSuperseded, supersession } from '../journal/supersede.js';
import { PLANS } from '../plans/plans.js';
import { restoreAlias, restoreByHand } from '../runner/restore-alias.js';
import { actor, type Connection } from './connect.js';
import { reportScanProblems } from './journal-problems.js';
import { finalLine, reportLine, reportRun } from './run-session.js';

/*
 * `promote <env> --resume [--abort]` and `--force-unlock`: which unfinished run may be
 * continued, rolling one back, and superseding the run whose lock was removed.
 */

/**
 * The unfinished run `--resume` continues, after checking it may be: not superseded, not
 * still alive in another process, its inputs journaled and its package unchanged.
 */
export const resumable = async (
  env: EnvName,
  store: JournalStore,
  lock: EnvLock,
  io: IoHost,
  abort: boolean,
): Promise<{ journal: RunJournal; facts?: ArtifactFacts }> => {
  const scan = await store.scan(env, 50);
  reportScanProblems(io, scan);
  const journal = scan.runs.find(
    (j) => j.command === 'promote' && (isUnfinished(j) || j.status === 'superseded'),
  );
  if (!journal) {
    throw new PromoteError(
      'usage',
      'NOTHING_TO_RESUME',
      `no unfinished or paused promote run of ${env} in the journal`,
      `see "promote history ${env}"`,
    );
  }
  const superseded = supersession(journal, scan.runs);
  if (superseded) {
    if (journal.status !== 'superseded') await markSuperseded(store, journal, superseded);
    throw new PromoteError(
      'usage',
      'RUN_SUPERSEDED',
      `run ${journal.runId} cannot be resumed: superseded${superseded.runId ? ` by run ${superseded.runId}` : ''} (${superseded.reason})`,
      `start a new run: promote ${env} …`,
    );
  }
  const holder = await lock.holder();
  if (holder && holder.runId === journal.runId && EnvLock.aliveHere(holder)) {
    throw new PromoteError(
      'lock_held',
      'RUN_STILL_ALIVE',
      `run ${journal.runId} is still running here as process ${holder.pid}`,
      'wait for it, or stop it (Ctrl-C) before resuming',
    );
  }
  // The canary guardian restored the stable version (the run stopped beating, or an alarm
  // fired): resuming would shift traffic back that the guardian took away on purpose.
  const guardian = journal.guardian;
  if (guardian?.outcome === 'restored') {
    journal.rollback ??= {
      to: guardian.to.version,
      reason: `by the guardian: ${guardian.summary}`,
      verified: true,
      at: guardian.at,
    };
    if (abort) return { journal };
    journal.status = 'rolled_back';
    journal.versions.after = guardian.to.version;
    journal.finishedAt ??= guardian.at;
    delete journal.interruption;
    await store.save(journal);
    // The run is over: the lock a killed run left behind goes with it.
    if (holder?.runId === journal.runId) await lock.release(journal.runId).catch(() => undefined);
    throw new PromoteError(
      'usage',
      'RUN_ROLLED_BACK_BY_GUARDIAN',
      `run ${journal.runId} cannot be resumed: it was ${guardianNote(journal)}`,
      `start a new run: promote ${env} … (the guardian's record: promote status ${env})`,
      { guardian },
    );
  }
  if (abort) return { journal };
  const artifact = journal.inputs?.artifact;
  if (!artifact) {
    throw new PromoteError(
      'usage',
      'RESUME_NO_INPUTS',
      `run ${journal.runId} did not journal its inputs (started by an older promote); it cannot be resumed safely`,
      `roll it back with "promote ${env} --resume --abort", then start a new run`,
    );
  }
  let facts: ArtifactFacts;
  try {
    facts = inspectArtifact(artifact.path);
  } catch (error) {
    throw new PromoteError(
      'usage',
      'RESUME_ARTIFACT_GONE',
      `run ${journal.runId} deploys ${artifact.path}, which is no longer usable: ${(error as Error).message}`,
      `restore that file, or roll the run back with "promote ${env} --resume --abort"`,
    );
  }
  if (facts.sha256 !== artifact.sha256) {
    throw new PromoteError(
      'usage',
      'RESUME_ARTIFACT_CHANGED',
      `run ${journal.runId} deploys ${artifact.path} with SHA-256 ${artifact.sha256}, but the file now hashes to ${facts.sha256}`,
      `restore that file, or roll the run back with "promote ${env} --resume --abort"`,
    );
  }
  return { journal, facts };
};

/** The run whose lock `--force-unlock` removed is superseded by `by`; false if it had ended. */
export const supersedeHolder = async (
  store: JournalStore,
  state: StateApi,
  env: EnvName,
  runId: string,
  by: string,
): Promise<boolean> => {
  store.attach(state);
  const run = (await store.list(env, 50)).find((j) => j.runId === runId);
  if (!run || !isUnfinished(run)) return false;
  await markSuperseded(store, run, {
    runId: by,
    reason: `its lock was force-removed by run ${by}`,
  });
  return true;
};

/** `--resume --abort`: roll the unfinished run back to where it started, verified. */
export const abortRun = async (
  env: EnvName,
  journal: RunJournal,
  conn: Connection,
  lock: EnvLock,
  store: JournalStore,
  io: IoHost,
): Promise<void> => {
  await lock.acquire({ runId: journal.runId, actor: actor(), command: `abort ${env}` });
  try {
    journal.status = 'interrupted';
    const outcome = await restoreAlias({
      lambda: conn.apis.lambda,
      journal,
      io,
      reason: `aborted by ${actor()}`,
    });
    if (outcome === 'failed') {
      await store.save(journal);
      throw new PromoteError(
        'rollback_failed',
        'ROLLBACK_FAILED',
        `abort could not restore the alias: ${journal.rollback?.error}`,
        restoreByHand(PLANS[env].env, journal.versions.before),
      );
    }
    journal.status = outcome === 'foreign' ? 'superseded' : 'rolled_back';
    delete journal.interruption;
    journal.finishedAt = new Date().toISOString();
    if (outcome === 'not_needed' && journal.versions.before)
      journal.versions.after = journal.versions.before;
    await store.save(journal);
    const files = await reportRun(conn, io, journal);
    io.info('RUN_ABORTED', finalLine(journal));
    io.result(reportLine(files));
    io.document({
      ok: true,
      env,
      aborted: true,
      version: journal.versions.after ?? journal.versions.before,
      run: journal,
      reports: files,
    });
  } finally {
    await lock.release(journal.runId).catch(() => undefined);
  }
};
