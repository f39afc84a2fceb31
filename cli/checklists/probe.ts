import type { Environment } from '../../infra/environments.js';
import type { ChecklistApi } from '../aws/checklist-api.js';
import type { GitFacts } from '../git-facts.js';
import type { RunJournal } from '../journal/run-journal.js';
import type { Plan } from '../plans/plans.js';
import type { RunApis } from '../steps/step-context.js';
import type { ProbeName } from './checklist-schema.js';
import type { GateRecord } from './governance-store.js';

/**
 * A probe answers one checklist question by reading the environment — the same code for
 * `promote checklist` and for preflight, so the printed checklist and the gate cannot drift.
 */

/** What a probe saw: pass/fail, a line for people, and the value as data for the evidence. */
export interface ProbeOutcome {
  readonly ok: boolean;
  readonly detail: string;
  readonly value?: unknown;
}

/** Everything probes may read; optional parts are absent where a caller has no way to them. */
export interface ProbeContext {
  readonly env: Environment;
  readonly plan: Plan;
  readonly apis: RunApis;
  readonly checklist: ChecklistApi;
  readonly apiBaseUrl: string;
  readonly git?: GitFacts;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
  /** Alarms allowed to be firing (`--allow-alarm`). */
  readonly allowedAlarms?: readonly string[];
  /** The package the question is about (the live one, or the artifact about to ship). */
  readonly codeSha256?: string;
  /** This environment's run journals, newest first. */
  readonly runs?: () => Promise<RunJournal[]>;
  /** DEV's run journals, read with DEV's credentials (the plan: "all tests passing in DEV"). */
  readonly devRuns?: () => Promise<RunJournal[]>;
  /** SIT's sign-off of a package, read with SIT's credentials (PROD's Gate 4). */
  readonly sitSignoff?: (codeSha256: string) => Promise<GateRecord | undefined>;
}

/** A passed probe, with what it saw. */
export const pass = (detail: string, value?: unknown): ProbeOutcome => ({
  ok: true,
  detail,
  ...(value !== undefined ? { value } : {}),
});

/** A failed probe, with what it saw. */
export const fail = (detail: string, value?: unknown): ProbeOutcome => ({
  ok: false,
  detail,
  ...(value !== undefined ? { value } : {}),
});

export interface Probe {
  /** The line's name, e.g. `table orders-sit`. */
  title(env: Environment): string;
  run(ctx: ProbeContext): Promise<ProbeOutcome>;
}

/** A probe's result with its name and when it was seen. */
export interface ProbeResult extends ProbeOutcome {
  readonly probe: ProbeName;
  readonly name: string;
  readonly at: string;
  /** Why a probe could not answer (kept for callers that must rethrow, never journaled). */
  readonly error?: unknown;
}

/** A probe that throws did not pass: the error is its answer, never a crash of the checklist. */
export const runProbe = async (
  probe: ProbeName,
  registry: Readonly<Record<ProbeName, Probe>>,
  ctx: ProbeContext,
): Promise<ProbeResult> => {
  const p = registry[probe];
  const at = (ctx.now?.() ?? new Date()).toISOString();
  try {
    return { probe, name: p.title(ctx.env), at, ...(await p.run(ctx)) };
  } catch (error) {
    return {
      probe,
      name: p.title(ctx.env),
      at,
      ok: false,
      detail: `${(error as Error).name}: ${(error as Error).message}`,
      error,
    };
  }
};
