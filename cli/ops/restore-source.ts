import type { Environment } from '../../infra/environments.js';
import { PromoteError } from '../errors.js';
import type { RestoreSource } from '../journal/restore-evidence.js';
import type { RunJournal } from '../journal/run-journal.js';
import type { BackupShape, RestoreApi } from './restore-api.js';
import { checkInWindow } from './restore-time.js';
import type { ExpectedCounts } from './restore-validation.js';

/**
 * What a restore restores from, checked before anything is created: the backup (an ARN, or
 * the newest AVAILABLE one of the env's orders table) or a point in time inside the
 * table's PITR window — and what its result will be measured against.
 */

export interface ResolvedSource {
  readonly source: RestoreSource;
  /** The moment the data is from: no order may be newer. */
  readonly point?: Date;
  readonly expected: ExpectedCounts;
}

/** The counts the backup step journaled with this backup, newest journal first. */
const journaledCounts = (arn: string, runs: readonly RunJournal[]) => {
  for (const run of runs) {
    const entry = run.backups.find((b) => b.arn === arn && b.counts);
    if (entry?.counts) return { run, counts: entry.counts };
  }
  return undefined;
};

const expectedFor = (backup: BackupShape, runs: readonly RunJournal[]): ExpectedCounts => {
  const found = journaledCounts(backup.arn, runs);
  if (found) {
    const { counts, run } = found;
    return {
      source: 'journal',
      byStatus: counts.byStatus,
      total: counts.total,
      tolerance: counts.tolerance,
      note: `counted by ${run.command} run ${run.runId} at ${counts.countedAt}${counts.tolerance ? `, ${counts.tolerance} writes meanwhile` : ', no writes meanwhile'}`,
    };
  }
  if (backup.itemCount !== undefined) {
    return {
      source: 'describe-backup',
      total: backup.itemCount,
      tolerance: 0,
      note: "DescribeBackup's ItemCount: this CLI did not count this backup, and AWS refreshes that number only about every six hours, so it is reported, not binding",
    };
  }
  return {
    source: 'none',
    tolerance: 0,
    note: 'nothing recorded how many items this backup holds',
  };
};

/**
 * `--backup <arn|latest>`: the backup, which must be AVAILABLE and of the env's orders table.
 *
 * @param runs the env's journals, newest first (where the backup step left its counts)
 */
export const resolveBackup = async (
  api: Pick<RestoreApi, 'listBackups' | 'describeBackup'>,
  env: Environment,
  which: string,
  runs: () => Promise<RunJournal[]>,
): Promise<ResolvedSource> => {
  let arn = which;
  if (which === 'latest') {
    const newest = (await api.listBackups(env.tableName)).find((b) => b.status === 'AVAILABLE');
    if (!newest) {
      throw new PromoteError(
        'preflight_blocked',
        'RESTORE_NO_BACKUP',
        `no AVAILABLE backup of ${env.tableName}; nothing was restored`,
        `take one with "promote backup ${env.name}"`,
      );
    }
    arn = newest.arn;
  }
  let backup: BackupShape;
  try {
    backup = await api.describeBackup(arn);
  } catch (error) {
    if ((error as Error).name !== 'BackupNotFoundException') throw error;
    throw new PromoteError(
      'usage',
      'RESTORE_NO_BACKUP',
      `no backup ${arn}; nothing was restored`,
      `list them: aws dynamodb list-backups --table-name ${env.tableName}`,
      undefined,
      { cause: error },
    );
  }
  if (backup.tableName && backup.tableName !== env.tableName) {
    throw new PromoteError(
      'usage',
      'RESTORE_WRONG_TABLE',
      `backup ${backup.name || arn} is of ${backup.tableName}, not ${env.tableName}; nothing was restored`,
    );
  }
  if (backup.status !== 'AVAILABLE') {
    throw new PromoteError(
      'preflight_blocked',
      'RESTORE_BACKUP_NOT_AVAILABLE',
      `backup ${backup.name || arn} is ${backup.status}, not AVAILABLE; nothing was restored`,
    );
  }
  return {
    source: {
      kind: 'backup',
      arn: backup.arn || arn,
      ...(backup.name ? { name: backup.name } : {}),
      ...(backup.type ? { type: backup.type } : {}),
      ...(backup.createdAt ? { createdAt: backup.createdAt.toISOString() } : {}),
    },
    ...(backup.createdAt ? { point: backup.createdAt } : {}),
    expected: expectedFor(backup, await runs()),
  };
};

/**
 * `--pitr <time>`: PITR must be on and the time inside its window (DescribeContinuousBackups).
 * Nothing counted the table at an arbitrary moment, so there are no expected counts.
 */
export const resolvePointInTime = async (
  api: Pick<RestoreApi, 'pitrWindow'>,
  env: Environment,
  at: Date | 'latest',
): Promise<ResolvedSource> => {
  const window = await api.pitrWindow(env.tableName);
  if (!window.enabled || !window.earliest || !window.latest) {
    throw new PromoteError(
      'preflight_blocked',
      'RESTORE_PITR_DISABLED',
      `point-in-time recovery is off on ${env.tableName}: there is no window to restore from`,
      `restore a backup instead: --backup latest`,
    );
  }
  if (at !== 'latest') {
    checkInWindow(env.tableName, at, { earliest: window.earliest, latest: window.latest });
  }
  // For `latest` the moment is known only once DynamoDB answers (RestoreSummary): the flow
  // sets it then.
  return {
    source: {
      kind: 'pitr',
      table: env.tableName,
      at: at === 'latest' ? 'latest' : at.toISOString(),
    },
    ...(at === 'latest' ? {} : { point: at }),
    expected: {
      source: 'none',
      tolerance: 0,
      note: 'nothing counts the table at an arbitrary moment: the check is that no order is newer than it',
    },
  };
};
