import { describe, expect, it } from 'vitest';
import {
  decideStress,
  judgeStep,
  type StepJudgement,
  type StepLimits,
  type StepObservation,
  stressSchedule,
} from '../../cli/load/stress-steps.js';

const LIMITS: StepLimits = {
  maxErrorRatePct: 1,
  maxDroppedPct: 1,
  p95Ms: { create: 2000, burst: 2000, status: 1000, cancel: 1000, get: 500, list: 500 },
};

const healthy = (rate: number, o: Partial<StepObservation> = {}): StepObservation => ({
  rate,
  sent: rate * 60,
  dropped: 0,
  errors: 0,
  errorRatePct: 0,
  p95Ms: { create: 120, get: 40, list: 60, status: 90 },
  interrupted: false,
  ...o,
});

describe('stressSchedule', () => {
  it.each([
    [
      { startRate: 50, stepRate: 50, maxRate: 1000, stepDurationMs: 60_000, maxTotalMs: 1_800_000 },
      20,
      0,
      50,
      1000,
    ],
    [
      { startRate: 50, stepRate: 50, maxRate: 1000, stepDurationMs: 60_000, maxTotalMs: 600_000 },
      10,
      10,
      50,
      500,
    ],
    [
      { startRate: 10, stepRate: 10, maxRate: 30, stepDurationMs: 3000, maxTotalMs: 60_000 },
      3,
      0,
      10,
      30,
    ],
    [
      { startRate: 10, stepRate: 25, maxRate: 80, stepDurationMs: 1000, maxTotalMs: 60_000 },
      3,
      0,
      10,
      60,
    ],
    [
      { startRate: 0.1, stepRate: 0.1, maxRate: 0.3, stepDurationMs: 1000, maxTotalMs: 60_000 },
      3,
      0,
      0.1,
      0.3,
    ],
    [
      { startRate: 100, stepRate: 50, maxRate: 100, stepDurationMs: 60_000, maxTotalMs: 1000 },
      1,
      0,
      100,
      100,
    ],
  ])('%j → %i steps (%i cut by the cap), %s … %s', (options, count, cut, first, last) => {
    // Act
    const schedule = stressSchedule(options);

    // Assess
    expect(schedule.rates).toHaveLength(count);
    expect(schedule.cutByTimeCap).toBe(cut);
    expect(schedule.rates[0]).toBe(first);
    expect(schedule.rates.at(-1)).toBe(last);
  });

  it.each([
    [
      { startRate: 0, stepRate: 50, maxRate: 100, stepDurationMs: 1000, maxTotalMs: 10_000 },
      /--start/,
    ],
    [
      { startRate: 50, stepRate: 0, maxRate: 100, stepDurationMs: 1000, maxTotalMs: 10_000 },
      /--step /,
    ],
    [
      { startRate: 50, stepRate: 50, maxRate: 10, stepDurationMs: 1000, maxTotalMs: 10_000 },
      /--max-rate/,
    ],
  ])('%j is refused', (options, message) => {
    // Assess
    expect(() => stressSchedule(options)).toThrow(message);
  });
});

describe('judgeStep', () => {
  it.each([
    ['healthy', healthy(100), []],
    ['errors just at the limit pass', healthy(100, { errors: 60, errorRatePct: 1 }), []],
    [
      'errors past 1%',
      healthy(100, { errors: 61, errorRatePct: 1.02 }),
      ['errors 1.02% > 1% (61 of 6000)'],
    ],
    ['a read p95 at its SLA', healthy(100, { p95Ms: { get: 500 } }), ['p95 get 500 ms ≥ 500 ms']],
    [
      'a create p95 past its SLA and a status p95 past its own',
      healthy(100, { p95Ms: { create: 2100, status: 1000 } }),
      ['p95 create 2100 ms ≥ 2000 ms', 'p95 status 1000 ms ≥ 1000 ms'],
    ],
    [
      'the runner had to drop',
      healthy(100, { sent: 5000, dropped: 1000 }),
      ['1000 of 6000 requests dropped (16.7% > 1%): answers too slow for the in-flight cap'],
    ],
  ] as const)('%s', (_name, observation, why) => {
    // Act
    const judgement = judgeStep(observation, LIMITS);

    // Assess
    expect(judgement.why).toEqual(why);
    expect(judgement.ok).toBe(why.length === 0);
    expect(judgement.rate).toBe(100);
  });
});

const ok = (rate: number): StepJudgement => ({ rate, ok: true, why: [] });
const bad = (rate: number, why = ['errors 5% > 1%']): StepJudgement => ({ rate, ok: false, why });

describe('decideStress', () => {
  const three = stressSchedule({
    startRate: 10,
    stepRate: 10,
    maxRate: 30,
    stepDurationMs: 1000,
    maxTotalMs: 60_000,
  });
  const capped = stressSchedule({
    startRate: 10,
    stepRate: 10,
    maxRate: 50,
    stepDurationMs: 1000,
    maxTotalMs: 2000,
  });

  it.each([
    ['nothing run yet: the first rate', three, [], false, { run: 10 }],
    ['a step passed: the next rate', three, [ok(10)], false, { run: 20 }],
    [
      'a step failed: the failure point, with the last good rate and why',
      three,
      [ok(10), bad(20)],
      false,
      {
        stop: {
          reason: 'failure-point',
          lastGoodRate: 10,
          firstBadRate: 20,
          why: ['errors 5% > 1%'],
        },
      },
    ],
    [
      'the first step failed: no good rate',
      three,
      [bad(10, ['p95 get 900 ms ≥ 500 ms'])],
      false,
      { stop: { reason: 'failure-point', firstBadRate: 10, why: ['p95 get 900 ms ≥ 500 ms'] } },
    ],
    [
      'every step passed up to --max-rate',
      three,
      [ok(10), ok(20), ok(30)],
      false,
      {
        stop: {
          reason: 'max-rate',
          lastGoodRate: 30,
          why: ['every step up to --max-rate passed: no failure point below it'],
        },
      },
    ],
    [
      'every planned step passed but the cap left rates out',
      capped,
      [ok(10), ok(20)],
      false,
      {
        stop: {
          reason: 'duration-cap',
          lastGoodRate: 20,
          why: [
            'the total-duration cap left 3 higher rate(s) untried; raise --max-duration or --step',
          ],
        },
      },
    ],
    [
      'interrupted: stops at once, keeping the last good rate',
      three,
      [ok(10)],
      true,
      { stop: { reason: 'interrupted', lastGoodRate: 10, why: ['stopped by Ctrl-C / SIGTERM'] } },
    ],
  ] as const)('%s', (_name, schedule, judged, interrupted, expected) => {
    // Act
    const decision = decideStress(schedule, judged, interrupted);

    // Assess
    expect(decision).toEqual(expected);
  });
});
