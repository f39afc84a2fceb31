import { PromoteError } from '../errors.js';
import type { CanarySpec } from '../plans/canary-spec.js';
import type { StepContext } from '../steps/step-context.js';
import { PLAN_THRESHOLDS } from './assess.js';
import { healthEvent } from './invoke-health.js';
import { readAliasRate } from './read-window.js';
import { estimateCanarySample } from './sample-estimate.js';

/**
 * What the canary checks once, before it shifts any traffic: that the bakes can be judged
 * at today's traffic, and that the new version answers at all (warming its instances).
 */

const pct = (weight: number) => Math.round(weight * 100);

/** Instances warmed before the first shift, so customers do not pay the cold starts. */
const WARM_INVOCATIONS = 4;

/**
 * Invokes the new version directly, a few at once, before it takes any traffic: its
 * instances are warm when the first customers arrive, and a version that cannot answer
 * health at all is stopped here, with nothing shifted.
 */
export const warmUp = async (ctx: StepContext, candidate: string) => {
  const results = await Promise.all(
    Array.from({ length: WARM_INVOCATIONS }, () =>
      ctx.apis.lambda.invoke(candidate, healthEvent()),
    ),
  );
  const failed = results.filter((r) => r.functionError);
  ctx.record.evidence.warmUp = { invocations: results.length, failed: failed.length };
  // Every one failing means the version cannot serve at all; some failing is for the
  // analyses to judge with real traffic and a baseline to compare with.
  if (failed.length === results.length) {
    throw new PromoteError(
      'deploy_failed',
      'CANARY_WARMUP_FAILED',
      `version ${candidate} failed every warm-up invocation before taking traffic: ${failed[0]?.payload.slice(0, 300)}`,
    );
  }
  ctx.progress(`version ${candidate} warmed (${WARM_INVOCATIONS} instances answered health)`);
};

/** The operator's `--allow-low-traffic --reason …`, as journaled with the run's inputs. */
const LOW_TRAFFIC_SKIP = 'canary-sample-estimate';

/**
 * Before any shift: can the bakes be judged at today's traffic? If a bake's analyses cannot
 * reach the minimum sample, stop now with what would work, rather than bake for the full
 * time and fail on sample size — unless the operator insisted (journaled).
 */
export const requireJudgeable = async (ctx: StepContext, spec: CanarySpec) => {
  const lookbackSeconds = Math.max(spec.windowSeconds, 3 * spec.analysisIntervalSeconds);
  const ratePerSecond = await readAliasRate({
    cloudwatch: ctx.apis.cloudwatch,
    env: ctx.plan.env,
    lookbackSeconds,
    now: ctx.options.now?.() ?? new Date(),
  });
  const estimate = estimateCanarySample({
    ratePerSecond,
    spec,
    minInvocations: PLAN_THRESHOLDS.minInvocations,
  });
  ctx.record.evidence.sampleEstimate = { ...estimate, lookbackSeconds };
  if (estimate.ok) {
    ctx.progress(
      `traffic ${ratePerSecond.toFixed(1)} req/s over ${lookbackSeconds} s: ${estimate.steps.map((s) => `~${Math.floor(s.expected)} canary invocations per window at ${pct(s.weight)}%`).join(', ')}`,
    );
    return;
  }
  const short = estimate.steps.filter((s) => s.expected < PLAN_THRESHOLDS.minInvocations);
  const what = short.map((s) => `~${Math.floor(s.expected)} at ${pct(s.weight)}%`).join(', ');
  const message = `at ${ratePerSecond.toFixed(1)} req/s (measured over ${lookbackSeconds} s) the canary would see ${what} invocations per ${spec.windowSeconds} s analysis window, fewer than the ${PLAN_THRESHOLDS.minInvocations} an analysis needs`;
  const insisted = ctx.journal.inputs?.skips?.find((s) => s.what === LOW_TRAFFIC_SKIP);
  if (insisted) {
    ctx.io.warn(
      'CANARY_LOW_TRAFFIC',
      `${message}; going on (--allow-low-traffic: ${insisted.reason})`,
    );
    return;
  }
  throw new PromoteError(
    'preflight_blocked',
    'CANARY_CANNOT_JUDGE',
    `${message}; no traffic was shifted`,
    `any of: ${estimate.remedies.join('; ')}; or --allow-low-traffic --reason "…" to bake anyway`,
    { estimate },
  );
};
