import { PromoteError } from '../errors.js';
import { parseZonedInstant } from './zoned-instant.js';

/**
 * The window of `promote events replay --from … --to …`, checked before anything is asked of
 * AWS. Pure: the clock is a parameter.
 */

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

const DAY_MS = 86_400_000;

/**
 * `--from`/`--to`: `now`, an ISO-8601 instant with its zone, or a span back from `now`
 * (`90s`, `30m`, `2h`, `1d`, `1w`).
 *
 * @example
 * parseInstant('--from', '2h', new Date('2026-12-01T12:00:00Z')) // → 2026-12-01T10:00:00Z
 */
export const parseInstant = (flag: string, text: string, now: Date): Date => {
  const value = text.trim();
  if (value.toLowerCase() === 'now') return new Date(now);
  const span = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/i.exec(value);
  if (span) {
    return new Date(
      now.getTime() - Number(span[1]) * (UNIT_MS[(span[2] as string).toLowerCase()] ?? 0),
    );
  }
  const at = parseZonedInstant(value);
  if (at) return at;
  throw new PromoteError(
    'usage',
    'EVENTS_BAD_TIME',
    `${flag} ${text}: not a time`,
    'use an ISO-8601 instant with its zone (2026-12-01T20:30:00Z), a span back from now (30m, 2h, 1d, 1w), or now',
  );
};

export interface TimeWindow {
  readonly from: Date;
  readonly to: Date;
}

/** `--from` and `--to` (default `now`) as a window, refused when empty or in the future. */
export const parseWindow = (input: { from: string; to?: string }, now: Date): TimeWindow => {
  const from = parseInstant('--from', input.from, now);
  const to = parseInstant('--to', input.to ?? 'now', now);
  if (from.getTime() >= to.getTime()) {
    throw new PromoteError(
      'usage',
      'EVENTS_BAD_WINDOW',
      `--from ${from.toISOString()} is not before --to ${to.toISOString()}`,
      'the window runs from --from (earlier) to --to (later)',
    );
  }
  if (to.getTime() > now.getTime()) {
    throw new PromoteError(
      'usage',
      'EVENTS_BAD_WINDOW',
      `--to ${to.toISOString()} is in the future`,
      'events not yet archived cannot be replayed: end the window at now or earlier',
    );
  }
  return { from, to };
};

/**
 * Refuses a window reaching past the archive's retention (0 = events kept forever), and
 * says what the archive still holds.
 */
export const checkRetention = (
  window: TimeWindow,
  archive: { name: string; retentionDays: number; createdAt?: Date },
  now: Date,
): { warnings: string[] } => {
  const warnings: string[] = [];
  if (archive.retentionDays > 0) {
    const oldest = new Date(now.getTime() - archive.retentionDays * DAY_MS);
    if (window.from < oldest) {
      throw new PromoteError(
        'usage',
        'EVENTS_OUTSIDE_RETENTION',
        `--from ${window.from.toISOString()} is older than ${archive.name} keeps events (${archive.retentionDays} days: since ${oldest.toISOString()})`,
        `start the window at ${oldest.toISOString()} or later`,
      );
    }
  }
  if (archive.createdAt && window.to <= archive.createdAt) {
    throw new PromoteError(
      'usage',
      'EVENTS_OUTSIDE_RETENTION',
      `the window ends before ${archive.name} existed (created ${archive.createdAt.toISOString()}): it holds nothing from then`,
    );
  }
  if (archive.createdAt && window.from < archive.createdAt) {
    warnings.push(
      `${archive.name} was created at ${archive.createdAt.toISOString()}: events before then were never archived`,
    );
  }
  return { warnings };
};

/** `2h 5m`, `45s`: a short human duration. */
export const formatAge = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
};
