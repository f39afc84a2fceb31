import { describe, expect, it } from 'vitest';
import { PromoteError } from '../../cli/errors.js';
import { checkRetention, formatAge, parseInstant, parseWindow } from '../../cli/ops/time-window.js';

const NOW = new Date('2026-12-01T12:00:00Z');

const codeOf = (action: () => unknown): string | undefined => {
  try {
    action();
  } catch (error) {
    return error instanceof PromoteError ? error.code : `not a PromoteError: ${String(error)}`;
  }
  return undefined;
};

describe('parseInstant', () => {
  it.each([
    ['2h', '2026-12-01T10:00:00.000Z'],
    ['30m', '2026-12-01T11:30:00.000Z'],
    ['90s', '2026-12-01T11:58:30.000Z'],
    ['1d', '2026-11-30T12:00:00.000Z'],
    ['1w', '2026-11-24T12:00:00.000Z'],
    ['now', '2026-12-01T12:00:00.000Z'],
    ['2026-12-01T08:00:00Z', '2026-12-01T08:00:00.000Z'],
    ['2026-12-01T10:00+02:00', '2026-12-01T08:00:00.000Z'],
  ])('reads %s', (text, expected) => {
    // Act
    const at = parseInstant('--from', text, NOW);

    // Assess
    expect(at.toISOString()).toBe(expected);
  });

  it.each([['yesterday'], ['2026-12-01T08:00:00'], ['2026-12-01'], ['-2h'], ['2 hours']])(
    'refuses %s as a usage error with a code',
    (text) => {
      // Act
      const code = codeOf(() => parseInstant('--from', text, NOW));

      // Assess
      expect(code).toBe('EVENTS_BAD_TIME');
    },
  );
});

describe('parseWindow', () => {
  it('defaults --to to now', () => {
    // Act
    const window = parseWindow({ from: '2h' }, NOW);

    // Assess
    expect(window.from.toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(window.to.toISOString()).toBe(NOW.toISOString());
  });

  it.each([
    ['an empty window', { from: '1h', to: '1h' }],
    ['an inverted window', { from: '1h', to: '2h' }],
    ['an end in the future', { from: '1h', to: '2026-12-01T13:00:00Z' }],
  ])('refuses %s', (_label, input) => {
    // Act
    const code = codeOf(() => parseWindow(input, NOW));

    // Assess
    expect(code).toBe('EVENTS_BAD_WINDOW');
  });
});

describe('checkRetention', () => {
  const window = parseWindow({ from: '2d', to: '1d' }, NOW);

  it('accepts a window within the retention, with no warning', () => {
    // Act
    const result = checkRetention(window, { name: 'a', retentionDays: 30 }, NOW);

    // Assess
    expect(result.warnings).toEqual([]);
  });

  it('refuses a window that starts before the retention', () => {
    // Act
    const code = codeOf(() => checkRetention(window, { name: 'a', retentionDays: 1 }, NOW));

    // Assess
    expect(code).toBe('EVENTS_OUTSIDE_RETENTION');
  });

  it('takes retention 0 as "kept forever"', () => {
    // Act
    const result = checkRetention(
      parseWindow({ from: '400d' }, NOW),
      { name: 'a', retentionDays: 0 },
      NOW,
    );

    // Assess
    expect(result.warnings).toEqual([]);
  });

  it('warns when the window starts before the archive existed, refuses one that ends before', () => {
    // Prepare
    const createdAt = new Date('2026-11-30T06:00:00Z');

    // Act
    const partly = checkRetention(window, { name: 'a', retentionDays: 30, createdAt }, NOW);
    const code = codeOf(() =>
      checkRetention(
        parseWindow({ from: '3d', to: '2d' }, NOW),
        { name: 'a', retentionDays: 30, createdAt },
        NOW,
      ),
    );

    // Assess
    expect(partly.warnings[0]).toContain('never archived');
    expect(code).toBe('EVENTS_OUTSIDE_RETENTION');
  });
});

describe('formatAge', () => {
  it.each([
    [42, '42s'],
    [192, '3m 12s'],
    [7_500, '2h 5m'],
    [90_000, '1d 1h'],
  ])('%i s → %s', (seconds, text) => {
    // Assess
    expect(formatAge(seconds)).toBe(text);
  });
});
