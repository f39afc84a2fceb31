import type { EnvName } from '../../infra/environments.js';
import { explainAwsError } from '../aws/aws-errors.js';
import { PromoteError } from '../errors.js';
import type { IoHost } from '../io/io-host.js';
import { EnvLock } from '../journal/env-lock.js';
import { JournalStore } from '../journal/journal-store.js';
import { newJournal, type RunJournal } from '../journal/run-journal.js';
import { actor, type Connection } from './connect.js';
import { interruptible } from './run-session.js';

/**
 * The session of a day-2 data command (`promote backup`, `promote restore`): the caller must
 * be the env's account, the run is journaled (locally and in the state table) and holds
 * the env's lock — so no promote starts while a backup or restore is under way — and
 * Ctrl-C is an orderly stop. Unlike a rollback it supersedes nothing: it never moves the
 * alias, so a paused canary stays resumable (cli/journal/supersede.ts).
 */
export interface DataRun {
  readonly journal: RunJournal;
  readonly store: JournalStore;
  readonly signal: AbortSignal;
  /** Saves the journal (a failed remote write is a warning, never a failed run). */
  save(): Promise<void>;
  /** The one final save, the lock's release and the signal handlers' removal. */
  close(): Promise<void>;
}

/** Refuses credentials of another account before anything is read or written. */
export const checkAccount = async (conn: Connection, env: EnvName): Promise<void> => {
  const identity = await conn.apis.sts.whoAmI();
  if (identity.account !== conn.target.env.account) {
    throw new PromoteError(
      'preflight_blocked',
      'PREFLIGHT_WRONG_ACCOUNT',
      `credentials are for account ${identity.account}, but ${env} is ${conn.target.env.account}; nothing was changed`,
    );
  }
};

/** Checks the account, journals the run and takes the env's lock. */
export const openDataRun = async (
  conn: Connection,
  io: IoHost,
  input: {
    env: EnvName;
    command: 'backup' | 'restore';
    steps: ReadonlyArray<{ kind: string; title: string }>;
    init?: (journal: RunJournal) => void;
  },
): Promise<DataRun> => {
  await checkAccount(conn, input.env);
  const store = new JournalStore(conn.home, conn.state, (error) =>
    io.warn('JOURNAL_REMOTE', `could not write the journal remotely: ${error.message}`),
  );
  const journal = newJournal({
    env: input.env,
    command: input.command,
    actor: actor(),
    sandbox: conn.target.sandbox,
    steps: input.steps,
  });
  input.init?.(journal);
  const lock = new EnvLock(conn.state, input.env);
  await lock.acquire({
    runId: journal.runId,
    actor: journal.actor,
    command: `${input.command} ${input.env}`,
  });
  journal.lockedAt = new Date().toISOString();
  const session = interruptible(io, () => `run ${journal.runId} (${input.command} ${input.env})`);
  session.onSecondInterrupt(async () => {
    journal.status = 'interrupted';
    journal.finishedAt = new Date().toISOString();
    store.saveLocal(journal);
    await lock.release(journal.runId);
    return `journal of run ${journal.runId} saved; ${input.env}'s lock released`;
  });
  const save = () => store.save(journal);
  return {
    journal,
    store,
    signal: session.signal,
    save,
    async close() {
      await save().catch(() => undefined);
      await lock.release(journal.runId).catch(() => undefined);
      session.dispose();
    },
  };
};

/** What ended a data run, as a PromoteError (SDK errors explained, Ctrl-C an interruption). */
export const failureOf = (raw: unknown, signal: AbortSignal): PromoteError => {
  const error = explainAwsError(raw);
  if (error instanceof PromoteError) return error;
  if (signal.aborted)
    return new PromoteError('interrupted', 'INTERRUPTED', 'interrupted (Ctrl-C / SIGTERM)');
  const e = error as Error;
  return new PromoteError(
    'internal',
    'STEP_CRASHED',
    `${e.name}: ${e.message}`,
    undefined,
    undefined,
    {
      cause: raw,
    },
  );
};

/** Journals how a data run ended badly. */
export const recordFailure = (journal: RunJournal, failure: PromoteError): void => {
  journal.status = failure.reason === 'interrupted' ? 'interrupted' : 'failed';
  journal.error = { code: failure.code, message: failure.message, exitCode: failure.exitCode };
  journal.finishedAt = new Date().toISOString();
};
