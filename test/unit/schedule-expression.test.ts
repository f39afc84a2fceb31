import { describe, expect, it } from 'vitest';
import {
  nextFiring,
  parseSchedule,
  ScheduleExpressionError,
} from '../../sandbox/schedule/schedule-expression.js';

/** EventBridge's rate(…) and cron(…), as the sandbox's scheduler runs them (UTC). */

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('schedule expressions', () => {
  it.each([
    [
      'rate(1 minute)',
      '2026-03-01T10:00:00.000Z',
      '2026-03-01T10:00:30.000Z',
      '2026-03-01T10:01:00.000Z',
    ],
    [
      'rate(5 minutes)',
      '2026-03-01T10:00:00.000Z',
      '2026-03-01T10:07:00.000Z',
      '2026-03-01T10:10:00.000Z',
    ],
    [
      'rate(2 hours)',
      '2026-03-01T10:00:00.000Z',
      '2026-03-01T10:00:00.000Z',
      '2026-03-01T12:00:00.000Z',
    ],
    [
      'rate(1 day)',
      '2026-03-01T10:00:00.000Z',
      '2026-03-02T10:00:00.000Z',
      '2026-03-03T10:00:00.000Z',
    ],
  ])('%s first seen at %s fires after %s at %s', (expression, seen, after, expected) => {
    // Act
    const next = nextFiring(parseSchedule(expression), at(after), at(seen));

    // Assess
    expect(iso(next)).toBe(expected);
  });

  it.each([
    ['cron(0 * * * ? *)', '2026-03-01T10:00:00.000Z', '2026-03-01T11:00:00.000Z'],
    ['cron(*/15 * * * ? *)', '2026-03-01T10:07:12.000Z', '2026-03-01T10:15:00.000Z'],
    ['cron(0 9 ? * MON-FRI *)', '2026-02-27T09:00:00.000Z', '2026-03-02T09:00:00.000Z'],
    ['cron(30 2 1 * ? *)', '2026-03-01T02:30:00.000Z', '2026-04-01T02:30:00.000Z'],
    ['cron(0 0 29 FEB ? 2028)', '2026-03-01T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    ['cron(5,35 14 ? * 1 *)', '2026-03-01T14:05:00.000Z', '2026-03-01T14:35:00.000Z'],
  ])('%s after %s fires at %s', (expression, after, expected) => {
    // Act
    const next = nextFiring(parseSchedule(expression), at(after));

    // Assess
    expect(iso(next)).toBe(expected);
  });

  it('a cron whose years have all passed never fires again', () => {
    // Act
    const next = nextFiring(parseSchedule('cron(0 0 1 1 ? 2020)'), at('2026-03-01T00:00:00.000Z'));

    // Assess
    expect(next).toBeUndefined();
  });

  it.each([
    ['rate(1 minutes)', /singular for 1/],
    ['rate(5 minute)', /plural otherwise/],
    ['rate(0 minutes)', /positive/],
    ['rate(1 week)', /expected rate/],
    ['cron(0 * * * *)', /6 fields/],
    ['cron(0 * * * * *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 * L * ? *)', /not supported by the sandbox/],
    ['cron(61 * * * ? *)', /not in 0-59/],
    ['every minute', /expected rate\(…\) or cron\(…\)/],
  ])('refuses %s', (expression, message) => {
    // Act
    const parse = () => parseSchedule(expression);

    // Assess
    expect(parse).toThrow(ScheduleExpressionError);
    expect(parse).toThrow(message);
  });
});
