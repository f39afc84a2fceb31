/**
 * The judgement core of the canary rollout (`promote prod --canary`), after Argo Rollouts'
 * analysis: pure, no I/O — the caller reads CloudWatch (read-window.ts), alarms and smoke, and
 * acts on the verdict. Numbers come from the promotion plan § "Rollback Triggers" and
 * § "CloudWatch Alarms".
 */
import { assertValid } from './assert-samples.js';
import { errorRateVsBaseline, latencyVsBaseline } from './baseline-comparison.js';
import { limit, near, num, reason } from './reason-format.js';

/**
 * `fail` → roll back now; `wait` → no verdict yet, keep baking and ask again;
 * `pass` → healthy so far. Worst wins: fail > wait > pass.
 */
export type Verdict = 'pass' | 'fail' | 'wait';

/** One version's traffic in the analysis window. */
export interface VersionWindow {
  readonly version: string;
  readonly invocations: number;
  readonly errors: number;
  readonly throttles: number;
  /** Per-period average Duration (ms): the samples of the rank test. */
  readonly durationSamples: readonly number[];
  /**
   * p95 latency (ms) by service operation, from the service's EMF metrics for this version;
   * absent = no data. `read` (GET of one order) is not a rollback trigger in the plan — it is
   * journaled and charted as evidence against its alarm (High Duration (Read), p95 > 1 s).
   */
  readonly p95: Readonly<Partial<Record<'create' | 'status' | 'read', number>>>;
  readonly operations: number;
  readonly processingFailures: number;
  readonly eventsPublished: number;
  readonly eventPublishFailures: number;
}

export interface CanarySamples {
  readonly canary: VersionWindow;
  readonly baseline: VersionWindow;
  readonly windowSeconds: number;
  /** Max DLQ depth in the window; undefined = no data (not judged, noted). */
  readonly dlqDepth?: number;
  /** Table ThrottledRequests in the window. */
  readonly dynamoThrottles: number;
  readonly alarmsInAlarm: readonly string[];
  /** `--allow-alarm`: known alarms that must not fail the gate. */
  readonly allowedAlarms: readonly string[];
  readonly criticalSmoke?: { readonly ok: boolean; readonly failed: readonly string[] };
  /** Last analysis of this step's bake: a verdict is due, `wait` is no longer an answer. */
  readonly endOfBake: boolean;
  /**
   * The test environment's own load (the sandbox's `Sandbox/Saturated`): samples in the
   * window and how many found it saturated. Absent in AWS (no such metric).
   */
  readonly hostSaturation?: { readonly saturated: number; readonly samples: number };
}

export interface CanaryThresholds {
  /** Plan: 5. */
  readonly maxErrorRatePct: number;
  /** Plan: 3000. */
  readonly maxP95CreateMs: number;
  /** Plan: 2000 (status updates). */
  readonly maxP95StatusMs: number;
  /** Plan: 10 (rollback trigger; the alarm warns at 5). */
  readonly maxDlqDepth: number;
  /** Plan: 1. */
  readonly maxEventBridgeFailurePct: number;
  /** Plan: 1. */
  readonly maxOrderProcessingFailurePct: number;
  /** Plan: 10. */
  readonly maxThrottlesPerMinute: number;
  /** Plan: 0. */
  readonly maxDynamoThrottles: number;
  /** Canary invocations (or the rate's own denominator) needed in a window to judge a rate. */
  readonly minInvocations: number;
  /**
   * Alpha for both baseline tests, PER ANALYSIS. A prod rollout looks ~45 times (15 + 30 min
   * bakes at 60 s), so the rollout-wide false-rollback rate is up to ~45 × alpha.
   */
  readonly significance: number;
  /** Practical significance for the proportion test, in percentage points. */
  readonly minErrorRateDeltaPct: number;
  /** Canary median / baseline median needed (with significance) to fail on latency. */
  readonly minLatencyRatio: number;
  /**
   * Duration samples needed per version for the rank test. Keep it compatible with
   * `significance`: with n vs n samples the smallest reachable p is ≈ 0.006 at n = 5,
   * 0.0011 at n = 7, 9e-5 at n = 10, 2e-5 at n = 12.
   */
  readonly minLatencySamples: number;
}

