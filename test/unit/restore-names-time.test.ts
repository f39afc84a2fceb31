import { describe, expect, it } from 'vitest';
import { PromoteError } from '../../cli/errors.js';
import {
  checkCleanupTarget,
  checkRestoreTarget,
  compactUtc,
  isSideTable,
  sideTableName,
  TABLE_NAME,
} from '../../cli/ops/restore-names.js';
import {
  checkInWindow,
  parsePointInTime,
  parseSpan,
  parseTimeout,
} from '../../cli/ops/restore-time.js';
import { ENVIRONMENTS } from '../../infra/environments.js';

/** The side tables' names and the restore's times: pure, table-tested. */

const prod = ENVIRONMENTS.prod;
const sit = ENVIRONMENTS.sit;

const refusal = (run: () => unknown): PromoteError => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PromoteError);
    return error as PromoteError;
  }
  throw new Error('expected a refusal');
};

describe('side table names', () => {
  it.each([
    ['2026-12-01T20:30:15.123Z', 'orders-prod-restored-20261201T203015Z'],
    ['2026-01-05T03:04:05.000Z', 'orders-prod-restored-20260105T030405Z'],
    ['2026-12-31T23:59:59.999Z', 'orders-prod-restored-20261231T235959Z'],
  ])('a restore started at %s goes into %s (UTC, seconds kept)', (at, expected) => {
    // Prepare
    const now = new Date(at);

    // Act
    const name = sideTableName(prod, now);

    // Assess
    expect(name).toBe(expected);
    expect(name).toMatch(TABLE_NAME);
    expect(isSideTable(prod, name)).toBe(true);
  });

  it('compacts an instant into a sortable UTC stamp', () => {
    // Prepare
    const earlier = new Date('2026-12-01T09:59:59Z');
    const later = new Date('2026-12-01T10:00:00Z');

    // Act
    const [a, b] = [compactUtc(earlier), compactUtc(later)];

    // Assess
    expect([a, b]).toEqual(['20261201T095959Z', '20261201T100000Z']);
    expect(a < b).toBe(true);
  });

  it.each([
    ['orders-prod-restored-20261201T203015Z', true],
    ['orders-prod-restored-incident-42', true],
    ['orders-prod', false],
    ['orders-prod-restored-', false],
    ['orders-sit-restored-20261201T203015Z', false],
    ['orders-prod-idempotency', false],
    ['orders-prod-restored-bad name', false],
    [`orders-prod-restored-${'x'.repeat(240)}`, false],
  ])('%s is a side table of prod: %s', (name, expected) => {
    // Act
    const side = isSideTable(prod, name);

    // Assess
    expect(side).toBe(expected);
  });
});

describe('checkRestoreTarget', () => {
  it.each([
    ['orders-prod', 'RESTORE_TARGET_IS_LIVE'],
    ['orders-prod-idempotency', 'RESTORE_TARGET_IS_LIVE'],
    ['promote-state-prod', 'RESTORE_TARGET_IS_LIVE'],
    ['orders-prod-copy', 'RESTORE_BAD_TARGET'],
    ['orders-sit-restored-x', 'RESTORE_BAD_TARGET'],
    ['orders-prod-restored-a b', 'RESTORE_BAD_TARGET'],
  ])('refuses %s (%s, exit 2)', (name, code) => {
    // Act
    const error = refusal(() => checkRestoreTarget(prod, name));

    // Assess
    expect(error.code).toBe(code);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(name);
  });

  it('accepts a side table name', () => {
    // Prepare
    const name = sideTableName(prod, new Date('2026-12-01T20:30:00Z'));

    // Act
    const check = () => checkRestoreTarget(prod, name);

    // Assess
    expect(check).not.toThrow();
  });

  it('--cleanup refuses anything but a side table of the env', () => {
    // Act
    const live = refusal(() => checkCleanupTarget(sit, 'orders-sit'));
    const other = refusal(() => checkCleanupTarget(sit, 'orders-prod-restored-20261201T203015Z'));
    const ok = () => checkCleanupTarget(sit, 'orders-sit-restored-20261201T203015Z');

    // Assess
    expect(live.code).toBe('RESTORE_CLEANUP_REFUSED');
    expect(other.code).toBe('RESTORE_CLEANUP_REFUSED');
    expect(ok).not.toThrow();
  });
});

