import { PLAN_THRESHOLDS } from '../canary/assess.js';
import type { Plan } from '../plans/plans.js';
import type { ServiceMetrics } from './load-metrics.js';
import type { LoadOperation } from './load-mix.js';
import type { TallySummary } from './load-tally.js';

/**
 * The limits a load run is judged by, all taken from where the plan's numbers already
 * live — `Plan.sla` (§ Critical Checks, § Success Criteria) and the canary's
 * `PLAN_THRESHOLDS` (§ CloudWatch Alarms, § Rollback Triggers) — and the pure judgement
 * of one run against them: one verdict per SLA, each saying what it measured.
 */
export interface LoadSla {
  /** p95 limit per operation: create/burst → create, status/cancel → status, get/list → read. */
  readonly p95Ms: Readonly<Record<LoadOperation, number>>;
  /** Plan § Success Criteria: error rate < 0.1%. */
  readonly maxErrorRatePct: number;
  /** Plan § CloudWatch Alarms "Throttling": > 10 throttles/min alarms. */
  readonly maxLambdaThrottlesPerMinute: number;
  /** Plan § CloudWatch Alarms "DynamoDB Throttling": > 0 alarms. */
  readonly maxDynamoThrottles: number;
  /**
   * Where `--stress` calls the service broken: errors past the plan's rollback trigger
   * "Order processing failure rate > 1%" (or a p95 past the SLA above).
   */
  readonly stressMaxErrorRatePct: number;
  /**
   * Not the plan's: the share of scheduled requests the runner may drop (in-flight cap)
   * before a run no longer measured the rate it was asked for.
   */
  readonly maxDroppedPct: number;
}

export const loadSla = (plan: Pick<Plan, 'sla'>): LoadSla => {
  const { createP95Ms, statusP95Ms, readP95Ms, maxErrorRatePct } = plan.sla;
  return {
    p95Ms: {
      create: createP95Ms,
      burst: createP95Ms,
      status: statusP95Ms,
      cancel: statusP95Ms,
      get: readP95Ms,
      list: readP95Ms,
    },
    maxErrorRatePct,
    maxLambdaThrottlesPerMinute: PLAN_THRESHOLDS.maxThrottlesPerMinute,
    maxDynamoThrottles: PLAN_THRESHOLDS.maxDynamoThrottles,
    stressMaxErrorRatePct: PLAN_THRESHOLDS.maxOrderProcessingFailurePct,
    maxDroppedPct: 1,
  };
};

export type SlaStatus = 'pass' | 'fail' | 'no-data';

export interface SlaVerdict {
  /**
   * Stable: `p95-<operation>`, `error-rate`, `dropped`, `bursts`, `lambda-throttles`,
   * `dynamodb-throttles`; a stress run's `capacity`.
   */
  readonly id: string;
  readonly title: string;
  /** Where the limit comes from. */
  readonly source: string;
  readonly limit: number;
  readonly actual: number | null;
  readonly unit: 'ms' | '%' | 'per minute' | 'count' | 'req/s';
  readonly verdict: SlaStatus;
  readonly detail: string;
}

const P95_SOURCE: Record<LoadOperation, string> = {
  create: 'plan § Critical Checks: create',
  burst: 'plan § Critical Checks: create (concurrent creates)',
  status: 'plan § Critical Checks: status',
  cancel: 'plan § Critical Checks: status (a cancel is a status change)',
  get: 'plan § Critical Checks: read',
  list: 'plan § Critical Checks: read',
};

const pct = (part: number, whole: number) =>
  whole > 0 ? Math.round((part / whole) * 100 * 1000) / 1000 : 0;

/**
 * Judges a run: p95 per operation that ran, error rate, dropped share, burst integrity and,
 * when CloudWatch could be read, Lambda and DynamoDB throttles. `fail` when a limit is
 * crossed; `no-data` when there was nothing to judge (never a pass by default).
 */