/**
 * The plan's limits, plus statistical defaults for the baseline comparison:
 * - alpha 1e-4 PER ANALYSIS: a prod rollout analyses ~45 windows, so the rollout-wide false
 *   rollback rate stays ≤ 0.45% (Bonferroni bound). Simulated same-distribution windows (1%
 *   errors, canary 200–600 invocations vs 9× baseline) fail ~0.01% of the time; at 0.001
 *   ~0.05% (≈ 2% of rollouts), at 0.01 with the z-test ~1.5% (a coin flip per rollout).
 *   Power for 4% vs 1% errors: ~40% per window at the 10% step, ~95% at 50%.
 * - 1 percentage point and ×1.5 as the smallest effects worth a rollback.
 * - 20 invocations before a rate is judged.
 * - 12 duration samples per side: the rank test cannot reach p < 1e-4 below 10.
 */
export const PLAN_THRESHOLDS: CanaryThresholds = Object.freeze({
  maxErrorRatePct: 5,
  maxP95CreateMs: 3000,
  maxP95StatusMs: 2000,
  maxDlqDepth: 10,
  maxEventBridgeFailurePct: 1,
  maxOrderProcessingFailurePct: 1,
  maxThrottlesPerMinute: 10,
  maxDynamoThrottles: 0,
  minInvocations: 20,
  significance: 0.0001,
  minErrorRateDeltaPct: 1,
  minLatencyRatio: 1.5,
  minLatencySamples: 12,
});

export interface Reason {
  /**
   * Stable id: 'error-rate' | 'p95-create' | 'p95-status' | 'dlq-depth' | 'eventbridge-failures'
   * | 'order-processing-failures' | 'throttles' | 'dynamodb-throttles' | 'alarm' |
   * 'critical-smoke' | 'error-rate-vs-baseline' | 'latency-vs-baseline' | 'sample-size' |
   * 'host-saturated'
   */
  readonly trigger: string;
  readonly verdict: Verdict;
  /** The measured number of the limit that decided the verdict (absent when there was none). */
  readonly value?: number;
  /** That limit. */
  readonly threshold?: number;
  /** Human: "canary error rate 12.5% > 5% (5/40 invocations in 60 s)". */
  readonly message: string;
}

export interface Assessment {
  readonly verdict: Verdict;
  readonly reasons: readonly Reason[];
}

const SEVERITY: Record<Verdict, number> = { pass: 0, wait: 1, fail: 2 };

interface RateSpec {
  readonly trigger: string;
  /** "canary error rate" */
  readonly label: string;
  /** "invocations", "operations", "events" */
  readonly unit: string;
  /** "errors", "failures" */
  readonly bad: string;
  readonly count: number;
  readonly total: number;
  readonly maxPct: number;
  /** Too few at the end of the bake fails the canary (only for invocations). */
  readonly exerciseGate: boolean;
}

/**
 * A rate trigger. Judged when its denominator reaches `minInvocations`. Below that it is
 * replaced by a `sample-size` reason, unless the failure is unambiguous: more bad events than
 * `maxPct` of `minInvocations` allows, so even a window padded to the minimum with successes
 * would cross the limit — then it fails under its own trigger.
 */
const rate = (spec: RateSpec, t: CanaryThresholds, samples: CanarySamples): Reason => {
  // count × 100 first: an exact boundary (1/100 at 1%) stays exact in floating point.
  const pct = spec.total > 0 ? (spec.count * 100) / spec.total : 0;
  const window = `${spec.count}/${spec.total} ${spec.unit} in ${num(samples.windowSeconds)} s`;
  const shown = `${spec.label} ${near(pct, spec.maxPct)}%`;
  if (spec.total >= t.minInvocations) {
    return limit(
      spec.trigger,
      pct,
      spec.maxPct,
      (op) => `${shown} ${op} ${num(spec.maxPct)}% (${window})`,
    );
  }
  if (spec.count * 100 > spec.maxPct * t.minInvocations) {
    return reason(
      spec.trigger,
      'fail',
      `${shown} > ${num(spec.maxPct)}% (${window}): unambiguous below the ${t.minInvocations} ${spec.unit} needed — ${spec.count} ${spec.bad} exceed ${num(spec.maxPct)}% of ${t.minInvocations}`,
      pct,
      spec.maxPct,
    );
  }
  const few = `${spec.total} canary ${spec.unit} < ${t.minInvocations} needed to judge the ${spec.label.replace(/^canary /, '')} (${window})`;
  if (!samples.endOfBake)
    return reason('sample-size', 'wait', `${few}; waiting`, spec.total, t.minInvocations);
  if (spec.exerciseGate) {
    return reason(
      'sample-size',
      'fail',
      `${few} at the end of the bake: an unexercised canary is not a healthy one`,
      spec.total,
      t.minInvocations,
    );
  }
  return reason(
    'sample-size',
    'pass',
    `${few} at the end of the bake; not judged`,
    spec.total,
    t.minInvocations,
  );
};

