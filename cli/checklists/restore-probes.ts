import type { RunJournal } from '../journal/run-journal.js';
import { fail, type Probe, pass } from './probe.js';

/**
 * "Test restore procedure from backup" (plan § Data Migration), answered from the journal:
 * a `promote restore` of this environment that ended validated — restored into a side table
 * and checked against the counts journaled with the backup — recently enough to still say
 * something about today's tables and permissions.
 */

/** How recent a rehearsal must be. */
export const RESTORE_REHEARSAL_DAYS = 30;

/** The newest validated restore run in `runs` that finished at or after `since`. */
export const lastValidatedRestore = (
  runs: readonly RunJournal[],
  since: Date,
): RunJournal | undefined =>
  runs
    .filter(
      (r) =>
        r.command === 'restore' &&
        r.restore?.action === 'restore' &&
        r.restore.verdict === 'validated' &&
        r.status === 'succeeded' &&
        (r.finishedAt ?? '') >= since.toISOString(),
    )
    .sort((a, b) => ((a.finishedAt ?? '') < (b.finishedAt ?? '') ? 1 : -1))[0];

export const RESTORE_PROBES = {
  'restore-rehearsed': {
    title: (e) => `validated restore of ${e.tableName} in the last ${RESTORE_REHEARSAL_DAYS} days`,
    async run({ runs, now }) {
      if (!runs) return fail('no journals');
      const since = new Date(
        (now?.() ?? new Date()).getTime() - RESTORE_REHEARSAL_DAYS * 86_400_000,
      );
      const found = lastValidatedRestore(await runs(), since);
      if (!found?.restore) {
        return fail(
          `no validated "promote restore" since ${since.toISOString().slice(0, 10)}: rehearse one (promote restore <env> --backup latest)`,
        );
      }
      const { table, source } = found.restore;
      const from =
        source?.kind === 'backup'
          ? `backup ${source.name ?? source.arn}`
          : `PITR ${source?.at ?? ''}`;
      return pass(`${table} from ${from}, validated ${found.finishedAt} (run ${found.runId})`, {
        runId: found.runId,
        table,
        source,
        finishedAt: found.finishedAt,
      });
    },
  },
} satisfies Record<string, Probe>;
