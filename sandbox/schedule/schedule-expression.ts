/**
 * EventBridge schedule expressions, `rate(…)` and `cron(…)`, as a function from a time to
 * the next time the rule fires. Pure; UTC, as EventBridge rules are. Supported as AWS
 * documents them, except the day-of-month `L`/`W` and day-of-week `L`/`#` forms, which are
 * refused with a clear message (no rule of this project uses them).
 */

export type Schedule =
  | { readonly kind: 'rate'; readonly periodMs: number; readonly text: string }
  | { readonly kind: 'cron'; readonly fields: CronFields; readonly text: string };

interface CronFields {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  /** undefined: `?` (the other day field decides). */
  readonly daysOfMonth?: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 1 = Sunday … 7 = Saturday, as EventBridge numbers them. */
  readonly daysOfWeek?: ReadonlySet<number>;
  readonly years: ReadonlySet<number>;
}

export class ScheduleExpressionError extends Error {
  override readonly name = 'ScheduleExpressionError';
}

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

const parseRate = (body: string, text: string): Schedule => {
  const match = /^(\d+)\s+(minute|minutes|hour|hours|day|days)$/.exec(body.trim());
  if (!match) throw new ScheduleExpressionError(`${text}: expected rate(<value> <unit>)`);
  const value = Number(match[1]);
  const unit = match[2] as string;
  const singular = unit.replace(/s$/, '') as keyof typeof UNIT_MS;
  // EventBridge's own rule: "rate(1 minute)", "rate(5 minutes)" — never the other way round.
  if (value <= 0 || (value === 1) !== (unit === singular)) {
    throw new ScheduleExpressionError(
      `${text}: the value must be positive, the unit singular for 1 and plural otherwise`,
    );
  }
  return { kind: 'rate', periodMs: value * UNIT_MS[singular], text };
};

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** One cron field: `*`, lists, ranges, steps, names; `undefined` for `?`. */
const parseField = (
  field: string,
  range: readonly [number, number],
  what: string,
  options: { names?: readonly string[]; questionMark?: boolean } = {},
): Set<number> | undefined => {
  if (field === '?') {
    if (!options.questionMark) throw new ScheduleExpressionError(`${what}: "?" is not allowed`);
    return undefined;
  }
  if (/[LW#]/.test(field)) {
    throw new ScheduleExpressionError(
      `${what}: "${field}" (L, W, #) is not supported by the sandbox`,
    );
  }
  const [low, high] = range;
  const value = (token: string) => {
    const named = options.names?.indexOf(token.toUpperCase()) ?? -1;
    const n = named >= 0 ? named + low : Number(token);
    if (!Number.isInteger(n) || n < low || n > high) {
      throw new ScheduleExpressionError(`${what}: "${token}" is not in ${low}-${high}`);
    }
    return n;
  };
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [span, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step <= 0) {
      throw new ScheduleExpressionError(`${what}: bad step in "${part}"`);
    }
    let from = low;
    let to = high;
    if (span !== '*') {
      const [a, b] = (span ?? '').split('-');
      from = value(a ?? '');
      // "5/10" runs from 5 to the end; "5" alone is just 5.
      to = b !== undefined ? value(b) : stepText !== undefined ? high : from;
    }
    for (let n = from; n <= to; n += step) values.add(n);
  }
  return values;
};

const parseCron = (body: string, text: string): Schedule => {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) {
    throw new ScheduleExpressionError(
      `${text}: cron needs 6 fields (minutes hours day-of-month month day-of-week year)`,
    );
  }
  const [mi, h, dom, mo, dow, y] = parts as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) {
    throw new ScheduleExpressionError(
      `${text}: exactly one of day-of-month and day-of-week must be "?"`,
    );
  }
  const daysOfMonth = parseField(dom, [1, 31], 'day-of-month', { questionMark: true });
  const daysOfWeek = parseField(dow, [1, 7], 'day-of-week', { names: DAYS, questionMark: true });
  return {
    kind: 'cron',
    text,
    fields: {
      minutes: parseField(mi, [0, 59], 'minutes') as Set<number>,
      hours: parseField(h, [0, 23], 'hours') as Set<number>,
      ...(daysOfMonth ? { daysOfMonth } : {}),
      months: parseField(mo, [1, 12], 'month', { names: MONTHS }) as Set<number>,
      ...(daysOfWeek ? { daysOfWeek } : {}),
      years: parseField(y, [1970, 2199], 'year') as Set<number>,
    },
  };
};

/** @throws ScheduleExpressionError for anything EventBridge would refuse (or the sandbox cannot run). */
export const parseSchedule = (expression: string): Schedule => {
  const match = /^(rate|cron)\((.*)\)$/.exec(expression.trim());
  if (!match) throw new ScheduleExpressionError(`${expression}: expected rate(…) or cron(…)`);
  return match[1] === 'rate'
    ? parseRate(match[2] as string, expression)
    : parseCron(match[2] as string, expression);
};

const dayMatches = (fields: CronFields, t: Date) =>
  fields.years.has(t.getUTCFullYear()) &&
  fields.months.has(t.getUTCMonth() + 1) &&
  (fields.daysOfMonth
    ? fields.daysOfMonth.has(t.getUTCDate())
    : (fields.daysOfWeek as ReadonlySet<number>).has(t.getUTCDay() + 1));

/** The first firing strictly after `after` (ms since the epoch); undefined if none is left. */
export const nextFiring = (
  schedule: Schedule,
  after: number,
  firstSeen = after,
): number | undefined => {
  if (schedule.kind === 'rate') {
    // A rate rule fires every period counted from when it was created.
    const periods = Math.floor((after - firstSeen) / schedule.periodMs) + 1;
    return firstSeen + Math.max(1, periods) * schedule.periodMs;
  }
  const { fields } = schedule;
  const t = new Date(Math.floor(after / 60_000) * 60_000 + 60_000);
  // Day by day, then hour by hour, then minute by minute: a few thousand steps at most.
  for (let guard = 0; guard < 200_000; guard += 1) {
    if (t.getUTCFullYear() > 2199) return undefined;
    if (!dayMatches(fields, t)) {
      t.setUTCHours(24, 0, 0, 0);
      continue;
    }
    if (!fields.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!fields.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    return t.getTime();
  }
  return undefined;
};