const p95 = (
  trigger: string,
  operation: 'create' | 'status',
  max: number,
  samples: CanarySamples,
): Reason => {
  const value = samples.canary.p95[operation];
  if (value === undefined) {
    const note =
      samples.endOfBake && samples.canary.invocations > 0
        ? ` although the canary served ${samples.canary.invocations} invocations by the end of the bake`
        : '';
    return reason(trigger, 'pass', `canary p95 ${operation}: no data${note}; not judged`);
  }
  return limit(
    trigger,
    value,
    max,
    (op) => `canary p95 ${operation} ${near(value, max)} ms ${op} ${num(max)} ms`,
  );
};

const alarms = (samples: CanarySamples): Reason[] => {
  if (samples.alarmsInAlarm.length === 0) return [reason('alarm', 'pass', 'no alarm in ALARM')];
  const allowed = new Set(samples.allowedAlarms);
  return samples.alarmsInAlarm.map((name) =>
    allowed.has(name)
      ? reason('alarm', 'pass', `alarm ${name} is in ALARM but allowed (--allow-alarm)`)
      : reason('alarm', 'fail', `alarm ${name} is in ALARM`),
  );
};

const smoke = (samples: CanarySamples): Reason => {
  const s = samples.criticalSmoke;
  if (s === undefined)
    return reason('critical-smoke', 'pass', 'critical smoke: not run in this window');
  if (s.ok) return reason('critical-smoke', 'pass', 'critical smoke passed');
  const which = s.failed.length > 0 ? `: ${s.failed.join(', ')}` : '';
  return reason(
    'critical-smoke',
    'fail',
    `critical smoke failed (${s.failed.length} test${s.failed.length === 1 ? '' : 's'})${which}`,
    s.failed.length,
    0,
  );
};

/**
 * Judges one analysis window of a canary step.
 *
 * - **Worst verdict wins**: fail > wait > pass. `reasons` lists every trigger in a fixed order
 *   (passing ones too, so a report can show what was checked) — filter on `verdict` for causes.
 * - **Fixed thresholds** (the plan's) apply to the CANARY window only: strictly greater than
 *   the threshold fails, equal passes ("> 5%"). Throttles per minute = throttles × 60 /
 *   windowSeconds. DLQ depth and DynamoDB throttles are not per version: judged as read.
 * - **Rates** (error rate over invocations, order-processing failures over operations,
 *   EventBridge failures over published + failed events) are judged once their denominator
 *   reaches `minInvocations`. Below that, an unambiguous failure still fails under its own
 *   trigger (more bad events than `maxPct` of `minInvocations` allows); otherwise the trigger is
 *   replaced by a `sample-size` reason: `wait` mid-bake; at `endOfBake` `fail` for too few
 *   canary invocations ("an unexercised canary is not a healthy one") and `pass` (noted, not
 *   judged) for too few operations or events of an exercised canary.
 * - **Missing data** is noted, never guessed: absent p95 and undefined DLQ depth pass with a
 *   "no data … not judged" message (at end of bake the p95 note says the canary had traffic).
 * - **Alarms**: each alarm in ALARM not in `allowedAlarms` fails (one reason per alarm); allowed
 *   ones pass with a note. **Critical smoke** `ok: false` fails naming the failed tests.
 * - **Baseline comparisons** (both need statistical AND practical significance, so noise from
 *   one distribution does not fail): errors fail when the one-sided Fisher exact test (exact
 *   version of the two-proportion test; z is quoted) gives p < significance and
 *   canary − baseline ≥ minErrorRateDeltaPct points (judged with
 *   ≥ minInvocations on both sides); latency fails when the one-sided Mann–Whitney test on
 *   `durationSamples` gives p < significance and median ratio ≥ minLatencyRatio (judged with
 *   ≥ minLatencySamples on both sides). Not judged → pass with a note.
 * - At `endOfBake` the verdict is never `wait` — except when `hostSaturation` says the test
 *   environment itself was saturated in the window: then every `fail` becomes `wait` with a
 *   `host-saturated` reason first, since the window measured the machine, not the release.
 *
 * @throws RangeError when windowSeconds is not positive or a count, p95 or duration sample is
 *   negative or not finite (a bug in the reader, not a canary's health).
 */
