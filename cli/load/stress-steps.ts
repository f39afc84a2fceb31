import type { LoadOperation } from './load-mix.js';

/**
 * `promote load --stress` as pure functions (the plan's "gradual increase to failure
 * point"): the rates to try, the judgement of one step, and whether to go on. Table-tested;
 * the command only runs the steps these functions ask for.
 */

export interface StressOptions {
  readonly startRate: number;
  readonly stepRate: number;
  readonly maxRate: number;
  readonly stepDurationMs: number;
  /** The whole stress run never lasts longer than this (steps beyond it are not planned). */
  readonly maxTotalMs: number;
}

export interface StressSchedule {
  /** start, start + step, … ≤ maxRate, as many as fit in maxTotalMs. */
  readonly rates: readonly number[];
  /** Rates ≤ maxRate that the total-duration cap left out. */
  readonly cutByTimeCap: number;
}

/** The rates to try, in order. Throws RangeError on inputs that plan no step. */
export const stressSchedule = (o: StressOptions): StressSchedule => {
  if (!(o.startRate > 0)) throw new RangeError('--start must be > 0');
  if (!(o.stepRate > 0)) throw new RangeError('--step must be > 0');
  if (!(o.maxRate >= o.startRate)) throw new RangeError('--max-rate must be ≥ --start');
  if (!(o.stepDurationMs > 0)) throw new RangeError('--step-duration must be > 0');
  const all: number[] = [];
  // Integer steps from the start: no floating drift (50, 100, 150 — never 149.99999).
  for (let i = 0; o.startRate + i * o.stepRate <= o.maxRate + 1e-9; i += 1) {
    all.push(Math.round((o.startRate + i * o.stepRate) * 1000) / 1000);
  }
  const fit = Math.max(1, Math.floor(o.maxTotalMs / o.stepDurationMs));
  const rates = all.slice(0, fit);
  return { rates, cutByTimeCap: all.length - rates.length };
};

/** What one step measured (requests it started, and their outcomes). */
export interface StepObservation {
  readonly rate: number;
  readonly sent: number;
  readonly dropped: number;
  readonly errors: number;
  /** errors / completed requests, percent. */
  readonly errorRatePct: number;
  /** p95 per operation that was answered, ms. */
  readonly p95Ms: Readonly<Partial<Record<LoadOperation, number>>>;
  /** Ctrl-C cut the step: it is not judged. */
  readonly interrupted: boolean;
}

export interface StepLimits {
  readonly maxErrorRatePct: number;
  readonly maxDroppedPct: number;
  readonly p95Ms: Readonly<Record<LoadOperation, number>>;
}

export interface StepJudgement {
  readonly rate: number;
  readonly ok: boolean;
  /** Each limit crossed, with by how much; empty when ok. */
  readonly why: readonly string[];
}

/** A step fails when errors pass the limit, a p95 passes its SLA, or the runner had to drop. */
export const judgeStep = (o: StepObservation, limits: StepLimits): StepJudgement => {
  const why: string[] = [];
  if (o.errorRatePct > limits.maxErrorRatePct) {
    why.push(`errors ${o.errorRatePct}% > ${limits.maxErrorRatePct}% (${o.errors} of ${o.sent})`);
  }
  for (const [op, p95] of Object.entries(o.p95Ms) as [LoadOperation, number][]) {
    const limit = limits.p95Ms[op];
    if (p95 >= limit) why.push(`p95 ${op} ${p95} ms ≥ ${limit} ms`);
  }
  const scheduled = o.sent + o.dropped;
  const droppedPct = scheduled > 0 ? (o.dropped / scheduled) * 100 : 0;
  if (droppedPct > limits.maxDroppedPct) {
    why.push(
      `${o.dropped} of ${scheduled} requests dropped (${Math.round(droppedPct * 10) / 10}% > ${limits.maxDroppedPct}%): answers too slow for the in-flight cap`,
    );
  }
  return { rate: o.rate, ok: why.length === 0, why };
};

export type StopReason =
  /** A step failed: the failure point is between the last good rate and this one. */
  | 'failure-point'
  /** Every rate up to --max-rate passed: no failure point below it. */
  | 'max-rate'
  /** Every planned rate passed, but the duration cap left higher rates out. */
  | 'duration-cap'
  | 'interrupted';

export interface StressStop {
  readonly reason: StopReason;
  /** The highest rate whose step passed (undefined when none did). */
  readonly lastGoodRate?: number;
  /** The rate whose step failed (only for `failure-point`). */
  readonly firstBadRate?: number;
  readonly why: readonly string[];
}

export type StressDecision = { readonly run: number } | { readonly stop: StressStop };

/**
 * After each step: the next rate, or why to stop. `judged` are the steps so far in order;
 * an interrupted step ends the run without a judgement of its own.
 */
export const decideStress = (
  schedule: StressSchedule,
  judged: readonly StepJudgement[],
  interrupted: boolean,
): StressDecision => {
  const good = judged.filter((j) => j.ok);
  const lastGood = good.length ? good[good.length - 1]!.rate : undefined;
  const withGood = lastGood !== undefined ? { lastGoodRate: lastGood } : {};
  if (interrupted) {
    return { stop: { reason: 'interrupted', ...withGood, why: ['stopped by Ctrl-C / SIGTERM'] } };
  }
  const failed = judged.find((j) => !j.ok);
  if (failed) {
    return {
      stop: { reason: 'failure-point', ...withGood, firstBadRate: failed.rate, why: failed.why },
    };
  }
  const next = schedule.rates[judged.length];
  if (next !== undefined) return { run: next };
  if (schedule.cutByTimeCap > 0) {
    return {
      stop: {
        reason: 'duration-cap',
        ...withGood,
        why: [
          `the total-duration cap left ${schedule.cutByTimeCap} higher rate(s) untried; raise --max-duration or --step`,
        ],
      },
    };
  }
  return {
    stop: {
      reason: 'max-rate',
      ...withGood,
      why: ['every step up to --max-rate passed: no failure point below it'],
    },
  };
};
