/**
 * The prod plan's traffic shifting (§ Step 6) as data, Argo Rollouts style: a list of
 * weights with their bakes; the final 100% moves `FunctionVersion` and clears the weights.
 * The plan writes `AdditionalVersionWeights={"$LATEST"=0.1}`, which AWS rejects (an alias
 * can only weight published versions): the new published version is weighted instead.
 */
export interface CanaryStep {
  /** Share of traffic on the new version, 0 < weight < 1. */
  readonly weight: number;
  /** How long to watch this weight before the next, in seconds. */
  readonly bakeSeconds: number;
}

export interface CanarySpec {
  readonly steps: readonly CanaryStep[];
  /** How often CloudWatch is read and the triggers are evaluated during a bake. */
  readonly analysisIntervalSeconds: number;
  /** Width of the analysis window (the last N seconds), at least one interval. */
  readonly windowSeconds: number;
}

export const PROD_CANARY: CanarySpec = {
  steps: [
    { weight: 0.1, bakeSeconds: 15 * 60 },
    { weight: 0.5, bakeSeconds: 30 * 60 },
  ],
  analysisIntervalSeconds: 60,
  windowSeconds: 300,
};

/** `--bake-scale 0.01` and friends: the same shape, compressed for the sandbox and tests. */
export const scaleCanary = (
  spec: CanarySpec,
  overrides: { bakeScale?: number; intervalSeconds?: number; windowSeconds?: number },
): CanarySpec => {
  const scale = overrides.bakeScale ?? 1;
  const interval = overrides.intervalSeconds ?? Math.max(1, spec.analysisIntervalSeconds * scale);
  return {
    steps: spec.steps.map((s) => ({
      ...s,
      bakeSeconds: Math.max(interval, s.bakeSeconds * scale),
    })),
    analysisIntervalSeconds: interval,
    windowSeconds: overrides.windowSeconds ?? Math.max(interval, spec.windowSeconds * scale),
  };
};
