import { PromoteError } from '../errors.js';
import { parseZonedInstant } from './zoned-instant.js';

/**
 * The times a restore is given: `--pitr <time>` (an instant, or a span back from now) and
 * `--timeout <span>`, and the check of a point in time against the table's restorable
 * window. Pure: the clock is a parameter.
 */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `90s`, `30m`, `2h`, `1d`, `1500ms` → milliseconds; undefined when it is not a span. */
export const parseSpan = (text: string): number | undefined => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  return ms > 0 ? ms : undefined;
};

/**
 * `--pitr <time>`: `latest` (the newest restorable moment), an ISO-8601 instant with a zone,
 * or a span back from `now` (`30m` = thirty minutes ago).
 *
 * @example
 * parsePointInTime('30m', new Date('2026-12-01T20:30:00Z')); // 2026-12-01T20:00:00Z
 */
export const parsePointInTime = (text: string, now: Date): Date | 'latest' => {
  const value = text.trim();
  if (value.toLowerCase() === 'latest') return 'latest';
  const span = parseSpan(value);
  if (span !== undefined) return new Date(now.getTime() - span);
  const at = parseZonedInstant(value);
  if (at) return at;
  throw new PromoteError(
    'usage',
    'RESTORE_BAD_TIME',
    `--pitr ${text}: not a point in time`,
    'use an ISO-8601 instant with its zone (2026-12-01T20:30:00Z), a span back from now (30m, 2h, 1d), or latest',
  );
};

/** The longest `--timeout`: AWS restores of large tables take hours, not days. */
export const MAX_TIMEOUT_MS = 24 * 3_600_000;

/** `--timeout <span>` → milliseconds (at most a day). */
export const parseTimeout = (text: string): number => {
  const ms = parseSpan(text);
  if (ms === undefined || ms > MAX_TIMEOUT_MS) {
    throw new PromoteError(
      'usage',
      'RESTORE_BAD_TIME',
      `--timeout ${text}: use a span up to 24h, e.g. 90s, 30m, 2h`,
    );
  }
  return ms;
};

/** The table's restorable window, from DescribeContinuousBackups. */
export interface RestorableWindow {
  readonly earliest: Date;
  readonly latest: Date;
}

/**
 * Refuses a point in time outside the table's restorable window, saying what the window
 * is (AWS would answer `InvalidRestoreTimeException` without it).
 */
export const checkInWindow = (table: string, at: Date, window: RestorableWindow): void => {
  if (at >= window.earliest && at <= window.latest) return;
  throw new PromoteError(
    'usage',
    'RESTORE_TIME_OUTSIDE_WINDOW',
    `${at.toISOString()} is outside ${table}'s restorable window ${window.earliest.toISOString()} … ${window.latest.toISOString()}`,
    at > window.latest
      ? 'the newest restorable moment lags a few minutes behind now: pick an earlier time, or --pitr latest'
      : 'point-in-time recovery keeps at most 35 days (from when it was enabled): pick a later time, or restore a backup',
  );
};
