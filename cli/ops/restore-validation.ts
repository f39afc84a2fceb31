import { isDeepStrictEqual } from 'node:util';
import type { ExpectedCountsSource } from '../journal/restore-evidence.js';
import type { Check } from '../journal/step-evidence.js';
import type { Item, StatusCounts } from './table-counts.js';

/**
 * The judgement of a restore, as pure functions of what was read: counts per status against
 * what was recorded, the live table's indexes against the side table's, sampled orders
 * against their live selves, and no order newer than the restore point. Each returns a
 * Check that says what it compared and by how much it was off; a failed blocking check
 * fails the restore.
 */

/** What a restore's counts are compared with, and how far they may be off. */
export interface ExpectedCounts {
  readonly source: ExpectedCountsSource;
  /** Per status: only the backup step's own count has them. */
  readonly byStatus?: Readonly<Record<string, number>>;
  readonly total?: number;
  /** How far each number may be off (0 = exact). */
  readonly tolerance: number;
  /** Where the numbers come from, for the report. */
  readonly note: string;
}

const list = (byStatus: Readonly<Record<string, number>>): string =>
  Object.entries(byStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${status} ${n}`)
    .join(', ') || 'none';

/**
 * The side table's counts against the expected ones. Binding only when the backup step
 * counted this backup itself; DescribeBackup's ItemCount is reported but never fails a
 * restore (AWS refreshes it about every six hours), and a point in time has no count.
 */
export const compareCounts = (expected: ExpectedCounts, actual: StatusCounts): Check => {
  const name = 'item count per status';
  const found = `${actual.total} items (${list(actual.byStatus)})`;
  if (expected.source === 'none' || expected.total === undefined) {
    return { name, ok: true, blocking: false, detail: `${found}; ${expected.note}` };
  }
  const tol = expected.tolerance;
  const within = (a: number, e: number) => Math.abs(a - e) <= tol;
  if (expected.source === 'describe-backup' || !expected.byStatus) {
    const ok = within(actual.total, expected.total);
    return {
      name,
      ok,
      blocking: false,
      detail: `${found} ${ok ? '=' : '≠'} ${expected.total} (${expected.note})`,
    };
  }
  const statuses = [
    ...new Set([...Object.keys(expected.byStatus), ...Object.keys(actual.byStatus)]),
  ];
  const off = statuses
    .map((status) => ({
      status,
      expected: expected.byStatus?.[status] ?? 0,
      actual: actual.byStatus[status] ?? 0,
    }))
    .filter((d) => !within(d.actual, d.expected));
  const totalOff = !within(actual.total, expected.total);
  const bound = tol ? ` within ± ${tol}` : ' exactly';
  if (!off.length && !totalOff) {
    return {
      name,
      ok: true,
      blocking: true,
      detail: `${found}: as counted${bound} (${expected.note})`,
    };
  }
  const diffs = [
    ...off.map((d) => `${d.status} ${d.actual} ≠ ${d.expected}`),
    ...(totalOff ? [`total ${actual.total} ≠ ${expected.total}`] : []),
  ];
  return {
    name,
    ok: false,
    blocking: true,
    detail: `${diffs.join(', ')}${tol ? ` (± ${tol} allowed)` : ''} — ${expected.note}`,
  };
};

/** An index as compared: its name and key schema (`customer_id HASH`, `created_at RANGE`). */
export interface IndexShape {
  readonly name: string;
  readonly keys: readonly string[];
}

/** Every GSI of the live table is on the side table, with the same keys. */
export const compareIndexes = (live: readonly IndexShape[], side: readonly IndexShape[]): Check => {
  const name = 'global secondary indexes';
  const problems = live.flatMap((index) => {
    const restored = side.find((s) => s.name === index.name);
    if (!restored) return [`${index.name} missing`];
    return isDeepStrictEqual([...restored.keys], [...index.keys])
      ? []
      : [`${index.name} keyed ${restored.keys.join(' + ')}, live ${index.keys.join(' + ')}`];
  });
  return problems.length
    ? { name, ok: false, blocking: true, detail: problems.join('; ') }
    : {
        name,
        ok: true,
        blocking: true,
        detail: live.length
          ? live.map((i) => `${i.name} (${i.keys.join(' + ')})`).join(', ')
          : 'the live table has none',
      };
};

/** Order fields written once at creation: a restored copy must agree with live on them. */
export const IMMUTABLE_FIELDS = [
  'order_id',
  'customer_id',
  'created_at',
  'order_date',
  'currency',
] as const;

export type SampleOutcome =
  /** Identical to live: unchanged since the restore point. */
  | 'same'
  /** Live moved on (a later version) consistently: same immutable fields, history extended. */
  | 'changed-since'
  /** No longer in live. */
  | 'deleted-since'
  /** Disagrees with live on what cannot change: the restore or live is wrong. */
  | 'mismatch'
  /** Scanned from the side table but not readable back by its key. */
  | 'unreadable';

export interface SampleFinding {
  readonly key: string;
  readonly outcome: SampleOutcome;
  readonly detail?: string;
}

const versionOf = (item: Item): number | undefined =>
  typeof item.version === 'number' ? item.version : undefined;

/**
 * One sampled order: the side table's copy, read back by key, against live. Live may have
 * moved on since the restore point — a later `version` whose `status_history` extends the
 * restored one — but never on the fields written once, and never backwards.
 */
export const compareSample = (
  key: string,
  side: Item | undefined,
  live: Item | undefined,
): SampleFinding => {
  if (!side)
    return { key, outcome: 'unreadable', detail: 'not found by its key in the side table' };
  if (!live) return { key, outcome: 'deleted-since' };
  const differ = IMMUTABLE_FIELDS.filter((f) => !isDeepStrictEqual(side[f], live[f]));
  if (differ.length)
    return { key, outcome: 'mismatch', detail: `${differ.join(', ')} differ from live` };
  const sv = versionOf(side);
  const lv = versionOf(live);
  if (sv !== undefined && lv !== undefined) {
    if (lv < sv)
      return { key, outcome: 'mismatch', detail: `version ${sv}, live is older (${lv})` };
    if (lv === sv) {
      return isDeepStrictEqual(side, live)
        ? { key, outcome: 'same' }
        : { key, outcome: 'mismatch', detail: `same version ${sv} as live, different content` };
    }
    const before = side.status_history;
    const after = live.status_history;
    if (
      Array.isArray(before) &&
      Array.isArray(after) &&
      !isDeepStrictEqual(before, after.slice(0, before.length))
    ) {
      return { key, outcome: 'mismatch', detail: 'status history is not a prefix of live’s' };
    }
    return { key, outcome: 'changed-since', detail: `version ${sv} → live ${lv}` };
  }
  return isDeepStrictEqual(side, live)
    ? { key, outcome: 'same' }
    : { key, outcome: 'changed-since' };
};

/** The sampled orders' verdict: any mismatch or unreadable key fails. */
export const checkSamples = (findings: readonly SampleFinding[]): Check => {
  const name = 'sampled orders read back';
  if (!findings.length) return { name, ok: true, blocking: true, detail: 'no items to sample' };
  const by = (o: SampleOutcome) => findings.filter((f) => f.outcome === o);
  const bad = [...by('mismatch'), ...by('unreadable')];
  const tally = (['same', 'changed-since', 'deleted-since', 'mismatch', 'unreadable'] as const)
    .map((o) => [o, by(o).length] as const)
    .filter(([, n]) => n > 0)
    .map(([o, n]) => `${n} ${o.replace('-', ' ')}`)
    .join(', ');
  return {
    name,
    ok: bad.length === 0,
    blocking: true,
    detail: `${findings.length} read back: ${tally}${bad.length ? ` — ${bad.map((f) => `${f.key}: ${f.detail ?? f.outcome}`).join('; ')}` : ''}`,
  };
};

/**
 * No order in the side table was created after the restore point (beyond clock skew): a
 * copy of the table at T cannot hold an order made later.
 */
export const checkNothingNewer = (
  newestCreatedAt: string | undefined,
  point: Date,
  skewMs: number,
): Check => {
  const name = 'no order newer than the restore point';
  if (!newestCreatedAt)
    return { name, ok: true, blocking: true, detail: 'no order has created_at' };
  const limit = new Date(point.getTime() + skewMs).toISOString();
  const ok = newestCreatedAt <= limit;
  return {
    name,
    ok,
    blocking: true,
    detail: `newest created_at ${newestCreatedAt} ${ok ? '≤' : '>'} ${point.toISOString()}${skewMs ? ` (+ ${skewMs / 1000} s skew)` : ''}`,
  };
};

/** `validated` when every blocking check passed. */
export const verdictOf = (checks: readonly Check[]): 'validated' | 'failed' =>
  checks.every((c) => c.ok || !c.blocking) ? 'validated' : 'failed';
