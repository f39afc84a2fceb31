import type { LoadOperation } from './load-mix.js';
import type { LoadPhase, LoadRunner, PhaseResult } from './load-runner.js';
import {
  decideStress,
  judgeStep,
  type StepJudgement,
  type StepLimits,
  type StressSchedule,
  type StressStop,
} from './stress-steps.js';

/**
 * Runs a load test (one phase) or a stress test (a phase per step, until `decideStress`
 * says stop) on a runner. The stopping logic is the pure code of stress-steps.ts; this only
 * turns a measured phase into its observation and asks.
 */

export type LoadPlan =
  | { readonly kind: 'load'; readonly phase: LoadPhase }
  | {
      readonly kind: 'stress';
      readonly schedule: StressSchedule;
      readonly stepDurationMs: number;
      /** The first step's ramp; later steps start from the previous step's rate. */
      readonly firstRampMs: number;
      readonly limits: StepLimits;
    };

export interface PhasesOutcome {
  readonly phases: readonly (PhaseResult & { readonly judgement?: StepJudgement })[];
  readonly stop?: StressStop;
  readonly interrupted: boolean;
}

/** p95 of each operation that got answers in a phase. */
const p95sOf = (result: PhaseResult): Partial<Record<LoadOperation, number>> =>
  Object.fromEntries(
    Object.entries(result.tally.byOperation)
      .filter(([, s]) => s.latencyMs.count > 0)
      .map(([op, s]) => [op, s.latencyMs.p95]),
  );

export const runLoadPlan = async (input: {
  readonly runner: LoadRunner;
  readonly plan: LoadPlan;
  readonly signal?: AbortSignal;
  /** After each stress step, with its judgement (for the step's progress line). */
  readonly onStep?: (result: PhaseResult, judgement: StepJudgement | undefined) => void;
}): Promise<PhasesOutcome> => {
  const { runner, plan, signal } = input;
  if (plan.kind === 'load') {
    const result = await runner.runPhase(plan.phase);
    return { phases: [result], interrupted: result.interrupted };
  }
  const phases: (PhaseResult & { judgement?: StepJudgement })[] = [];
  const judged: StepJudgement[] = [];
  let interrupted = false;
  for (;;) {
    const decision = decideStress(plan.schedule, judged, interrupted);
    if ('stop' in decision) return { phases, stop: decision.stop, interrupted };
    const result = await runner.runPhase({
      rate: decision.run,
      durationMs: plan.stepDurationMs,
      rampMs: phases.length === 0 ? plan.firstRampMs : 0,
    });
    interrupted = result.interrupted || signal?.aborted === true;
    const judgement = interrupted
      ? undefined
      : judgeStep(
          {
            rate: decision.run,
            sent: result.tally.sent,
            dropped: result.tally.dropped,
            errors: result.tally.errors,
            errorRatePct: result.tally.errorRatePct,
            p95Ms: p95sOf(result),
            interrupted,
          },
          plan.limits,
        );
    if (judgement) judged.push(judgement);
    phases.push(judgement ? { ...result, judgement } : result);
    input.onStep?.(result, judgement);
  }
};
