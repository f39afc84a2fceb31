import { describe, expect, it } from 'vitest';
import { PLAN_THRESHOLDS } from '../../cli/canary/assess.js';
import type { ServiceMetrics } from '../../cli/load/load-metrics.js';
import { stressVerdict } from '../../cli/load/load-session.js';
import { failedVerdicts, judgeLoad, loadSla, type SlaVerdict } from '../../cli/load/load-sla.js';
import type { OperationSummary, TallySummary } from '../../cli/load/load-tally.js';
import { PLANS } from '../../cli/plans/plans.js';

const SLA = loadSla(PLANS.sit);

const op = (p95: number, o: Partial<OperationSummary> = {}): OperationSummary => ({
  sent: 1000,
  dropped: 0,
  ok: 1000,
  conflicts: 0,
  errors: 0,
  throttled: 0,
  serverErrors: 0,
  unexpected: 0,
  timeouts: 0,
  networkErrors: 0,
  aborted: 0,
  byStatus: { 200: 1000 },
  latencyMs: { count: 1000, p50: p95 / 2, p95, p99: p95 * 1.2, max: p95 * 2 },
  ...o,
});

const tally = (o: Partial<TallySummary> = {}): TallySummary => ({
  sent: 4000,
  dropped: 0,
  aborted: 0,
  errors: 0,
  errorRatePct: 0,
  throttled: 0,
  timeouts: 0,
  networkErrors: 0,
  byStatus: { 200: 3000, 201: 1000 },
  byOperation: { create: op(300), get: op(80), list: op(120), status: op(200) },
  bursts: { bursts: 0, allSucceeded: 0, failedCleanly: 0, unclean: 0, duplicateIds: 0 },
  ...o,
});

const figure = (value: number | null, datapoints = 1) => ({ value, datapoints });
const metrics = (o: { perMinute?: number; ddb?: number } = {}): ServiceMetrics => ({
  window: { start: '2026-01-15T10:00:00.000Z', end: '2026-01-15T10:16:00.000Z' },
  lambda: {
    throttles: figure(o.perMinute ?? 0),
    throttlesPerMinuteMax: figure(o.perMinute ?? 0),
    aliasThrottles: figure(0),
    invocations: figure(4000),
    errors: figure(0),
    durationP95Ms: figure(180),
    concurrentExecutionsMax: figure(40),
  },
  dynamodb: {
    throttledRequests: figure(o.ddb ?? 0, 0),
    readThrottleEvents: figure(0, 0),
    writeThrottleEvents: figure(0, 0),
  },
  notes: [],
});

const byId = (verdicts: readonly SlaVerdict[], id: string) => verdicts.find((v) => v.id === id);

describe('loadSla: the plan numbers, from where they already live', () => {
  it('p95 per operation from Plan.sla, error rate from Plan.sla, throttles from the canary thresholds', () => {
    // Assess
    expect(SLA.p95Ms).toEqual({
      create: PLANS.sit.sla.createP95Ms,
      burst: PLANS.sit.sla.createP95Ms,
      status: PLANS.sit.sla.statusP95Ms,
      cancel: PLANS.sit.sla.statusP95Ms,
      get: PLANS.sit.sla.readP95Ms,
      list: PLANS.sit.sla.readP95Ms,
    });
    expect(SLA.maxErrorRatePct).toBe(0.1);
    expect(SLA.maxLambdaThrottlesPerMinute).toBe(PLAN_THRESHOLDS.maxThrottlesPerMinute);
    expect(SLA.maxDynamoThrottles).toBe(PLAN_THRESHOLDS.maxDynamoThrottles);
    expect(SLA.stressMaxErrorRatePct).toBe(1);
  });
});

