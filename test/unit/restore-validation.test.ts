import { describe, expect, it } from 'vitest';
import { toleranceOf } from '../../cli/ops/backup-counts.js';
import { reservoir } from '../../cli/ops/restore-validate.js';
import {
  checkNothingNewer,
  checkSamples,
  compareCounts,
  compareIndexes,
  compareSample,
  type ExpectedCounts,
  type SampleFinding,
  verdictOf,
} from '../../cli/ops/restore-validation.js';

/** The judgement of a restore as pure functions, one table per comparison. */

const journal = (byStatus: Record<string, number>, tolerance = 0): ExpectedCounts => ({
  source: 'journal',
  byStatus,
  total: Object.values(byStatus).reduce((a, b) => a + b, 0),
  tolerance,
  note: 'counted by backup run X',
});

const counts = (byStatus: Record<string, number>) => ({
  byStatus,
  total: Object.values(byStatus).reduce((a, b) => a + b, 0),
});

describe('compareCounts', () => {
  it.each([
    {
      name: 'exact match',
      expected: journal({ pending: 3, shipped: 2 }),
      actual: counts({ pending: 3, shipped: 2 }),
      ok: true,
      detail: 'as counted exactly',
    },
    {
      name: 'one off, nothing written meanwhile',
      expected: journal({ pending: 3, shipped: 2 }),
      actual: counts({ pending: 2, shipped: 2 }),
      ok: false,
      detail: 'pending 2 ≠ 3',
    },
    {
      name: 'one off within the writes seen meanwhile',
      expected: journal({ pending: 3, shipped: 2 }, 1),
      actual: counts({ pending: 2, shipped: 3 }),
      ok: true,
      detail: 'within ± 1',
    },
    {
      name: 'two off with one write meanwhile',
      expected: journal({ pending: 3, shipped: 2 }, 1),
      actual: counts({ pending: 1, shipped: 2 }),
      ok: false,
      detail: '(± 1 allowed)',
    },
    {
      name: 'a status the backup never had',
      expected: journal({ pending: 3 }),
      actual: counts({ pending: 3, cancelled: 1 }),
      ok: false,
      detail: 'cancelled 1 ≠ 0',
    },
    {
      name: 'an empty table restored empty',
      expected: journal({}),
      actual: counts({}),
      ok: true,
      detail: '0 items (none)',
    },
  ])('journal counts: $name', ({ expected, actual, ok, detail }) => {
    // Act
    const check = compareCounts(expected, actual);

    // Assess
    expect(check.ok).toBe(ok);
    expect(check.blocking).toBe(true);
    expect(check.detail).toContain(detail);
  });

  it.each([
    [5, true],
    [4, false],
  ])('DescribeBackup ItemCount %d for 5 items: ok=%s, never blocking', (itemCount, ok) => {
    // Prepare
    const expected: ExpectedCounts = {
      source: 'describe-backup',
      total: itemCount,
      tolerance: 0,
      note: 'approximate',
    };

    // Act
    const check = compareCounts(expected, counts({ pending: 5 }));

    // Assess
    expect(check.ok).toBe(ok);
    expect(check.blocking).toBe(false);
    expect(verdictOf([check])).toBe('validated');
  });

  it('a point in time has nothing to compare with: reported, not blocking', () => {
    // Prepare
    const expected: ExpectedCounts = { source: 'none', tolerance: 0, note: 'no count at T' };

    // Act
    const check = compareCounts(expected, counts({ pending: 2 }));

    // Assess
    expect(check).toMatchObject({ ok: true, blocking: false });
    expect(check.detail).toBe('2 items (pending 2); no count at T');
  });
});

describe('compareIndexes', () => {
  const live = [
    { name: 'OrdersByCustomer', keys: ['customer_id HASH', 'created_at RANGE'] },
    { name: 'OrdersByStatus', keys: ['status HASH', 'updated_at RANGE'] },
  ];

  it.each([
    { name: 'all present', side: live, ok: true, detail: 'OrdersByCustomer (customer_id HASH' },
    { name: 'one missing', side: live.slice(0, 1), ok: false, detail: 'OrdersByStatus missing' },
    {
      name: 'a key changed',
      side: [live[0]!, { name: 'OrdersByStatus', keys: ['status HASH', 'created_at RANGE'] }],
      ok: false,
      detail: 'OrdersByStatus keyed status HASH + created_at RANGE',
    },
    {
      name: 'extra on the side table',
      side: [...live, { name: 'Extra', keys: ['x HASH'] }],
      ok: true,
      detail: 'OrdersByStatus',
    },
  ])('$name', ({ side, ok, detail }) => {
    // Act
    const check = compareIndexes(live, side);

    // Assess
    expect(check.ok).toBe(ok);
    expect(check.blocking).toBe(true);
    expect(check.detail).toContain(detail);
  });
});

