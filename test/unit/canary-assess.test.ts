import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Assessment,
  assess,
  type CanarySamples,
  PLAN_THRESHOLDS,
  type Reason,
  type Verdict,
  type VersionWindow,
} from '../../cli/canary/assess.js';

// ---------------------------------------------------------------------------------------------
// Fixtures: a healthy window in which canary and baseline look alike; rows override pieces.
// ---------------------------------------------------------------------------------------------

const DURATIONS = [95, 96, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107];

const healthyVersion = (version: string): VersionWindow => ({
  version,
  invocations: 200,
  errors: 2,
  throttles: 0,
  durationSamples: DURATIONS,
  p95: { create: 800, status: 400 },
  operations: 100,
  processingFailures: 0,
  eventsPublished: 100,
  eventPublishFailures: 0,
});

interface Overrides extends Partial<Omit<CanarySamples, 'canary' | 'baseline'>> {
  readonly canary?: Partial<VersionWindow>;
  readonly baseline?: Partial<VersionWindow>;
  /** Applied to canary AND baseline, so the baseline comparisons see no difference. */
  readonly both?: Partial<VersionWindow>;
}

const window = (o: Overrides = {}): CanarySamples => {
  const { canary, baseline, both, ...rest } = o;
  return {
    canary: { ...healthyVersion('7'), ...both, ...canary },
    baseline: { ...healthyVersion('6'), ...both, ...baseline },
    windowSeconds: 60,
    dlqDepth: 0,
    dynamoThrottles: 0,
    alarmsInAlarm: [],
    allowedAlarms: [],
    criticalSmoke: { ok: true, failed: [] },
    endOfBake: false,
    ...rest,
  };
};

const byTrigger = (assessment: Assessment, trigger: string): Reason[] =>
  assessment.reasons.filter((r) => r.trigger === trigger);

const only = (assessment: Assessment, trigger: string): Reason => {
  const found = byTrigger(assessment, trigger);
  expect(found).toHaveLength(1);
  return found[0]!;
};

