import { Listr } from 'listr2';
import { explainAwsError } from '../aws/aws-errors.js';
import type { LambdaApi } from '../aws/lambda-api.js';
import type { AwsTarget } from '../aws/target.js';
import { PromoteError } from '../errors.js';
import type { IoHost } from '../io/io-host.js';
import type { EnvLock } from '../journal/env-lock.js';
import type { JournalStore } from '../journal/journal-store.js';
import type { RunJournal, StepRecord } from '../journal/run-journal.js';
import { supersedeEarlier } from '../journal/supersede.js';
import type { Plan } from '../plans/plans.js';
import type { StepSpec } from '../plans/step-spec.js';
import { STEP_MODULES } from '../steps/registry.js';
import { withTimeout } from '../steps/sleep.js';
import type { RunApis, RunOptions, StepContext } from '../steps/step-context.js';
import {
  aliasIsClean,
  restoreAlias,
  restoreByHand,
  restoreFailoverAlias,
} from './restore-alias.js';

/** How long the last words of a run killed with a second Ctrl-C may take, per call. */
const LAST_WORDS_MS = 2_500;

/** The commands that finish an interrupted run; they must work as printed. */
export const finishCommands = (journal: RunJournal, target: AwsTarget): string[] => {
  const where = target.sandbox
    ? ' --sandbox'
    : target.clientConfig.profile
      ? ` --profile ${target.clientConfig.profile}`
      : '';
  return [
    `promote ${journal.env} --resume --abort${where}`,
    `promote ${journal.env} --resume${where}`,
  ];
};

export interface RunPlanInput {
  readonly plan: Plan;
  readonly steps: readonly StepSpec[];
  readonly target: AwsTarget;
  readonly apis: RunApis;
  readonly io: IoHost;
  readonly journal: RunJournal;
  readonly store: JournalStore;
  /** Taken before the first writing step; attaches the store to the state table. */
  readonly lock: { readonly lock: EnvLock; readonly attach: () => void };
  readonly options: RunOptions;
  /** Aborted by the command's SIGINT/SIGTERM handler. */
  readonly signal: AbortSignal;
  /**
   * Where the run registers its last words for a second Ctrl-C (the process then exits
   * without waiting for the rollback): they record the state and say how to finish.
   */
  readonly onSecondInterrupt?: (lastWords: () => Promise<string>) => void;
}

const errorOf = (raw: unknown, signal: AbortSignal): PromoteError => {
  const error = explainAwsError(raw);
  if (error instanceof PromoteError) return error;
  if (signal.aborted) {
    return new PromoteError('interrupted', 'INTERRUPTED', 'interrupted (Ctrl-C / SIGTERM)');
  }
  const e = error as Error;
  return new PromoteError('internal', 'STEP_CRASHED', `${e.name}: ${e.message}`);
};

const rendererFor = (io: IoHost) =>
  io.options.json ? 'silent' : io.options.interactive ? 'default' : 'simple';

/**
 * Runs a plan's steps in order (np-style: the steps are data, this file only composes them)
 * with one rollback registered for the whole run: whatever fails — a step, a crash, a
 * Ctrl-C — if the alias no longer points where it did before the run, it is switched back
 * and read back, and the journal says so. The run ends on a known version either way.
 *
 * @returns the journal, finished; throws the run's PromoteError after rolling back.
 */