describe('compareSample', () => {
  const order = {
    order_id: 'ord_1',
    customer_id: 'cust_1',
    created_at: '2026-12-01T10:00:00.000Z',
    order_date: '2026-12-01',
    currency: 'ZAR',
    status: 'pending',
    version: 1,
    status_history: [{ from: null, to: 'pending', at: '2026-12-01T10:00:00.000Z', by: 'c' }],
  };
  const later = {
    ...order,
    status: 'processing',
    version: 2,
    status_history: [
      ...order.status_history,
      { from: 'pending', to: 'processing', at: '2026-12-01T11:00:00.000Z', by: 'a' },
    ],
  };

  it.each([
    { name: 'unchanged', side: order, live: order, outcome: 'same' },
    { name: 'moved on in live', side: order, live: later, outcome: 'changed-since' },
    { name: 'deleted from live', side: order, live: undefined, outcome: 'deleted-since' },
    { name: 'not readable back', side: undefined, live: order, outcome: 'unreadable' },
    {
      name: 'customer differs',
      side: order,
      live: { ...later, customer_id: 'cust_2' },
      outcome: 'mismatch',
      detail: 'customer_id differ',
    },
    {
      name: 'live is older',
      side: later,
      live: order,
      outcome: 'mismatch',
      detail: 'live is older',
    },
    {
      name: 'same version, other content',
      side: order,
      live: { ...order, status: 'shipped' },
      outcome: 'mismatch',
      detail: 'same version 1',
    },
    {
      name: 'history rewritten',
      side: later,
      live: { ...later, version: 3, status_history: [later.status_history[1]] },
      outcome: 'mismatch',
      detail: 'not a prefix',
    },
  ])('$name → $outcome', ({ side, live, outcome, detail }) => {
    // Act
    const finding = compareSample('order_id=ord_1', side, live);

    // Assess
    expect(finding.outcome).toBe(outcome);
    if (detail) expect(finding.detail).toContain(detail);
  });

  it('checkSamples fails on a mismatch or an unreadable key, and tallies every outcome', () => {
    // Prepare
    const good: SampleFinding[] = [
      { key: 'a', outcome: 'same' },
      { key: 'b', outcome: 'changed-since' },
      { key: 'c', outcome: 'deleted-since' },
    ];
    const bad: SampleFinding[] = [...good, { key: 'd', outcome: 'mismatch', detail: 'x differ' }];

    // Act
    const [pass, failed, empty] = [checkSamples(good), checkSamples(bad), checkSamples([])];

    // Assess
    expect(pass).toMatchObject({ ok: true, blocking: true });
    expect(pass.detail).toBe('3 read back: 1 same, 1 changed since, 1 deleted since');
    expect(failed.ok).toBe(false);
    expect(failed.detail).toContain('d: x differ');
    expect(empty).toMatchObject({ ok: true, detail: 'no items to sample' });
  });
});

describe('checkNothingNewer', () => {
  const point = new Date('2026-12-01T20:00:00.000Z');

  it.each([
    ['2026-12-01T19:59:59.000Z', true],
    ['2026-12-01T20:00:09.999Z', true],
    ['2026-12-01T20:00:10.001Z', false],
    [undefined, true],
  ])('newest created_at %s → ok %s (10 s skew)', (newest, ok) => {
    // Act
    const check = checkNothingNewer(newest, point, 10_000);

    // Assess
    expect(check.ok).toBe(ok);
    expect(check.blocking).toBe(true);
  });
});

describe('verdictOf', () => {
  it.each([
    [[{ ok: true, blocking: true }], 'validated'],
    [[{ ok: false, blocking: false }], 'validated'],
    [
      [
        { ok: true, blocking: true },
        { ok: false, blocking: true },
      ],
      'failed',
    ],
  ] as const)('%j → %s', (checks, verdict) => {
    // Act
    const result = verdictOf(checks.map((c) => ({ ...c, name: 'c', detail: '' })));

    // Assess
    expect(result).toBe(verdict);
  });
});

describe('toleranceOf (the bound on a count taken around a backup)', () => {
  const keys = (...k: string[]) => new Set(k);
  it.each([
    {
      name: 'no writes: exact',
      before: { total: 10, recent: keys() },
      after: { total: 10, changed: keys(), updatedOld: 0 },
      tolerance: 0,
    },
    {
      name: 'two created after the count',
      before: { total: 10, recent: keys() },
      after: { total: 12, changed: keys('n1', 'n2'), updatedOld: 0 },
      tolerance: 2,
    },
    {
      name: 'one older order updated',
      before: { total: 10, recent: keys() },
      after: { total: 10, changed: keys('o1'), updatedOld: 1 },
      tolerance: 1,
    },
    {
      name: 'one older order deleted',
      before: { total: 10, recent: keys() },
      after: { total: 9, changed: keys(), updatedOld: 0 },
      tolerance: 1,
    },
    {
      name: 'created, updated and deleted',
      before: { total: 10, recent: keys() },
      after: { total: 11, changed: keys('n1', 'n2', 'o1'), updatedOld: 1 },
      tolerance: 4,
    },
    {
      name: 'written just before the count, seen by both scans, counted once',
      before: { total: 2, recent: keys('n1', 'n2') },
      after: { total: 2, changed: keys('n1', 'n2'), updatedOld: 0 },
      tolerance: 2,
    },
    {
      name: 'a recent order the count saw, deleted before the second scan',
      before: { total: 11, recent: keys('n1') },
      after: { total: 10, changed: keys(), updatedOld: 0 },
      tolerance: 1,
    },
  ])('$name → ± $tolerance', ({ before, after, tolerance }) => {
    // Act
    const bound = toleranceOf(before, after);

    // Assess
    expect(bound).toBe(tolerance);
  });
});

describe('reservoir', () => {
  it('keeps everything while under size, then exactly size values from the stream', () => {
    // Prepare
    const small = reservoir<number>(5, () => 0.5);
    const large = reservoir<number>(3, () => 0);

    // Act
    for (const n of [1, 2]) small.offer(n);
    for (let n = 1; n <= 100; n += 1) large.offer(n);

    // Assess
    expect(small.values).toEqual([1, 2]);
    expect(large.values).toHaveLength(3);
    expect(large.values.every((n) => n >= 1 && n <= 100)).toBe(true);
    expect(large.values).toContain(100);
  });
});
