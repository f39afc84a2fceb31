import type { JournalStore } from './journal-store.js';
import type { RunJournal } from './run-journal.js';

/** A run that has not ended: it may still hold the lock or be resumed. */
export const isUnfinished = (run: RunJournal): boolean =>
  run.status === 'running' ||
  run.status === 'paused' ||
  (run.status === 'interrupted' && run.interruption !== undefined);

/**
 * Why `run` may no longer be resumed: it was marked superseded, or a later run of the
 * environment took the lock after it (the mark may not have been written — the journal
 * copies can lag). Pure; `runs` is the environment's history, any order.
 */
export const supersession = (
  run: RunJournal,
  runs: readonly RunJournal[],
): { runId?: string; reason: string } | undefined => {
  if (run.supersededBy) return run.supersededBy;
  if (run.status === 'superseded') return { reason: 'marked superseded' };
  // Only a run that may move the alias takes over: a backup or restore holds the lock while
  // it works but leaves a paused canary exactly where it was, still resumable.
  const later = runs
    .filter(
      (r) =>
        r.runId !== run.runId &&
        r.startedAt > run.startedAt &&
        r.lockedAt &&
        (r.command === 'promote' || r.command === 'rollback'),
    )
    .sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1))[0];
  return later
    ? { runId: later.runId, reason: `${later.command} run ${later.runId} took the lock later` }
    : undefined;
};

/** Marks one run superseded, saved: it can never be resumed again. */
export const markSuperseded = async (
  store: JournalStore,
  run: RunJournal,
  by: { runId?: string; reason: string },
): Promise<void> => {
  run.status = 'superseded';
  run.supersededBy = { ...by, at: new Date().toISOString() };
  run.finishedAt ??= run.supersededBy.at;
  await store.save(run);
};

/**
 * Marks the environment's earlier unfinished runs superseded by `by` (called once `by` holds
 * the lock, or removed theirs with `--force-unlock`): resuming one of them could move the
 * environment back to a package nobody asks for any more.
 */
export const supersedeEarlier = async (
  store: JournalStore,
  by: Pick<RunJournal, 'env' | 'runId' | 'startedAt'>,
  reason: string,
): Promise<RunJournal[]> => {
  const marked: RunJournal[] = [];
  for (const run of await store.list(by.env, 50)) {
    if (run.runId === by.runId || !isUnfinished(run)) continue;
    // A run that started after `by` is still before its lock (or waiting on it): it has
    // changed nothing, and will learn about the lock itself.
    if (run.startedAt > by.startedAt) continue;
    await markSuperseded(store, run, { runId: by.runId, reason });
    marked.push(run);
  }
  return marked;
};
