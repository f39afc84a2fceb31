import { PromoteError } from '../errors.js';
import { sleep as realSleep } from '../steps/sleep.js';
import type { RestoreApi, TableShape } from './restore-api.js';

/**
 * Waiting for a restore: AWS answers RestoreTableFromBackup / RestoreTableToPointInTime at
 * once with the table CREATING, and copies the data for minutes (hours for a large table).
 * We poll DescribeTable with a growing pause, report progress, and stop at a deadline or on
 * Ctrl-C — the restore itself goes on in AWS either way, and the messages say so.
 */

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly progress?: (text: string) => void;
  /** How to cleanup the table by hand (for the messages). */
  readonly cleanupHint?: string;
  /** First pause between polls; each next one is 1.5× longer, up to `maxDelayMs`. */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Clock and pause, for tests. */
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Pauses between polls: 1 s, 1.5 s, 2.25 s … at most 30 s (AWS restores take minutes). */
export const pollDelays = function* (initialMs = 1_000, maxMs = 30_000): Generator<number> {
  let delay = initialMs;
  for (;;) {
    yield delay;
    delay = Math.min(maxMs, delay * 1.5);
  }
};

const seconds = (ms: number) =>
  ms >= 60_000
    ? `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s`
    : `${Math.round(ms / 1000)}s`;

/** A restored table is usable when it and every index are ACTIVE and the restore is done. */
const ready = (t: TableShape) =>
  t.status === 'ACTIVE' &&
  t.restoreInProgress !== true &&
  t.indexes.every((i) => i.status === 'ACTIVE');

/**
 * Polls `table` until it is ACTIVE with all its indexes, and returns it.
 *
 * @throws PromoteError RESTORE_TIMEOUT after `timeoutMs`, RESTORE_FAILED when the table
 *   vanishes or leaves CREATING for anything but ACTIVE, INTERRUPTED on `signal`.
 */
export const waitUntilRestored = async (
  api: Pick<RestoreApi, 'describeTable'>,
  table: string,
  options: WaitOptions,
): Promise<TableShape> => {
  const now = options.now ?? Date.now;
  const pause = options.sleep ?? realSleep;
  const started = now();
  const delays = pollDelays(options.initialDelayMs, options.maxDelayMs);
  const hint = options.cleanupHint ? `; ${options.cleanupHint}` : '';
  for (;;) {
    if (options.signal?.aborted) {
      throw new PromoteError(
        'interrupted',
        'INTERRUPTED',
        `interrupted while ${table} was restoring; the restore goes on in DynamoDB`,
        `the side table stays${hint}`,
      );
    }
    const shape = await api.describeTable(table);
    const elapsed = now() - started;
    if (!shape) {
      throw new PromoteError(
        'deploy_failed',
        'RESTORE_FAILED',
        `${table} is gone after ${seconds(elapsed)}: the restore failed or the table was deleted`,
      );
    }
    if (ready(shape)) {
      options.progress?.(`${table} ACTIVE after ${seconds(elapsed)}`);
      return shape;
    }
    if (!['CREATING', 'UPDATING', 'ACTIVE'].includes(shape.status)) {
      throw new PromoteError(
        'deploy_failed',
        'RESTORE_FAILED',
        `${table} is ${shape.status} after ${seconds(elapsed)}, not ACTIVE: the restore did not complete`,
        `inspect it in the console${hint}`,
      );
    }
    if (elapsed >= options.timeoutMs) {
      throw new PromoteError(
        'deploy_failed',
        'RESTORE_TIMEOUT',
        `${table} still ${shape.status} after ${seconds(elapsed)} (--timeout): nothing was validated`,
        `the restore goes on in DynamoDB; wait longer with a larger --timeout next time${hint}`,
        { table },
      );
    }
    const building = shape.indexes.filter((i) => i.status !== 'ACTIVE').map((i) => i.name);
    options.progress?.(
      `${table}: ${shape.status}${building.length && shape.status === 'ACTIVE' ? ` (indexes ${building.join(', ')} building)` : ''}, ${seconds(elapsed)} elapsed`,
    );
    const next = delays.next().value as number;
    await pause(Math.max(0, Math.min(next, options.timeoutMs - elapsed)), options.signal);
  }
};