describe('judgeLoad', () => {
  it('a healthy run passes every SLA, one verdict per operation that ran', () => {
    // Act
    const verdicts = judgeLoad({ tally: tally(), metrics: metrics(), sla: SLA });

    // Assess
    expect(verdicts.map((v) => v.id)).toEqual([
      'p95-create',
      'p95-get',
      'p95-list',
      'p95-status',
      'error-rate',
      'dropped',
      'lambda-throttles',
      'dynamodb-throttles',
    ]);
    expect(failedVerdicts(verdicts)).toEqual([]);
  });

  it.each([
    ['p95-create', { byOperation: { create: op(2000) } }, 2000],
    ['p95-status', { byOperation: { status: op(1000) } }, 1000],
    ['p95-get', { byOperation: { get: op(500) } }, 500],
    ['p95-list', { byOperation: { list: op(650) } }, 650],
    ['p95-burst', { byOperation: { burst: op(2500) } }, 2500],
    ['error-rate', { errors: 5, errorRatePct: 0.125 }, 0.125],
    ['dropped', { sent: 4000, dropped: 100 }, 2.439],
    [
      'bursts',
      { bursts: { bursts: 10, allSucceeded: 8, failedCleanly: 0, unclean: 1, duplicateIds: 1 } },
      2,
    ],
  ] as const)('%s fails when its limit is reached (actual %s)', (id, overrides, actual) => {
    // Act
    const verdicts = judgeLoad({ tally: tally(overrides), metrics: metrics(), sla: SLA });

    // Assess
    expect(failedVerdicts(verdicts).map((v) => v.id)).toEqual([id]);
    expect(byId(verdicts, id)?.actual).toBe(actual);
  });

  it('error rate just under 0.1% passes, and the detail names the statuses', () => {
    // Act
    const verdict = byId(
      judgeLoad({
        tally: tally({
          errors: 3,
          errorRatePct: 0.075,
          throttled: 3,
          byStatus: { 200: 3997, 429: 3 },
        }),
        sla: SLA,
      }),
      'error-rate',
    );

    // Assess
    expect(verdict?.verdict).toBe('pass');
    expect(verdict?.detail).toContain('429: 3');
  });

  it.each([
    ['lambda-throttles', { perMinute: 11 }, 'fail'],
    ['lambda-throttles', { perMinute: 10 }, 'pass'],
    ['dynamodb-throttles', { ddb: 1 }, 'fail'],
  ] as const)('CloudWatch %s %j → %s', (id, o, expected) => {
    // Act
    const verdicts = judgeLoad({ tally: tally(), metrics: metrics(o), sla: SLA });

    // Assess
    expect(byId(verdicts, id)?.verdict).toBe(expected);
  });

  it('without CloudWatch the throttle SLAs have no data: never a silent pass', () => {
    // Act
    const verdicts = judgeLoad({ tally: tally(), sla: SLA });

    // Assess
    expect(byId(verdicts, 'lambda-throttles')?.verdict).toBe('no-data');
    expect(byId(verdicts, 'dynamodb-throttles')?.verdict).toBe('no-data');
    expect(failedVerdicts(verdicts)).toEqual([]);
  });

  it('an operation with no answer at all has no p95 to judge', () => {
    // Act
    const verdict = byId(
      judgeLoad({
        tally: tally({
          byOperation: {
            create: op(0, { latencyMs: { count: 0, p50: 0, p95: 0, p99: 0, max: 0 } }),
          },
        }),
        sla: SLA,
      }),
      'p95-create',
    );

    // Assess
    expect(verdict).toMatchObject({ verdict: 'no-data', actual: null });
  });
});

describe('stressVerdict', () => {
  it.each([
    [{ reason: 'failure-point', lastGoodRate: 150, firstBadRate: 200, why: ['x'] }, 'fail'],
    [{ reason: 'failure-point', lastGoodRate: 250, firstBadRate: 300, why: ['x'] }, 'pass'],
    [{ reason: 'max-rate', lastGoodRate: 30, why: [] }, 'no-data'],
    [{ reason: 'max-rate', lastGoodRate: 1000, why: [] }, 'pass'],
    [{ reason: 'duration-cap', lastGoodRate: 200, why: [] }, 'pass'],
    [{ reason: 'interrupted', lastGoodRate: 400, why: [] }, 'no-data'],
  ] as const)('%j → %s', (stop, expected) => {
    // Act
    const verdict = stressVerdict(stop, 200);

    // Assess
    expect(verdict.verdict).toBe(expected);
    expect(verdict.actual).toBe(stop.lastGoodRate);
  });
});