/** Seeded PRNG (mulberry32): the same windows on every run. */
const mulberry32 = (seed: number) => {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

// ---------------------------------------------------------------------------------------------

describe('PLAN_THRESHOLDS', () => {
  it("carries the plan's Rollback Triggers and CloudWatch Alarms numbers", () => {
    // Assess
    expect(PLAN_THRESHOLDS).toMatchObject({
      maxErrorRatePct: 5,
      maxP95CreateMs: 3000,
      maxP95StatusMs: 2000,
      maxDlqDepth: 10,
      maxEventBridgeFailurePct: 1,
      maxOrderProcessingFailurePct: 1,
      maxThrottlesPerMinute: 10,
      maxDynamoThrottles: 0,
    });
    // Statistical defaults: alpha per analysis, sized for ~45 looks per rollout.
    expect(PLAN_THRESHOLDS).toMatchObject({
      minInvocations: 20,
      significance: 0.0001,
      minErrorRateDeltaPct: 1,
      minLatencyRatio: 1.5,
      minLatencySamples: 12,
    });
    expect(Object.isFrozen(PLAN_THRESHOLDS)).toBe(true);
  });
});

describe('assess: a healthy window', () => {
  it('passes and lists every trigger once, in a fixed order', () => {
    // Prepare
    const samples = window();

    // Act
    const result = assess(samples, PLAN_THRESHOLDS);

    // Assess
    expect(result.verdict).toBe('pass');
    expect(result.reasons.map((r) => r.trigger)).toEqual([
      'error-rate',
      'p95-create',
      'p95-status',
      'dlq-depth',
      'eventbridge-failures',
      'order-processing-failures',
      'throttles',
      'dynamodb-throttles',
      'alarm',
      'critical-smoke',
      'error-rate-vs-baseline',
      'latency-vs-baseline',
    ]);
    expect(result.reasons.every((r) => r.verdict === 'pass')).toBe(true);
  });
});

describe('assess: fixed thresholds on the canary (greater fails, equal passes)', () => {
  it.each<{
    name: string;
    o: Overrides;
    trigger: string;
    verdict: Verdict;
    value: number;
    threshold: number;
    message: RegExp;
  }>([
    // Error rate > 5% (canary and baseline alike, so only the fixed threshold speaks).
    {
      name: 'error rate below',
      o: { both: { errors: 9 } },
      trigger: 'error-rate',
      verdict: 'pass',
      value: 4.5,
      threshold: 5,
      message: /^canary error rate 4\.5% ≤ 5% \(9\/200 invocations in 60 s\)$/,
    },
    {
      name: 'error rate at',
      o: { both: { errors: 10 } },
      trigger: 'error-rate',
      verdict: 'pass',
      value: 5,
      threshold: 5,
      message: /^canary error rate 5% ≤ 5% \(10\/200 invocations in 60 s\)$/,
    },
    {
      name: 'error rate above',
      o: { both: { errors: 11 } },
      trigger: 'error-rate',
      verdict: 'fail',
      value: 5.5,
      threshold: 5,
      message: /^canary error rate 5\.5% > 5% \(11\/200 invocations in 60 s\)$/,
    },
    {
      name: 'error rate as in the brief',
      o: { both: { errors: 5, invocations: 40 } },
      trigger: 'error-rate',
      verdict: 'fail',
      value: 12.5,
      threshold: 5,
      message: /^canary error rate 12\.5% > 5% \(5\/40 invocations in 60 s\)$/,
    },
    // p95 create > 3 s, p95 status > 2 s.
    {
      name: 'p95 create below',
      o: { canary: { p95: { create: 2999, status: 400 } } },
      trigger: 'p95-create',
      verdict: 'pass',
      value: 2999,
      threshold: 3000,
      message: /2999 ms ≤ 3000 ms/,
    },
    {
      name: 'p95 create at',
      o: { canary: { p95: { create: 3000, status: 400 } } },
      trigger: 'p95-create',
      verdict: 'pass',
      value: 3000,
      threshold: 3000,
      message: /3000 ms ≤ 3000 ms/,
    },
    {
      name: 'p95 create above',
      o: { canary: { p95: { create: 3001, status: 400 } } },
      trigger: 'p95-create',
      verdict: 'fail',
      value: 3001,
      threshold: 3000,
      message: /^canary p95 create 3001 ms > 3000 ms$/,
    },
    {
      name: 'p95 status below',
      o: { canary: { p95: { create: 800, status: 1999 } } },
      trigger: 'p95-status',
      verdict: 'pass',
      value: 1999,
      threshold: 2000,
      message: /1999 ms ≤ 2000 ms/,
    },
    {
      name: 'p95 status at',
      o: { canary: { p95: { create: 800, status: 2000 } } },
      trigger: 'p95-status',
      verdict: 'pass',
      value: 2000,
      threshold: 2000,
      message: /2000 ms ≤ 2000 ms/,
    },
    {
      name: 'p95 status above',
      o: { canary: { p95: { create: 800, status: 2000.5 } } },
      trigger: 'p95-status',
      verdict: 'fail',
      value: 2000.5,
      threshold: 2000,
      message: /^canary p95 status 2000\.5 ms > 2000 ms$/,
    },
    // DLQ depth > 10.
    {
      name: 'DLQ below',
      o: { dlqDepth: 9 },
      trigger: 'dlq-depth',
      verdict: 'pass',
      value: 9,
      threshold: 10,
      message: /9 ≤ 10 messages/,
    },
    {
      name: 'DLQ at',
      o: { dlqDepth: 10 },
      trigger: 'dlq-depth',
      verdict: 'pass',
      value: 10,
      threshold: 10,
      message: /10 ≤ 10 messages/,
    },
    {
      name: 'DLQ above',
      o: { dlqDepth: 11 },
      trigger: 'dlq-depth',
      verdict: 'fail',
      value: 11,
      threshold: 10,
      message: /^DLQ depth 11 > 10 messages$/,
    },
    // EventBridge failures > 1% of published + failed.
    {
      name: 'EventBridge below',
      o: { canary: { eventsPublished: 200, eventPublishFailures: 1 } },
      trigger: 'eventbridge-failures',
      verdict: 'pass',
      value: 100 / 201,
      threshold: 1,
      message: /0\.5% ≤ 1% \(1\/201 events/,
    },
    {
      name: 'EventBridge at',
      o: { canary: { eventsPublished: 99, eventPublishFailures: 1 } },
      trigger: 'eventbridge-failures',
      verdict: 'pass',
      value: 1,
      threshold: 1,
      message: /1% ≤ 1% \(1\/100 events/,
    },
    {
      name: 'EventBridge above',
      o: { canary: { eventsPublished: 98, eventPublishFailures: 2 } },
      trigger: 'eventbridge-failures',
      verdict: 'fail',
      value: 2,
      threshold: 1,
      message: /^canary EventBridge failure rate 2% > 1% \(2\/100 events in 60 s\)$/,
    },
    // Order processing failures > 1% of operations.
    {
      name: 'processing below',
      o: { canary: { operations: 101, processingFailures: 1 } },
      trigger: 'order-processing-failures',
      verdict: 'pass',
      value: 100 / 101,
      threshold: 1,
      message: /0\.99% ≤ 1% \(1\/101 operations/,
    },
    {
      name: 'processing at',
      o: { canary: { operations: 100, processingFailures: 1 } },
      trigger: 'order-processing-failures',
      verdict: 'pass',
      value: 1,
      threshold: 1,
      message: /1% ≤ 1% \(1\/100 operations/,
    },
    {
      name: 'processing above',
      o: { canary: { operations: 100, processingFailures: 2 } },
      trigger: 'order-processing-failures',
      verdict: 'fail',
      value: 2,
      threshold: 1,
      message: /^canary order processing failure rate 2% > 1% \(2\/100 operations in 60 s\)$/,
    },
    // Throttles > 10 per minute, scaled by the window.
    {
      name: 'throttles below',
      o: { canary: { throttles: 9 } },
      trigger: 'throttles',
      verdict: 'pass',
      value: 9,
      threshold: 10,
      message: /9\/min ≤ 10\/min \(9 in 60 s\)/,
    },
    {
      name: 'throttles at',
      o: { canary: { throttles: 10 } },
      trigger: 'throttles',
      verdict: 'pass',
      value: 10,
      threshold: 10,
      message: /10\/min ≤ 10\/min/,
    },
    {
      name: 'throttles above',
      o: { canary: { throttles: 11 } },
      trigger: 'throttles',
      verdict: 'fail',
      value: 11,
      threshold: 10,
      message: /^canary throttles 11\/min > 10\/min \(11 in 60 s\)$/,
    },
    {
      name: 'throttles at, 5 min window',
      o: { windowSeconds: 300, canary: { throttles: 50 } },
      trigger: 'throttles',
      verdict: 'pass',
      value: 10,
      threshold: 10,
      message: /10\/min ≤ 10\/min \(50 in 300 s\)/,
    },
    {
      name: 'throttles above, 5 min window',
      o: { windowSeconds: 300, canary: { throttles: 51 } },
      trigger: 'throttles',
      verdict: 'fail',
      value: 10.2,
      threshold: 10,
      message: /10\.2\/min > 10\/min \(51 in 300 s\)/,
    },
    {
      name: 'throttles above, 30 s window',
      o: { windowSeconds: 30, canary: { throttles: 6 } },
      trigger: 'throttles',
      verdict: 'fail',
      value: 12,
      threshold: 10,
      message: /12\/min > 10\/min \(6 in 30 s\)/,
    },
    {
      name: 'error rate a hair above shows the digits that cross',
      o: { both: { invocations: 100000, errors: 5001 } },
      trigger: 'error-rate',
      verdict: 'fail',
      value: 5.001,
      threshold: 5,
      message: /^canary error rate 5\.001% > 5% \(5001\/100000 invocations in 60 s\)$/,
    },
    // DynamoDB throttles > 0.
    {
      name: 'DynamoDB at',
      o: { dynamoThrottles: 0 },
      trigger: 'dynamodb-throttles',
      verdict: 'pass',
      value: 0,
      threshold: 0,
      message: /0 ≤ 0/,
    },
    {
      name: 'DynamoDB above',
      o: { dynamoThrottles: 1 },
      trigger: 'dynamodb-throttles',
      verdict: 'fail',
      value: 1,
      threshold: 0,
      message: /^DynamoDB throttled requests 1 > 0 in 60 s$/,
    },
  ])('$name → $trigger $verdict', ({ o, trigger, verdict, value, threshold, message }) => {
    // Prepare
    const samples = window(o);

    // Act
    const result = assess(samples, PLAN_THRESHOLDS);

    // Assess
    const r = only(result, trigger);
    expect(r.verdict).toBe(verdict);
    expect(r.value).toBeCloseTo(value, 10);
    expect(r.threshold).toBe(threshold);
    expect(r.message).toMatch(message);
    expect(result.verdict).toBe(verdict);
  });
});

describe('assess: sample size of the rate triggers', () => {
  it.each<{
    name: string;
    o: Overrides;
    verdict: Verdict;
    trigger: string;
    value: number;
    threshold: number;
    message: RegExp;
  }>([
    {
      name: 'too few canary invocations mid-bake waits',
      o: { both: { invocations: 19, errors: 0 } },
      verdict: 'wait',
      trigger: 'sample-size',
      value: 19,
      threshold: 20,
      message: /^19 canary invocations < 20 needed to judge the error rate .*; waiting$/,
    },
    {
      name: 'no canary invocations at all mid-bake waits',
      o: { both: { invocations: 0, errors: 0 } },
      verdict: 'wait',
      trigger: 'sample-size',
      value: 0,
      threshold: 20,
      message: /0 canary invocations < 20/,
    },
    {
      name: 'exactly minInvocations is judged',
      o: { both: { invocations: 20, errors: 1 } },
      verdict: 'pass',
      trigger: 'error-rate',
      value: 5,
      threshold: 5,
      message: /5% ≤ 5% \(1\/20 invocations/,
    },
    {
      name: 'too few canary invocations at the end of the bake fails',
      o: { both: { invocations: 19, errors: 0 }, endOfBake: true },
      verdict: 'fail',
      trigger: 'sample-size',
      value: 19,
      threshold: 20,
      message: /an unexercised canary is not a healthy one/,
    },
    {
      name: 'an unexercised canary (0 invocations) fails at the end of the bake',
      o: { both: { invocations: 0, errors: 0 }, endOfBake: true },
      verdict: 'fail',
      trigger: 'sample-size',
      value: 0,
      threshold: 20,
      message: /^0 canary invocations < 20 needed .* at the end of the bake: an unexercised canary/,
    },
    {
      name: 'unambiguous: 2 errors in 5 exceed 5% of 20 (1 error) → fail mid-bake',
      o: { canary: { invocations: 5, errors: 2 } },
      verdict: 'fail',
      trigger: 'error-rate',
      value: 40,
      threshold: 5,
      message:
        /^canary error rate 40% > 5% \(2\/5 invocations in 60 s\): unambiguous below the 20 invocations needed — 2 errors exceed 5% of 20$/,
    },
    {
      name: 'not unambiguous: 1 error in 5 is 5% of 20 → wait',
      o: { canary: { invocations: 5, errors: 1 } },
      verdict: 'wait',
      trigger: 'sample-size',
      value: 5,
      threshold: 20,
      message: /5 canary invocations < 20/,
    },
    {
      name: 'unambiguous EventBridge failure: 1 in 11 events exceeds 1% of 20',
      o: { canary: { eventsPublished: 10, eventPublishFailures: 1 } },
      verdict: 'fail',
      trigger: 'eventbridge-failures',
      value: 100 / 11,
      threshold: 1,
      message: /unambiguous below the 20 events needed — 1 failures exceed 1% of 20/,
    },
    {
      name: 'too few events mid-bake waits',
      o: { canary: { eventsPublished: 10, eventPublishFailures: 0 } },
      verdict: 'wait',
      trigger: 'sample-size',
      value: 10,
      threshold: 20,
      message: /^10 canary events < 20 needed to judge the EventBridge failure rate/,
    },
    {
      name: 'too few events of an exercised canary at the end of the bake is noted, not failed',
      o: { canary: { eventsPublished: 10, eventPublishFailures: 0 }, endOfBake: true },
      verdict: 'pass',
      trigger: 'sample-size',
      value: 10,
      threshold: 20,
      message: /at the end of the bake; not judged$/,
    },
    {
      name: 'unambiguous processing failure: 1 in 3 operations',
      o: { canary: { operations: 3, processingFailures: 1 } },
      verdict: 'fail',
      trigger: 'order-processing-failures',
      value: 100 / 3,
      threshold: 1,
      message: /unambiguous below the 20 operations needed/,
    },
    {
      name: 'too few operations mid-bake waits',
      o: { canary: { operations: 3, processingFailures: 0 } },
      verdict: 'wait',
      trigger: 'sample-size',
      value: 3,
      threshold: 20,
      message: /^3 canary operations < 20 needed to judge the order processing failure rate/,
    },
  ])('$name', ({ o, verdict, trigger, value, threshold, message }) => {
    // Prepare
    const samples = window(o);

    // Act
    const result = assess(samples, PLAN_THRESHOLDS);

    // Assess
    const r = only(result, trigger);
    expect(r.verdict).toBe(verdict);
    expect(r.value).toBeCloseTo(value, 10);
    expect(r.threshold).toBe(threshold);
    expect(r.message).toMatch(message);
    expect(result.verdict).toBe(verdict);
  });

  it('replaces the short rate trigger by the sample-size reason', () => {
    // Prepare
    const samples = window({ both: { invocations: 7, errors: 0 } });

    // Act
    const result = assess(samples, PLAN_THRESHOLDS);

    // Assess
    expect(byTrigger(result, 'error-rate')).toHaveLength(0);
    expect(byTrigger(result, 'sample-size')).toHaveLength(1);
  });

  it('never answers wait at the end of the bake', () => {
    const count = fc.integer({ min: 0, max: 60 });
    fc.assert(
      fc.property(count, count, count, count, count, count, (inv, err, ops, fail, pub, pubFail) => {
        // Prepare
        const samples = window({
          endOfBake: true,
          canary: {
            invocations: inv,
            errors: Math.min(err, inv),
            operations: ops,
            processingFailures: Math.min(fail, ops),
            eventsPublished: pub,
            eventPublishFailures: pubFail,
          },
        });

        // Act
        const result = assess(samples, PLAN_THRESHOLDS);

        // Assess
        expect(result.verdict).not.toBe('wait');
        expect(result.reasons.some((r) => r.verdict === 'wait')).toBe(false);
      }),
    );
  });
});

describe('assess: missing data is noted, not guessed', () => {
  it.each<{ name: string; o: Overrides; trigger: string; message: RegExp }>([
    {
      name: 'no p95 create mid-bake',
      o: { canary: { p95: { status: 400 } } },
      trigger: 'p95-create',
      message: /^canary p95 create: no data; not judged$/,
    },
    {
      name: 'no p95 status mid-bake',
      o: { canary: { p95: { create: 800 } } },
      trigger: 'p95-status',
      message: /^canary p95 status: no data; not judged$/,
    },
    {
      name: 'no p95 create at the end of the bake although the canary had traffic',
      o: { canary: { p95: {} }, endOfBake: true },
      trigger: 'p95-create',
      message: /no data although the canary served 200 invocations by the end of the bake/,
    },
    {
      name: 'no DLQ depth',
      o: { dlqDepth: undefined },
      trigger: 'dlq-depth',
      message: /^DLQ depth: no data; not judged$/,
    },
    {
      name: 'no critical smoke this window',
      o: { criticalSmoke: undefined },
      trigger: 'critical-smoke',
      message: /not run/,
    },
  ])('$name → pass with a note', ({ o, trigger, message }) => {
    // Prepare
    const samples = window(o);

    // Act
    const result = assess(samples, PLAN_THRESHOLDS);

    // Assess
    const r = only(result, trigger);
    expect(r.verdict).toBe('pass');
    expect(r.value).toBeUndefined();
    expect(r.message).toMatch(message);
    expect(result.verdict).toBe('pass');
  });
});

describe('assess: alarms and critical smoke', () => {
  it.each<{ name: string; o: Overrides; verdict: Verdict; reasons: [Verdict, RegExp][] }>([
    {
      name: 'no alarm in ALARM',
      o: {},
      verdict: 'pass',
      reasons: [['pass', /^no alarm in ALARM$/]],
    },
    {
      name: 'an alarm in ALARM',
      o: { alarmsInAlarm: ['order-lambda-prod-high-error-rate'] },
      verdict: 'fail',
      reasons: [['fail', /^alarm order-lambda-prod-high-error-rate is in ALARM$/]],
    },
    {
      name: 'an allowed alarm in ALARM',
      o: { alarmsInAlarm: ['order-lambda-prod-dlq'], allowedAlarms: ['order-lambda-prod-dlq'] },
      verdict: 'pass',
      reasons: [['pass', /order-lambda-prod-dlq is in ALARM but allowed \(--allow-alarm\)/]],
    },
    {
      name: 'one allowed and one not',
      o: { alarmsInAlarm: ['known', 'new'], allowedAlarms: ['known', 'unused'] },
      verdict: 'fail',
      reasons: [
        ['pass', /^alarm known is in ALARM but allowed/],
        ['fail', /^alarm new is in ALARM$/],
      ],
    },
  ])('$name → $verdict', ({ o, verdict, reasons }) => {
    // Prepare
    const samples = window(o);

    // Act
    const result = assess(samples, PLAN_THRESHOLDS);

    // Assess
    const found = byTrigger(result, 'alarm');
    expect(found.map((r) => r.verdict)).toEqual(reasons.map(([v]) => v));
    reasons.forEach(([, message], i) => {
      expect(found[i]!.message).toMatch(message);
    });
    expect(result.verdict).toBe(verdict);
  });

  it.each<{
    name: string;
    smoke: CanarySamples['criticalSmoke'];
    verdict: Verdict;
    message: RegExp;
  }>([
    {
      name: 'passed',
      smoke: { ok: true, failed: [] },
      verdict: 'pass',
      message: /^critical smoke passed$/,
    },
    {
      name: 'failed, naming the tests',
      smoke: { ok: false, failed: ['create order', 'get order by id'] },
      verdict: 'fail',
      message: /^critical smoke failed \(2 tests\): create order, get order by id$/,
    },
    {
      name: 'failed without names',
      smoke: { ok: false, failed: [] },
      verdict: 'fail',
      message: /^critical smoke failed \(0 tests\)$/,
    },
  ])('critical smoke $name → $verdict', ({ smoke, verdict, message }) => {
    // Prepare
    const samples = window({ criticalSmoke: smoke });

    // Act
    const result = assess(samples, PLAN_THRESHOLDS);

    // Assess
    const r = only(result, 'critical-smoke');
    expect(r.verdict).toBe(verdict);
    expect(r.message).toMatch(message);
    expect(result.verdict).toBe(verdict);
  });
});

describe('assess: canary against baseline', () => {
  it.each<{
    name: string;
    o: Overrides;
    trigger: string;
    verdict: Verdict;
    value?: number;
    threshold?: number;
    message: RegExp;
  }>([
    {
      name: 'errors 4% vs 0.5%: significant and ≥ 1 pp, under the fixed 5%',
      o: { canary: { invocations: 1000, errors: 40 }, baseline: { invocations: 1000, errors: 5 } },
      trigger: 'error-rate-vs-baseline',
      verdict: 'fail',
      value: 3.5,
      threshold: 1,
      message:
        /^canary 4% \(40\/1000\) vs baseline 0\.5% \(5\/1000\): \+3\.5 pp ≥ 1 pp, p = 2\.9e-8 < α 0\.0001 \(Fisher exact, z = 5\.28\)$/,
    },
    {
      name: 'errors exactly 1 pp above, significant',
      o: {
        canary: { invocations: 10000, errors: 200 },
        baseline: { invocations: 10000, errors: 100 },
      },
      trigger: 'error-rate-vs-baseline',
      verdict: 'fail',
      value: 1,
      threshold: 1,
      message: /\+1 pp ≥ 1 pp/,
    },
    {
      name: 'errors 1.5% vs 1%: significant but below 1 pp',
      o: {
        canary: { invocations: 100000, errors: 1500 },
        baseline: { invocations: 100000, errors: 1000 },
      },
      trigger: 'error-rate-vs-baseline',
      verdict: 'pass',
      value: 0.5,
      threshold: 1,
      message: /significant \(p = .* < α 0\.0001 \(Fisher exact, z = \d.*\)\) but \+0\.5 pp < 1 pp/,
    },
    {
      name: 'errors 5% vs 0% on 20 each: 5 pp but not significant',
      o: { canary: { invocations: 20, errors: 1 }, baseline: { invocations: 20, errors: 0 } },
      trigger: 'error-rate-vs-baseline',
      verdict: 'pass',
      // Fisher exact on [[1, 19], [0, 20]]: P(X ≥ 1) = 0.5 (scipy fisher_exact, 'greater').
      value: 0.5,
      threshold: 0.0001,
      message: /not significant, p = 0\.5 ≥ α 0\.0001 \(Fisher exact, z = 1\.01\)$/,
    },
    {
      name: 'drained baseline (the 100% step) is not compared',
      o: { baseline: { invocations: 0, errors: 0, durationSamples: [] } },
      trigger: 'error-rate-vs-baseline',
      verdict: 'pass',
      message: /^not judged: 200 canary and 0 baseline invocations, 20 needed on each side$/,
    },
    {
      name: 'latency ×3, every canary period slower',
      o: { canary: { durationSamples: DURATIONS.map((d) => d * 3) } },
      trigger: 'latency-vs-baseline',
      verdict: 'fail',
      value: 3,
      threshold: 1.5,
      message:
        /^canary median duration 304\.5 ms vs baseline 101\.5 ms \(×3, 12 vs 12 samples\): ×3 ≥ ×1\.5, p = 1\.8e-5 < α 0\.0001 \(Mann–Whitney\)$/,
    },
    {
      name: 'latency ×1.2, significant but under ×1.5',
      o: { canary: { durationSamples: DURATIONS.map((d) => d * 1.2) } },
      trigger: 'latency-vs-baseline',
      verdict: 'pass',
      value: 1.2,
      threshold: 1.5,
      message: /significant \(p = 1\.8e-5 < α 0\.0001 \(Mann–Whitney\)\) but ×1\.2 < ×1\.5/,
    },
    {
      name: 'latency median ×1.94 but half the canary periods fast: not significant',
      o: {
        canary: { durationSamples: [50, 52, 54, 56, 58, 60, 300, 310, 320, 330, 340, 350, 360] },
        baseline: { durationSamples: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200, 210] },
      },
      trigger: 'latency-vs-baseline',
      verdict: 'pass',
      threshold: 0.0001,
      message:
        /\(×1\.94, 13 vs 12 samples\): not significant, p = 0\.\d+ ≥ α 0\.0001 \(Mann–Whitney\)$/,
    },
    {
      name: 'latency with 11 canary samples is not judged',
      o: { canary: { durationSamples: DURATIONS.slice(1).map((d) => d * 10) } },
      trigger: 'latency-vs-baseline',
      verdict: 'pass',
      message: /^not judged: 11 canary and 12 baseline duration samples, 12 needed on each side$/,
    },
  ])('$name → $verdict', ({ o, trigger, verdict, value, threshold, message }) => {
    // Prepare
    const samples = window(o);

    // Act
    const result = assess(samples, PLAN_THRESHOLDS);

    // Assess
    const r = only(result, trigger);
    expect(r.verdict).toBe(verdict);
    if (value !== undefined) expect(r.value).toBeCloseTo(value, 6);
    expect(r.threshold).toBe(threshold);
    expect(r.message).toMatch(message);
    expect(result.verdict).toBe(verdict);
  });

  /** One seeded window: canary ~10% of the traffic, both versions from the given distributions. */
  const noiseWindow = (
    rng: () => number,
    effect: { errorRate: number; latencyFactor: number },
  ): CanarySamples => {
    const binomial = (n: number, p: number) => {
      let k = 0;
      for (let i = 0; i < n; i++) if (rng() < p) k++;
      return k;
    };
    const logNormal = (medianMs: number, sigma: number) => {
      const u = 1 - rng();
      const v = rng();
      return medianMs * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
    };
    const version = (
      name: string,
      invocations: number,
      errorRate: number,
      latencyFactor: number,
    ): VersionWindow => ({
      version: name,
      invocations,
      errors: binomial(invocations, errorRate),
      throttles: 0,
      durationSamples: Array.from({ length: 30 }, () => logNormal(120 * latencyFactor, 0.3)),
      p95: { create: 600 + 600 * rng(), status: 300 + 300 * rng() },
      operations: invocations,
      processingFailures: 0,
      eventsPublished: Math.round(invocations / 2),
      eventPublishFailures: 0,
    });
    const canaryInvocations = 200 + Math.floor(rng() * 400);
    return window({
      windowSeconds: 300,
      canary: version('7', canaryInvocations, effect.errorRate, effect.latencyFactor),
      baseline: version('6', canaryInvocations * 9, 0.01, 1),
    });
  };

  it('never fails 200 seeded windows of pure noise (canary and baseline from one distribution)', () => {
    // Prepare
    const rng = mulberry32(20240611);
    const windows = Array.from({ length: 200 }, () =>
      noiseWindow(rng, { errorRate: 0.01, latencyFactor: 1 }),
    );

    // Act
    const results = windows.map((w) => assess(w, PLAN_THRESHOLDS));

    // Assess
    const failed = results.filter((r) => r.verdict !== 'pass');
    expect(failed).toEqual([]);
    // The comparisons were really made (not skipped for sample size): judged ones carry a value.
    for (const r of results) {
      expect(only(r, 'error-rate-vs-baseline').value).toBeDefined();
      expect(only(r, 'latency-vs-baseline').value).toBeDefined();
    }
  });

  it('fails every one of 200 seeded windows whose canary is twice as slow', () => {
    // Prepare
    const rng = mulberry32(7);
    const windows = Array.from({ length: 200 }, () =>
      noiseWindow(rng, { errorRate: 0.01, latencyFactor: 2 }),
    );

    // Act
    const results = windows.map((w) => assess(w, PLAN_THRESHOLDS));

    // Assess
    for (const r of results) {
      expect(r.verdict).toBe('fail');
      expect(only(r, 'latency-vs-baseline').verdict).toBe('fail');
    }
  });

  it('catches 4% against 1% errors in a good share of 200 seeded windows at 10% traffic', () => {
    // Prepare
    const rng = mulberry32(99);
    const windows = Array.from({ length: 200 }, () =>
      noiseWindow(rng, { errorRate: 0.04, latencyFactor: 1 }),
    );

    // Act
    const results = windows.map((w) => assess(w, PLAN_THRESHOLDS));

    // Assess
    const byComparison = results.filter(
      (r) => only(r, 'error-rate-vs-baseline').verdict === 'fail',
    ).length;
    // Simulated power at alpha 1e-4 and 200–600 canary invocations is ~50% per window (the
    // bake analyses many windows); the fixed 5% threshold alone catches far fewer.
    expect(byComparison).toBeGreaterThanOrEqual(70);
    const byFixedRate = results.filter((r) => only(r, 'error-rate').verdict === 'fail').length;
    expect(byComparison).toBeGreaterThan(byFixedRate);
  });
});

describe('assess: worst verdict wins', () => {
  it.each<{ name: string; o: Overrides; verdict: Verdict }>([
    { name: 'pass + pass', o: {}, verdict: 'pass' },
    { name: 'wait + pass', o: { canary: { eventsPublished: 3 } }, verdict: 'wait' },
    { name: 'wait + fail', o: { canary: { eventsPublished: 3 }, dlqDepth: 11 }, verdict: 'fail' },
    { name: 'fail + fail', o: { dlqDepth: 11, dynamoThrottles: 2 }, verdict: 'fail' },
  ])('$name → $verdict', ({ o, verdict }) => {
    // Act
    const result = assess(window(o), PLAN_THRESHOLDS);

    // Assess
    expect(result.verdict).toBe(verdict);
    const worst = result.reasons.map((r) => r.verdict);
    expect(worst).toContain(verdict);
  });

  it('names trigger, value and threshold of every cause', () => {
    // Prepare
    const samples = window({
      dlqDepth: 14,
      dynamoThrottles: 3,
      canary: { p95: { create: 4200, status: 400 } },
    });

    // Act
    const result = assess(samples, PLAN_THRESHOLDS);

    // Assess
    const causes = result.reasons.filter((r) => r.verdict === 'fail');
    expect(causes.map(({ trigger, value, threshold }) => ({ trigger, value, threshold }))).toEqual([
      { trigger: 'p95-create', value: 4200, threshold: 3000 },
      { trigger: 'dlq-depth', value: 14, threshold: 10 },
      { trigger: 'dynamodb-throttles', value: 3, threshold: 0 },
    ]);
    for (const c of causes) {
      expect(c.message).toContain(String(c.value));
      expect(c.message).toContain(String(c.threshold));
    }
  });
});

describe('assess: malformed input is a reader bug', () => {
  it.each<[string, Overrides]>([
    ['zero window', { windowSeconds: 0 }],
    ['negative window', { windowSeconds: -60 }],
    ['negative invocations', { canary: { invocations: -1 } }],
    ['NaN errors', { baseline: { errors: Number.NaN } }],
    ['infinite duration sample', { canary: { durationSamples: [1, Number.POSITIVE_INFINITY] } }],
    ['negative DLQ depth', { dlqDepth: -1 }],
    ['negative p95', { canary: { p95: { create: -5 } } }],
  ])('%s → RangeError', (_, o) => {
    // Assess
    expect(() => assess(window(o), PLAN_THRESHOLDS)).toThrow(RangeError);
  });
});

describe('assess: a saturated test environment is no evidence about the release', () => {
  it.each<{ name: string; o: Overrides; verdict: Verdict; hostReason: boolean }>([
    {
      name: 'saturated in one sample: a would-be failure becomes wait',
      o: { canary: { errors: 40 }, hostSaturation: { saturated: 1, samples: 6 } },
      verdict: 'wait',
      hostReason: true,
    },
    {
      name: 'saturated at end of bake: still wait (the step extends the bake)',
      o: {
        alarmsInAlarm: ['order-handler-prod-throttling'],
        endOfBake: true,
        hostSaturation: { saturated: 6, samples: 6 },
      },
      verdict: 'wait',
      hostReason: true,
    },
    {
      name: 'samples present, none saturated: judged as usual (fails)',
      o: { canary: { errors: 40 }, hostSaturation: { saturated: 0, samples: 6 } },
      verdict: 'fail',
      hostReason: false,
    },
    {
      name: 'no host metric at all (AWS): judged as usual (passes)',
      o: {},
      verdict: 'pass',
      hostReason: false,
    },
  ])('$name', ({ o, verdict, hostReason }) => {
    // Act
    const a = assess(window(o), PLAN_THRESHOLDS);

    // Assess
    expect(a.verdict).toBe(verdict);
    expect(byTrigger(a, 'host-saturated')).toHaveLength(hostReason ? 1 : 0);
    if (hostReason) {
      expect(a.reasons[0]?.trigger).toBe('host-saturated');
      expect(a.reasons.some((r) => r.verdict === 'fail')).toBe(false);
      expect(
        a.reasons.filter((r) => r.message.endsWith('(not judged: saturated)')).length,
      ).toBeGreaterThan(0);
    }
  });
});
