import type { Check } from './step-evidence.js';

/**
 * What the journal keeps about backups and restores, beyond the promote runs' own record:
 * the item counts the backup step saw around each backup it took (the yardstick a later
 * restore is measured against), and each `promote restore` run's source, side table and
 * verdict. Plain JSON, additive: journals written before these fields existed still load.
 */

/** The orders table's items per `status`, counted by the backup step around one backup. */
export interface BackupItemCounts {
  /** Items per value of `status` (`(none)` for an item without one). */
  readonly byStatus: Readonly<Record<string, number>>;
  readonly total: number;
  /** When the count's scan started (ISO). */
  readonly countedAt: string;
  /**
   * Items the scan after CreateBackup saw written since the count started (created,
   * updated or deleted): each number of the backup may differ from the count by at most
   * this much. 0 means the count is exact.
   */
  readonly tolerance: number;
}

/** Where a restore's data came from. */
export type RestoreSource =
  | {
      readonly kind: 'backup';
      readonly arn: string;
      readonly name?: string;
      /** `USER` (CreateBackup, e.g. the promote backup step) or `AWS_BACKUP` (a backup plan). */
      readonly type?: string;
      /** When the backup was taken (ISO). */
      readonly createdAt?: string;
    }
  | {
      readonly kind: 'pitr';
      /** The table restored from (the env's live orders table). */
      readonly table: string;
      /** The point in time restored to (ISO). */
      readonly at: string;
    };

/** Where the counts a restore was compared with came from. */
export type ExpectedCountsSource =
  /** The backup step's count, journaled when it took this backup: per status, bounded. */
  | 'journal'
  /** DescribeBackup's ItemCount: a total only, and approximate in AWS. */
  | 'describe-backup'
  /** Nothing recorded the table at that moment (a point-in-time restore). */
  | 'none';

/** One `promote restore` run: a restore into a side table, or a cleanup of side tables. */
export interface RestoreRecord {
  readonly action: 'restore' | 'cleanup';
  /** The side table restored into (`orders-<env>-restored-<UTC time>`). */
  table?: string;
  source?: RestoreSource;
  /** `validated` only when every blocking check passed; `incomplete` when none could run. */
  verdict?: 'validated' | 'failed' | 'incomplete';
  checks?: Check[];
  expectedCounts?: ExpectedCountsSource;
  /** Side tables deleted by `--cleanup`. */
  deleted?: string[];
}
