import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BackupItemCounts } from '../journal/restore-evidence.js';
import { countInto, type Item, STATUS_ATTRIBUTE, scanTable, totalOf } from './table-counts.js';

/**
 * The orders table's items per status at the moment of a backup, as well as a live table
 * can be counted: DynamoDB has no consistent snapshot read, so a Scan is not atomic and
 * writes keep arriving while it pages and until CreateBackup is called. We count right
 * before CreateBackup (strongly consistent pages) and bound the error with a second scan
 * right after it. Every order the service writes carries `created_at` and `updated_at`, so
 * the orders written since the count began are exactly those stamped at or after it: the
 * ones either scan saw so stamped, plus the deletions (the older orders of the count that
 * the second scan no longer finds). Each count of the backup is within that many of ours —
 * the tolerance journaled with it; 0 means exact (no writes in between).
 *
 * What the bound cannot see: an order both created and deleted between the two scans
 * without either scan meeting it, and a write that does not set `updated_at` (a hand-made
 * change outside the service).
 */

/**
 * Writes up to this long before the count began still count as "in between": covers clock
 * skew between this machine and the writers (the Lambda's clock sets `updated_at`).
 */
export const CLOCK_SKEW_MS = 10_000;

/** The count before the backup. */
export interface BeforeScan {
  readonly byStatus: Readonly<Record<string, number>>;
  readonly total: number;
  /** Keys of the items already stamped at or after the count began (few: recent writes). */
  readonly recent: ReadonlySet<string>;
}

/** The scan after the backup. */
export interface AfterScan {
  readonly total: number;
  /** Keys of the items stamped at or after the count began. */
  readonly changed: ReadonlySet<string>;
  /** Of those, the ones created before it that the count did not see as recent (updated). */
  readonly updatedOld: number;
}

/**
 * How many items may differ between the count and the backup: every key written since
 * (seen by either scan) plus the older items deleted since. Pure.
 */
export const toleranceOf = (before: Omit<BeforeScan, 'byStatus'>, after: AfterScan): number => {
  const written = new Set([...before.recent, ...after.changed]);
  // Older items in the count, as the second scan accounts for them: untouched or updated.
  const untouched = after.total - after.changed.size;
  const deleted = Math.max(0, before.total - before.recent.size - untouched - after.updatedOld);
  return written.size + deleted;
};

const text = (item: Item, attribute: string) =>
  typeof item[attribute] === 'string' ? (item[attribute] as string) : '';

const STAMPS = ['created_at', 'updated_at'] as const;

/** Scans with the status, the stamps and the key; calls `onItem` with whether it is recent. */
const scanStamped = (
  doc: DynamoDBDocumentClient,
  table: string,
  keys: readonly string[],
  since: string,
  onItem: (item: Item, key: string, recent: boolean) => void,
) =>
  scanTable(
    doc,
    table,
    [...new Set([...keys, STATUS_ATTRIBUTE, ...STAMPS])],
    (item) => {
      const key = JSON.stringify(keys.map((k) => item[k]));
      onItem(
        item,
        key,
        STAMPS.some((s) => text(item, s) >= since),
      );
    },
    { consistent: true },
  );

export type CountedBackup<T> =
  | { readonly backup: T; readonly counts: BackupItemCounts }
  | { readonly backup: T; readonly error: string };

/**
 * Counts `table` per status, runs `takeBackup` (whose failure is the caller's), then scans
 * again to bound how far the count may be from the backup. A failed count never stops
 * the backup: it comes back as `error`, for the journal.
 *
 * @param keys the table's key attributes (the orders table: `order_id`)
 * @example
 * const counted = await countAroundBackup(doc, 'orders-prod', () => api.createBackup(name));
 */
export const countAroundBackup = async <T>(
  doc: DynamoDBDocumentClient,
  table: string,
  takeBackup: () => Promise<T>,
  now: () => Date = () => new Date(),
  keys: readonly string[] = ['order_id'],
): Promise<CountedBackup<T>> => {
  const startedAt = now();
  const since = new Date(startedAt.getTime() - CLOCK_SKEW_MS).toISOString();
  const byStatus: Record<string, number> = {};
  const recent = new Set<string>();
  const counted = await scanStamped(doc, table, keys, since, (item, key, isRecent) => {
    countInto(byStatus, item);
    if (isRecent) recent.add(key);
  }).catch((error: unknown) => error as Error);
  const backup = await takeBackup();
  if (counted instanceof Error) return { backup, error: `${counted.name}: ${counted.message}` };
  const before: BeforeScan = { byStatus, total: totalOf(byStatus), recent };
  try {
    let total = 0;
    let updatedOld = 0;
    const changed = new Set<string>();
    await scanStamped(doc, table, keys, since, (item, key, isRecent) => {
      total += 1;
      if (!isRecent) return;
      changed.add(key);
      if (text(item, 'created_at') < since && !recent.has(key)) updatedOld += 1;
    });
    return {
      backup,
      counts: {
        byStatus: before.byStatus,
        total: before.total,
        countedAt: startedAt.toISOString(),
        tolerance: toleranceOf(before, { total, changed, updatedOld }),
      },
    };
  } catch (error) {
    return { backup, error: `${(error as Error).name}: ${(error as Error).message}` };
  }
};
