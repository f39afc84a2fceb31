import type { CanarySpec } from '../plans/canary-spec.js';

/** What one bake can be expected to see, from the traffic measured before the shift. */
export interface StepEstimate {
  readonly weight: number;
  /** Canary invocations expected in one analysis window (at most the bake). */
  readonly expected: number;
}

export interface SampleEstimate {
  /** Every bake can reach the minimum sample in a window. */
  readonly ok: boolean;
  readonly ratePerSecond: number;
  readonly steps: readonly StepEstimate[];
  /** What would work, for the message: each alone is enough. */
  readonly remedies: readonly string[];
}

const fmt = (n: number) => (n >= 10 ? n.toFixed(0) : n.toFixed(1));

/**
 * Will the canary's analyses have enough invocations to judge? Before any shift: the stable
 * version's rate × the step's weight × the analysis window (never more than the bake) must
 * reach `minInvocations`, else every analysis of that bake waits and the bake ends failing
 * on sample size — known now, not 15 minutes later. Pure; table-tested.
 */
export const estimateCanarySample = (input: {
  readonly ratePerSecond: number;
  readonly spec: CanarySpec;
  readonly minInvocations: number;
}): SampleEstimate => {
  const { ratePerSecond, spec, minInvocations } = input;
  const steps = spec.steps.map((s) => ({
    weight: s.weight,
    expected: ratePerSecond * s.weight * Math.min(spec.windowSeconds, s.bakeSeconds),
  }));
  const short = steps.filter((s) => s.expected < minInvocations);
  if (short.length === 0) return { ok: true, ratePerSecond, steps, remedies: [] };
  const weakest = Math.min(...short.map((s) => s.weight));
  const neededWindow = ratePerSecond > 0 ? minInvocations / (ratePerSecond * weakest) : Infinity;
  const neededRate = minInvocations / (weakest * spec.windowSeconds);
  const remedies = [
    ...(Number.isFinite(neededWindow)
      ? [
          `an analysis window (and bakes) of at least ${Math.ceil(neededWindow)} s (--analysis-window; now ${fmt(spec.windowSeconds)} s)`,
        ]
      : []),
    `at least ${fmt(neededRate)} req/s of traffic on the function (now ${fmt(ratePerSecond)} req/s)`,
  ];
  return { ok: false, ratePerSecond, steps, remedies };
};