export const assess = (samples: CanarySamples, thresholds: CanaryThresholds): Assessment => {
  assertValid(samples);
  const t = thresholds;
  const c = samples.canary;
  const perMinute = (c.throttles * 60) / samples.windowSeconds;
  const reasons: Reason[] = [
    rate(
      {
        trigger: 'error-rate',
        label: 'canary error rate',
        unit: 'invocations',
        bad: 'errors',
        count: c.errors,
        total: c.invocations,
        maxPct: t.maxErrorRatePct,
        exerciseGate: true,
      },
      t,
      samples,
    ),
    p95('p95-create', 'create', t.maxP95CreateMs, samples),
    p95('p95-status', 'status', t.maxP95StatusMs, samples),
    samples.dlqDepth === undefined
      ? reason('dlq-depth', 'pass', 'DLQ depth: no data; not judged')
      : limit(
          'dlq-depth',
          samples.dlqDepth,
          t.maxDlqDepth,
          (op) => `DLQ depth ${num(samples.dlqDepth!)} ${op} ${num(t.maxDlqDepth)} messages`,
        ),
    rate(
      {
        trigger: 'eventbridge-failures',
        label: 'canary EventBridge failure rate',
        unit: 'events',
        bad: 'failures',
        count: c.eventPublishFailures,
        total: c.eventsPublished + c.eventPublishFailures,
        maxPct: t.maxEventBridgeFailurePct,
        exerciseGate: false,
      },
      t,
      samples,
    ),
    rate(
      {
        trigger: 'order-processing-failures',
        label: 'canary order processing failure rate',
        unit: 'operations',
        bad: 'failures',
        count: c.processingFailures,
        total: c.operations,
        maxPct: t.maxOrderProcessingFailurePct,
        exerciseGate: false,
      },
      t,
      samples,
    ),
    limit(
      'throttles',
      perMinute,
      t.maxThrottlesPerMinute,
      (op) =>
        `canary throttles ${near(perMinute, t.maxThrottlesPerMinute)}/min ${op} ${num(t.maxThrottlesPerMinute)}/min (${c.throttles} in ${num(samples.windowSeconds)} s)`,
    ),
    limit(
      'dynamodb-throttles',
      samples.dynamoThrottles,
      t.maxDynamoThrottles,
      (op) =>
        `DynamoDB throttled requests ${num(samples.dynamoThrottles)} ${op} ${num(t.maxDynamoThrottles)} in ${num(samples.windowSeconds)} s`,
    ),
    ...alarms(samples),
    smoke(samples),
    errorRateVsBaseline(samples, t),
    latencyVsBaseline(samples, t),
  ];
  const saturation = samples.hostSaturation;
  if (saturation && saturation.saturated > 0) {
    // The machine, not the release, was the bottleneck: latency, throttles and the alarms on
    // them measure the sandbox. Nothing in this window is a verdict — not even at end of bake
    // (the canary step extends the bake instead).
    return {
      verdict: 'wait',
      reasons: [
        reason(
          'host-saturated',
          'wait',
          `the test environment itself was saturated in ${saturation.saturated} of ${saturation.samples} samples (CPU or event loop past its limit): this window is not evidence about the release`,
          saturation.saturated,
          0,
        ),
        ...reasons.map((r) =>
          r.verdict === 'fail'
            ? { ...r, verdict: 'wait' as const, message: `${r.message} (not judged: saturated)` }
            : r,
        ),
      ],
    };
  }
  const verdict = reasons.reduce<Verdict>(
    (worst, r) => (SEVERITY[r.verdict] > SEVERITY[worst] ? r.verdict : worst),
    'pass',
  );
  return { verdict, reasons };
};
