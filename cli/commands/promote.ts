import { type Command, InvalidArgumentError, Option } from 'commander';
import { PromoteError } from '../errors.js';
import { gitFacts } from '../git-facts.js';
import { EnvLock } from '../journal/env-lock.js';
import { JournalStore } from '../journal/journal-store.js';
import { newJournal, type RunJournal } from '../journal/run-journal.js';
import type { GlobalFlags } from '../main.js';
import { scaleCanary } from '../plans/canary-spec.js';
import { ENV_NAMES, type EnvName } from '../plans/environments.js';
import { PLANS } from '../plans/plans.js';
import type { StepSpec } from '../plans/step-spec.js';
import { restoreAlias } from '../runner/restore-alias.js';
import { runPlan } from '../runner/run-plan.js';
import { STEP_MODULES } from '../steps/registry.js';
import { envArg } from './arg-parsers.js';
import { actor, connect } from './connect.js';
import { ioOf } from './io-of.js';
import { finalLine, interruptible, withRun, writeReports } from './run-session.js';

interface PromoteFlags extends GlobalFlags {
  artifact?: string;
  resume?: boolean;
  abort?: boolean;
  forceUnlock?: boolean;
  junit?: string;
  token?: string;
  canary?: boolean;
  bakeScale?: number;
  analysisInterval?: number;
  analysisWindow?: number;
  pauseBefore?: number[];
  allowAlarm?: string[];
  reason?: string;
}

/** The plan's steps; `--canary` replaces the one-move shift with the gated canary. */
export const stepsFor = (env: EnvName, canary: boolean): StepSpec[] =>
  PLANS[env].steps.map((s) => (canary && s.kind === 'shift-all' ? { kind: 'canary' } : s));

const titled = (env: EnvName, steps: readonly StepSpec[]) =>
  steps.map((spec) => ({
    kind: spec.kind,
    title: (STEP_MODULES[spec.kind] as { title(s: unknown, p: unknown): string }).title(
      spec,
      PLANS[env],
    ),
  }));

const positive = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`${what} must be a positive number`);
  return n;
};

const percent = (value: string, previous: number[] = []) => {
  const n = Number(value.replace(/%$/, ''));
  if (!Number.isInteger(n) || n <= 0 || n >= 100)
    throw new InvalidArgumentError('a weight in percent, e.g. 50');
  return [...previous, n];
};

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `promote <env>` and `promote resume <env>`: run (or continue) the environment's plan. */
const promote = async (env: EnvName, command: Command, resume = false): Promise<void> => {
  const io = ioOf(command);
  const flags = command.optsWithGlobals() as PromoteFlags;
  const plan = PLANS[env];
  if (flags.allowAlarm?.length && !flags.reason) {
    throw new PromoteError(
      'usage',
      'ALLOW_ALARM_NEEDS_REASON',
      '--allow-alarm needs --reason "…" (it is journaled)',
    );
  }
  if (flags.abort && !(resume || flags.resume)) {
    throw new PromoteError(
      'usage',
      'ABORT_NEEDS_RESUME',
      '--abort applies to an unfinished run: promote <env> --resume --abort',
    );
  }
  const conn = await connect(env, flags, io);
  const lock = new EnvLock(conn.state, env);
  if (flags.forceUnlock) {
    const held = await lock.forceUnlock();
    io.warn(
      'FORCE_UNLOCK',
      held
        ? `removed ${env} lock of ${held.actor}@${held.host} (run ${held.runId}, since ${held.since})`
        : `${env} was not locked`,
    );
  }
  const store = new JournalStore(conn.home, undefined, (error) =>
    io.warn(
      'JOURNAL_REMOTE',
      `could not write the journal to ${conn.state.tableName}: ${error.message}`,
    ),
  );
  let journal: RunJournal;
  if (resume || flags.resume) {
    store.attach(conn.state);
    const previous = (await store.list(env, 20)).find(
      (j) => j.command === 'promote' && (j.status === 'running' || j.status === 'paused'),
    );
    if (!previous) {
      throw new PromoteError(
        'usage',
        'NOTHING_TO_RESUME',
        `no unfinished or paused promote run of ${env} in the journal`,
      );
    }
    journal = previous;
    if (flags.abort) {
      await lock.acquire({ runId: journal.runId, actor: actor(), command: `abort ${env}` });
      try {
        journal.status = 'interrupted';
        const outcome = await restoreAlias({
          lambda: conn.apis.lambda,
          journal,
          io,
          reason: `aborted by ${actor()}`,
        });
        if (outcome === 'failed') {
          throw new PromoteError(
            'rollback_failed',
            'ROLLBACK_FAILED',
            `abort could not restore the alias: ${journal.rollback?.error}`,
          );
        }
        journal.status = 'rolled_back';
        journal.finishedAt = new Date().toISOString();
        await store.save(journal);
        const files = writeReports(conn.home, journal);
        io.info('RUN_ABORTED', finalLine(journal));
        io.document({
          ok: true,
          env,
          aborted: true,
          version: journal.versions.after ?? journal.versions.before,
          run: journal,
          reports: files,
        });
        return;
      } finally {
        await lock.release(journal.runId).catch(() => undefined);
      }
    }
    journal.status = 'running';
    io.info(
      'RESUME',
      `resuming run ${journal.runId} at: ${journal.steps.find((s) => s.state !== 'succeeded')?.title ?? 'the end'}`,
    );
  } else {
    journal = newJournal({
      env,
      command: 'promote',
      actor: actor(),
      sandbox: conn.target.sandbox,
      steps: titled(env, stepsFor(env, Boolean(flags.canary))),
      ...(flags.reason ? { reason: flags.reason } : {}),
    });
  }
  const steps = stepsFor(
    env,
    journal.steps.some((s) => s.kind === 'canary'),
  );
  const git = await gitFacts();
  journal.git = git;
  io.info('RUN_START', `promote ${env}: run ${journal.runId} on ${conn.target.describe}`);
  const { signal, dispose } = interruptible(io, () => finalLine(journal));
  const upstream = plan.requireHealthyUpstream;
  try {
    await runPlan({
      plan,
      steps,
      target: conn.target,
      apis: conn.apis,
      io,
      journal,
      store,
      lock: { lock, attach: () => store.attach(conn.state) },
      signal,
      options: {
        home: conn.home,
        git,
        smokeTokens: conn.smokeTokens,
        ...(flags.artifact ? { artifact: flags.artifact } : {}),
        ...(upstream && conn.apiUrlOf(upstream)
          ? { upstreamHealthUrl: `${conn.apiUrlOf(upstream)}/v1.0/orders/health` }
          : {}),
        canary: scaleCanary(plan.canary, {
          ...(flags.bakeScale ? { bakeScale: flags.bakeScale } : {}),
          ...(flags.analysisInterval ? { intervalSeconds: flags.analysisInterval } : {}),
          ...(flags.analysisWindow ? { windowSeconds: flags.analysisWindow } : {}),
        }),
        ...(flags.pauseBefore ? { pauseBefore: flags.pauseBefore } : {}),
        ...(flags.allowAlarm
          ? { allowAlarms: flags.allowAlarm.map((name) => ({ name, reason: flags.reason ?? '' })) }
          : {}),
      },
    });
    const files = writeReports(conn.home, journal, flags.junit);
    io.info(journal.status === 'paused' ? 'RUN_PAUSED' : 'RUN_DONE', finalLine(journal));
    if (journal.status === 'paused') {
      io.result(
        `paused before ${journal.canary?.pausedBefore}%: continue with "promote resume ${env}", or abort with "promote ${env} --resume --abort"`,
      );
    }
    io.result(`report: ${files.markdown}`);
    io.document({
      ok: true,
      env,
      status: journal.status,
      version: journal.versions.after ?? journal.versions.before,
      run: journal,
      reports: files,
    });
  } catch (error) {
    const files = writeReports(conn.home, journal, flags.junit);
    io.notify('error', 'RUN_FAILED', finalLine(journal));
    throw withRun(error, journal, files);
  } finally {
    dispose();
  }
};