describe('restore times', () => {
  const now = new Date('2026-12-01T20:30:00.000Z');

  it.each([
    ['30m', '2026-12-01T20:00:00.000Z'],
    ['2h', '2026-12-01T18:30:00.000Z'],
    ['1d', '2026-11-30T20:30:00.000Z'],
    ['90s', '2026-12-01T20:28:30.000Z'],
    ['2026-12-01T19:00:00Z', '2026-12-01T19:00:00.000Z'],
    ['2026-12-01T21:00:00+02:00', '2026-12-01T19:00:00.000Z'],
    ['2026-12-01T19:00Z', '2026-12-01T19:00:00.000Z'],
    ['2026-12-01T19:00:00.250Z', '2026-12-01T19:00:00.250Z'],
  ])('--pitr %s is %s', (text, expected) => {
    // Act
    const at = parsePointInTime(text, now);

    // Assess
    expect(at).toBeInstanceOf(Date);
    expect((at as Date).toISOString()).toBe(expected);
  });

  it('--pitr latest is the newest restorable moment', () => {
    // Act
    const at = parsePointInTime(' LATEST ', now);

    // Assess
    expect(at).toBe('latest');
  });

  it.each([
    '2026-12-01T19:00:00',
    '2026-12-01',
    'yesterday',
    '30',
    '-5m',
    '0m',
    '2026-13-45T99:00:00Z',
  ])('refuses --pitr %s (exit 2)', (text) => {
    // Act
    const error = refusal(() => parsePointInTime(text, now));

    // Assess
    expect(error.code).toBe('RESTORE_BAD_TIME');
    expect(error.exitCode).toBe(2);
  });

  it.each([
    ['60m', 3_600_000],
    ['24h', 86_400_000],
    ['1500ms', 1_500],
  ])('--timeout %s is %d ms', (text, ms) => {
    // Act
    const parsed = parseTimeout(text);

    // Assess
    expect(parsed).toBe(ms);
    expect(parseSpan(text)).toBe(ms);
  });

  it.each(['25h', '2d', 'soon', '0s'])('refuses --timeout %s', (text) => {
    // Act
    const error = refusal(() => parseTimeout(text));

    // Assess
    expect(error.code).toBe('RESTORE_BAD_TIME');
  });

  it.each([
    ['2026-12-01T19:59:59Z', 'earlier'],
    ['2026-12-01T20:25:01Z', 'lags'],
  ])('refuses %s outside the window, saying the window (%s)', (text, hint) => {
    // Prepare
    const window = {
      earliest: new Date('2026-12-01T20:00:00Z'),
      latest: new Date('2026-12-01T20:25:00Z'),
    };

    // Act
    const error = refusal(() => checkInWindow('orders-prod', new Date(text), window));

    // Assess
    expect(error.code).toBe('RESTORE_TIME_OUTSIDE_WINDOW');
    expect(error.message).toContain('2026-12-01T20:00:00.000Z … 2026-12-01T20:25:00.000Z');
    expect(error.hint).toContain(hint === 'lags' ? 'lags' : 'later time');
  });

  it('accepts both ends of the window', () => {
    // Prepare
    const window = {
      earliest: new Date('2026-12-01T20:00:00Z'),
      latest: new Date('2026-12-01T20:25:00Z'),
    };

    // Act
    const ends = [window.earliest, window.latest].map(
      (at) => () => checkInWindow('orders-prod', at, window),
    );

    // Assess
    for (const end of ends) expect(end).not.toThrow();
  });
});