export const judgeLoad = (input: {
  readonly tally: TallySummary;
  readonly metrics?: ServiceMetrics;
  readonly sla: LoadSla;
}): SlaVerdict[] => {
  const { tally, metrics, sla } = input;
  const verdicts: SlaVerdict[] = [];
  for (const [op, s] of Object.entries(tally.byOperation) as [
    LoadOperation,
    NonNullable<TallySummary['byOperation'][LoadOperation]>,
  ][]) {
    const limit = sla.p95Ms[op];
    const answered = s.latencyMs.count;
    const actual = answered > 0 ? s.latencyMs.p95 : null;
    verdicts.push({
      id: `p95-${op}`,
      title: `p95 ${op} < ${limit} ms`,
      source: P95_SOURCE[op],
      limit,
      actual,
      unit: 'ms',
      verdict: actual === null ? 'no-data' : actual < limit ? 'pass' : 'fail',
      detail:
        actual === null
          ? `no ${op} request was answered`
          : `p95 ${actual} ms over ${answered} answers (p99 ${s.latencyMs.p99} ms, max ${s.latencyMs.max} ms)`,
    });
  }
  const completed = tally.sent - tally.aborted;
  verdicts.push({
    id: 'error-rate',
    title: `error rate < ${sla.maxErrorRatePct}%`,
    source: 'plan § Success Criteria (PROD): error rate',
    limit: sla.maxErrorRatePct,
    actual: completed > 0 ? tally.errorRatePct : null,
    unit: '%',
    verdict:
      completed === 0 ? 'no-data' : tally.errorRatePct < sla.maxErrorRatePct ? 'pass' : 'fail',
    detail: `${tally.errors} of ${completed} requests failed (429: ${tally.throttled}, timeouts: ${tally.timeouts}, network: ${tally.networkErrors}, statuses ${JSON.stringify(tally.byStatus)})`,
  });
  const scheduled = tally.sent + tally.dropped;
  const droppedPct = pct(tally.dropped, scheduled);
  verdicts.push({
    id: 'dropped',
    title: `dropped ≤ ${sla.maxDroppedPct}% (the rate was delivered)`,
    source: 'load runner: more dropped means the run did not offer the asked rate',
    limit: sla.maxDroppedPct,
    actual: scheduled > 0 ? droppedPct : null,
    unit: '%',
    verdict: scheduled === 0 ? 'no-data' : droppedPct <= sla.maxDroppedPct ? 'pass' : 'fail',
    detail: `${tally.dropped} of ${scheduled} scheduled requests could not start (in-flight cap)`,
  });
  const b = tally.bursts;
  if (b.bursts > 0) {
    const bad = b.unclean + b.duplicateIds;
    verdicts.push({
      id: 'bursts',
      title: 'concurrent creates succeed or fail cleanly',
      source: 'plan § Week 2: test concurrent order creation (race conditions)',
      limit: 0,
      actual: bad,
      unit: 'count',
      verdict: bad === 0 ? 'pass' : 'fail',
      detail: `${b.bursts} bursts: ${b.allSucceeded} all created, ${b.failedCleanly} refused cleanly, ${b.unclean} unclean, ${b.duplicateIds} with a duplicate order id`,
    });
  }
  const lambdaThrottles = metrics?.lambda.throttlesPerMinuteMax.value ?? null;
  verdicts.push({
    id: 'lambda-throttles',
    title: `Lambda throttles ≤ ${sla.maxLambdaThrottlesPerMinute}/min`,
    source: 'plan § CloudWatch Alarms: Throttling',
    limit: sla.maxLambdaThrottlesPerMinute,
    actual: lambdaThrottles,
    unit: 'per minute',
    verdict:
      lambdaThrottles === null
        ? 'no-data'
        : lambdaThrottles <= sla.maxLambdaThrottlesPerMinute
          ? 'pass'
          : 'fail',
    detail: metrics
      ? `worst minute ${lambdaThrottles}, ${metrics.lambda.throttles.value} in the window`
      : 'CloudWatch not read',
  });
  const dynamo = metrics
    ? Math.max(
        metrics.dynamodb.throttledRequests.value ?? 0,
        (metrics.dynamodb.readThrottleEvents.value ?? 0) +
          (metrics.dynamodb.writeThrottleEvents.value ?? 0),
      )
    : null;
  verdicts.push({
    id: 'dynamodb-throttles',
    title: `DynamoDB throttles ≤ ${sla.maxDynamoThrottles}`,
    source: 'plan § CloudWatch Alarms: DynamoDB Throttling',
    limit: sla.maxDynamoThrottles,
    actual: dynamo,
    unit: 'count',
    verdict: dynamo === null ? 'no-data' : dynamo <= sla.maxDynamoThrottles ? 'pass' : 'fail',
    detail: metrics
      ? `ThrottledRequests ${metrics.dynamodb.throttledRequests.value}, ReadThrottleEvents ${metrics.dynamodb.readThrottleEvents.value}, WriteThrottleEvents ${metrics.dynamodb.writeThrottleEvents.value}`
      : 'CloudWatch not read',
  });
  return verdicts;
};

/** The verdicts that failed (the run's exit code is non-zero when there is one). */
export const failedVerdicts = (verdicts: readonly SlaVerdict[]): SlaVerdict[] =>
  verdicts.filter((v) => v.verdict === 'fail');

/** Plan § Week 2: "Run load test: 200 req/sec for 15 minutes" — `promote load`'s defaults. */
export const PLAN_LOAD_TEST = Object.freeze({ rate: 200, durationMs: 15 * 60_000 });