const canaryOptions = (command: Command): Command =>
  command
    .option('--canary', 'shift traffic 10% → 50% → 100% with CloudWatch gates instead of at once')
    .addOption(
      new Option(
        '--bake-scale <factor>',
        'multiply every bake (e.g. 0.01 in the sandbox)',
      ).argParser(positive('--bake-scale')),
    )
    .addOption(
      new Option(
        '--analysis-interval <seconds>',
        'seconds between analyses (default: the plan’s 60, scaled)',
      ).argParser(positive('--analysis-interval')),
    )
    .addOption(
      new Option(
        '--analysis-window <seconds>',
        'seconds of metrics each analysis reads (default: the plan’s 300, scaled)',
      ).argParser(positive('--analysis-window')),
    )
    .addOption(
      new Option(
        '--pause-before <percent>',
        'stop before shifting to this weight (repeatable)',
      ).argParser(percent),
    )
    .addOption(
      new Option(
        '--allow-alarm <name>',
        'an alarm already firing that must not block (repeatable; needs --reason)',
      ).argParser(collect),
    )
    .option('--reason <text>', 'why (journaled; required with --allow-alarm)');

/** Registers `promote dev|sit|prod` and `promote resume <env>`. */
export const registerPromoteCommands = (program: Command): void => {
  for (const env of ENV_NAMES) {
    canaryOptions(
      program
        .command(env)
        .description(
          `run the ${env} promotion plan: ${PLANS[env].steps.map((s) => s.kind).join(' → ')}`,
        )
        .option('--artifact <zip>', 'deploy this package instead of building the current tree')
        .option('--resume', 'continue the last unfinished run of this environment from its journal')
        .option('--abort', 'with --resume: roll the unfinished run back instead of continuing')
        .option(
          '--force-unlock',
          'remove a stale lock first (check `promote history` that its run is dead)',
        )
        .option(
          '--token <jwt>',
          `smoke-test token (default: ${env.toUpperCase()}_TOKEN, or minted in the sandbox)`,
        )
        .option('--junit <file>', 'also write the smoke results as JUnit XML'),
    )
      .addHelpText(
        'after',
        `
Examples:
  $ promote ${env} --sandbox --yes                    the whole plan against the local sandbox
  $ promote ${env} --profile Tebogo-${env}               against AWS with an SSO profile
  $ promote ${env} --canary --pause-before 50          stop for a manual look before 50%
  $ promote ${env} --canary --allow-alarm order-handler-${env}-high-duration-read --reason "INC-42, fixed by this release"
  $ promote ${env} --sandbox --canary --bake-scale 0.01 --yes   bakes in seconds
  $ promote ${env} --ci --json > run.json              in CI: no prompts, one JSON document
  $ promote ${env} --resume [--abort]                  continue (or roll back) a run that crashed`,
      )
      .action(async (_opts, command: Command) => promote(env, command));
  }
  canaryOptions(
    program
      .command('resume')
      .description('continue a paused (--pause-before) or crashed run of an environment')
      .argument('<env>', ENV_NAMES.join(' | '))
      .option('--abort', 'roll the run back instead of continuing')
      .option('--token <jwt>', 'smoke-test token'),
  )
    .addHelpText('after', '\nExamples:\n  $ promote resume prod\n  $ promote resume prod --abort')
    .action(async (value: string, _opts, command: Command) => {
      await promote(envArg(value), command, true);
    });
};