export const runPlan = async (input: RunPlanInput): Promise<RunJournal> => {
  const { journal, io, signal } = input;
  let locked = false;
  const save = () => input.store.save(journal);

  /**
   * A second Ctrl-C: mark the journal interrupted; release the lock only if the alias is
   * known clean (on the run's starting or candidate version, no weights), else keep it for
   * this run; say where the environment is and which command finishes the cleanup.
   */
  input.onSecondInterrupt?.(async () => {
    journal.status = 'interrupted';
    journal.finishedAt = new Date().toISOString();
    const alias = await withTimeout(input.apis.lambda.getAlias(), LAST_WORDS_MS, 'GetAlias').catch(
      () => undefined,
    );
    const clean = alias
      ? journal.versions.before
        ? aliasIsClean(alias, journal.versions)
        : Object.keys(alias.weights).length === 0
      : false;
    let lockHeld = locked;
    if (locked && clean) {
      lockHeld = await withTimeout(
        input.lock.lock.release(journal.runId),
        LAST_WORDS_MS,
        'lock release',
      ).then(
        () => false,
        () => true,
      );
    }
    const finishWith = finishCommands(journal, input.target);
    journal.interruption = {
      at: journal.finishedAt,
      ...(alias ? { alias: { version: alias.version, weights: { ...alias.weights } } } : {}),
      lockHeld,
      finishWith,
    };
    if (alias) journal.versions.after = alias.version;
    input.store.saveLocal(journal);
    if (input.store.attached) {
      await withTimeout(save(), LAST_WORDS_MS, 'journal write').catch(() => undefined);
    }
    const on = alias
      ? `${journal.env} is on version ${alias.version}${Object.keys(alias.weights).length ? ` with weights ${JSON.stringify(alias.weights)}` : ''}`
      : `${journal.env}'s alias could not be read — it may be mid-change`;
    const lock = lockHeld
      ? `the lock stays held by run ${journal.runId}`
      : locked
        ? 'the lock was released'
        : 'no lock was taken';
    return `${on}; ${lock}. Finish with "${finishWith[0]}" (back to ${journal.versions.before ?? 'the starting version'}) or "${finishWith[1]}" (continue).`;
  });

  const runStep = async (spec: StepSpec, record: StepRecord, output: (text: string) => void) => {
    // Checked before the lock too: an interrupted run must not take the environment's lock.
    if (signal.aborted)
      throw new PromoteError('interrupted', 'INTERRUPTED', `interrupted before ${spec.kind}`);
    if (!locked && !STEP_MODULES[spec.kind].readOnly) {
      await input.lock.lock.acquire({
        runId: journal.runId,
        actor: journal.actor,
        command: `${journal.command} ${journal.env}`,
      });
      locked = true;
      journal.lockedAt ??= new Date().toISOString();
      input.lock.attach();
      // Earlier unfinished runs can never be resumed now: they would undo this one.
      await supersedeEarlier(input.store, journal, `run ${journal.runId} took the lock`);
    }
    if (signal.aborted)
      throw new PromoteError('interrupted', 'INTERRUPTED', `interrupted before ${spec.kind}`);
    record.state = 'running';
    record.startedAt = new Date().toISOString();
    delete record.error;
    await save();
    const started = Date.now();
    const ctx: StepContext = {
      plan: input.plan,
      target: input.target,
      apis: input.apis,
      io,
      journal,
      record,
      options: input.options,
      signal,
      save,
      progress: (text) => {
        output(text);
        io.debug('STEP_PROGRESS', `${spec.kind}: ${text}`, { step: spec.kind });
      },
    };
    try {
      await (STEP_MODULES[spec.kind] as { run(c: StepContext, s: StepSpec): Promise<void> }).run(
        ctx,
        spec,
      );
      if (signal.aborted)
        throw new PromoteError('interrupted', 'INTERRUPTED', `interrupted during ${spec.kind}`);
      if (record.state === 'running') record.state = 'succeeded';
    } catch (error) {
      const failure = errorOf(error, signal);
      record.state = 'failed';
      record.error = { code: failure.code, message: failure.message };
      throw failure;
    } finally {
      record.finishedAt = new Date().toISOString();
      record.durationMs = Date.now() - started;
      await save();
    }
  };

  /**
   * One listr2 list per step: a step that asks a question (approve) runs outside any
   * renderer, so the prompt is never drawn over by a spinner.
   */
  const runOne = async (spec: StepSpec, record: StepRecord) => {
    if (record.state === 'succeeded' || record.state === 'skipped') {
      io.info('STEP_SKIPPED', `${record.title}: done in an earlier attempt`);
      return;
    }
    if (STEP_MODULES[spec.kind].interactive) {
      io.info('STEP', record.title);
      await runStep(spec, record, (text) => io.info('STEP_PROGRESS', text));
      return;
    }
    await new Listr(
      [
        {
          title: record.title,
          task: async (_ctx: unknown, task: { output: string; skip(message: string): void }) => {
            await runStep(spec, record, (text) => {
              task.output = text;
            });
            // Shown as skipped, not as done: the report and the screen say the same.
            if (record.state === 'skipped') task.skip('skipped (see above)');
          },
        },
      ],
      {
        renderer: rendererFor(io),
        fallbackRenderer: 'simple',
        exitOnError: true,
        // The command owns SIGINT (roll back, then exit 130); listr2 would exit(127) at once.
        registerSignalListeners: false,
        rendererOptions: { collapseErrors: false },
      } as never,
    ).run();
  };

  try {
    for (const [index, spec] of input.steps.entries()) {
      const record = journal.steps[index] as StepRecord;
      await runOne(spec, record);
      // --plan-only: the plan is saved and reviewed; the apply is another run.
      if (journal.status === 'planned') {
        journal.finishedAt = new Date().toISOString();
        await save();
        return journal;
      }
      // An operator pause (--pause-before): stop here, keep the alias, release the lock.
      if (record.state === 'paused') {
        journal.status = 'paused';
        await save();
        return journal;
      }
    }
    journal.status = 'succeeded';
    journal.finishedAt = new Date().toISOString();
    await save();
    return journal;
  } catch (error) {
    const failure = errorOf(error, signal);
    journal.error = { code: failure.code, message: failure.message, exitCode: failure.exitCode };
    journal.status = failure.reason === 'interrupted' ? 'interrupted' : 'failed';
    const outcome = await restoreAlias({
      lambda: input.apis.lambda,
      journal,
      io,
      reason: `${failure.code}: ${failure.message}`,
    });
    if (outcome === 'foreign') journal.status = 'failed';
    // Both regions end where they began: a DR region left on other bytes would be drift.
    const failover = input.apis.failover
      ? await restoreFailoverAlias({ lambda: input.apis.failover.lambda, journal, io })
      : 'not_needed';
    if (failover === 'failed') journal.status = 'rollback_failed';
    journal.finishedAt = new Date().toISOString();
    await save();
    if (outcome === 'failed') {
      throw new PromoteError(
        'rollback_failed',
        'ROLLBACK_FAILED',
        `${failure.message} — and the rollback failed: ${journal.rollback?.error ?? 'unknown'}`,
        restoreByHand(input.plan.env, journal.versions.before),
      );
    }
    if (failover === 'failed') {
      throw new PromoteError(
        'rollback_failed',
        'ROLLBACK_FAILED',
        `${failure.message} — and the rollback in ${journal.failover?.region} failed: ${journal.failover?.rollback?.error ?? 'unknown'}`,
        `${restoreByHand(input.plan.env, journal.failover?.before)} --region ${journal.failover?.region}`,
      );
    }
    throw failure;
  } finally {
    if (locked) await input.lock.lock.release(journal.runId).catch(() => undefined);
  }
};

export type { LambdaApi };
