import type { RunJournal, StepRecord } from '../journal/run-journal.js';

const pct = (weight: number): number => Math.round(weight * 1000) / 10;

/** Where a canary is, as the live view's header shows it. */
export interface LiveCanary {
  readonly candidate: string;
  readonly stable: string;
  /** The plan's weights in percent (after `--bake-scale`), e.g. [10, 50]. */
  readonly steps: readonly number[];
  /** Percent of traffic on the candidate now: 0 before the first shift or after a rollback. */
  readonly weightPct: number;
  /** When the current weight's bake is due to end (ISO), while baking. */
  readonly bakeEndsAt?: string;
  /** Seconds left in that bake (0 once due: the last analysis is being made or extended). */
  readonly secondsLeft?: number;
  readonly analyses: number;
  /** The percent the run paused before (`--pause-before`), while paused. */
  readonly pausedBefore?: number;
  readonly lastVerdict?: {
    readonly at: string;
    readonly weightPct: number;
    readonly verdict: string;
    readonly reasons: readonly string[];
  };
}

/** What `promote watch` shows above the report: the run's state at a glance. */
export interface LiveView {
  readonly runId: string;
  readonly env: string;
  readonly command: string;
  readonly status: string;
  readonly actor: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  /** The step running (or paused, or the one that failed; the last one once done). */
  readonly step?: { readonly title: string; readonly state: string };
  readonly canary?: LiveCanary;
  /** A canary is baking in this run: the only time an abort can be asked for. */
  readonly abortable: boolean;
  readonly error?: { readonly code: string; readonly message: string };
}

const currentStep = (steps: readonly StepRecord[]): StepRecord | undefined =>
  steps.find((s) => s.state === 'running' || s.state === 'paused') ??
  steps.findLast((s) => s.state === 'failed') ??
  steps.findLast((s) => s.state !== 'pending');

const canaryOf = (journal: RunJournal, now: Date): LiveCanary | undefined => {
  const progress = journal.canary;
  if (!progress) return undefined;
  const spec = journal.inputs?.canary;
  const steps = spec?.steps ?? [];
  const baking = journal.status === 'running' && progress.stepStartedAt !== undefined;
  const step = steps[progress.stepIndex];
  let weightPct = 0;
  if (journal.status === 'succeeded' && journal.versions.after === progress.candidate)
    weightPct = 100;
  else if (journal.status === 'running' || journal.status === 'paused') {
    // Between weights the previous one stays on until the next shift.
    const onNow = baking ? step : steps[progress.stepIndex - 1];
    weightPct = onNow ? pct(onNow.weight) : 0;
  }
  const last = progress.analyses.at(-1);
  const bakeEnd =
    baking && step
      ? Date.parse(progress.stepStartedAt as string) + step.bakeSeconds * 1000
      : undefined;
  return {
    candidate: progress.candidate,
    stable: progress.stable,
    steps: steps.map((s) => pct(s.weight)),
    weightPct,
    ...(bakeEnd !== undefined && Number.isFinite(bakeEnd)
      ? {
          bakeEndsAt: new Date(bakeEnd).toISOString(),
          secondsLeft: Math.max(0, Math.ceil((bakeEnd - now.getTime()) / 1000)),
        }
      : {}),
    analyses: progress.analyses.length,
    ...(progress.pausedBefore !== undefined ? { pausedBefore: progress.pausedBefore } : {}),
    ...(last
      ? {
          lastVerdict: {
            at: last.at,
            weightPct: pct(last.weight),
            verdict: last.verdict,
            reasons: last.reasons.map((r) => `[${r.trigger}] ${r.message}`),
          },
        }
      : {}),
  };
};

/**
 * The live view of a run, from its journal alone (the same file the run writes after
 * every step and analysis). Pure: `now` is given, so the time left is testable.
 */
export const liveView = (journal: RunJournal, now: Date): LiveView => {
  const step = currentStep(journal.steps);
  const canary = canaryOf(journal, now);
  const canaryRunning = journal.steps.some((s) => s.kind === 'canary' && s.state === 'running');
  return {
    runId: journal.runId,
    env: journal.env,
    command: journal.command,
    status: journal.status,
    actor: journal.actor,
    startedAt: journal.startedAt,
    ...(journal.finishedAt ? { finishedAt: journal.finishedAt } : {}),
    ...(step ? { step: { title: step.title, state: step.state } } : {}),
    ...(canary ? { canary } : {}),
    abortable: journal.status === 'running' && canaryRunning,
    ...(journal.error
      ? { error: { code: journal.error.code, message: journal.error.message } }
      : {}),
  };
};
