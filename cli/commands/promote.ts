import type { Command } from 'commander';
import { PromoteError } from '../errors.js';
import { gitFacts } from '../git-facts.js';
import { EnvLock } from '../journal/env-lock.js';
import { JournalStore } from '../journal/journal-store.js';
import { newJournal, type RunJournal } from '../journal/run-journal.js';
import type { GlobalFlags } from '../main.js';
import { ENV_NAMES, type EnvName } from '../plans/environments.js';
import { PLANS } from '../plans/plans.js';
import { runPlan } from '../runner/run-plan.js';
import { STEP_MODULES } from '../steps/registry.js';
import { actor, connect } from './connect.js';
import { ioOf } from './io-of.js';
import { finalLine, interruptible, withRun, writeReports } from './run-session.js';

interface PromoteFlags extends GlobalFlags {
  artifact?: string;
  resume?: boolean;
  forceUnlock?: boolean;
  junit?: string;
  token?: string;
}

const stepTitles = (env: EnvName) =>
  PLANS[env].steps.map((spec) => ({
    kind: spec.kind,
    title: (STEP_MODULES[spec.kind] as { title(s: unknown, p: unknown): string }).title(
      spec,
      PLANS[env],
    ),
  }));

/** `promote <env>`: run the environment's plan. */
const promote = async (env: EnvName, command: Command): Promise<void> => {
  const io = ioOf(command);
  const flags = command.optsWithGlobals() as PromoteFlags;
  const plan = PLANS[env];
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
  if (flags.resume) {
    store.attach(conn.state);
    const previous = (await store.list(env, 20)).find(
      (j) => j.command === 'promote' && j.status === 'running',
    );
    if (!previous) {
      throw new PromoteError(
        'usage',
        'NOTHING_TO_RESUME',
        `no unfinished promote run of ${env} in the journal`,
      );
    }
    journal = previous;
    io.info(
      'RESUME',
      `resuming run ${journal.runId} from step ${journal.steps.find((s) => s.state !== 'succeeded')?.title ?? 'end'}`,
    );
  } else {
    journal = newJournal({
      env,
      command: 'promote',
      actor: actor(),
      sandbox: conn.target.sandbox,
      steps: stepTitles(env),
    });
  }
  const git = await gitFacts();
  journal.git = git;
  io.info('RUN_START', `promote ${env}: run ${journal.runId} on ${conn.target.describe}`);
  const { signal, dispose } = interruptible(io, () => finalLine(journal));
  const upstream = plan.requireHealthyUpstream;
  try {
    await runPlan({
      plan,
      steps: plan.steps,
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
      },
    });
    const files = writeReports(conn.home, journal, flags.junit);
    io.info('RUN_DONE', finalLine(journal));
    io.result(`report: ${files.markdown}`);
    io.document({ ok: true, env, version: journal.versions.after, run: journal, reports: files });
  } catch (error) {
    const files = writeReports(conn.home, journal, flags.junit);
    io.notify('error', 'RUN_FAILED', finalLine(journal));
    throw withRun(error, journal, files);
  } finally {
    dispose();
  }
};

/** Registers `promote dev|sit|prod`. */
export const registerPromoteCommands = (program: Command): void => {
  for (const env of ENV_NAMES) {
    program
      .command(env)
      .description(
        `run the ${env} promotion plan: ${PLANS[env].steps.map((s) => s.kind).join(' → ')}`,
      )
      .option('--artifact <zip>', 'deploy this package instead of building the current tree')
      .option('--resume', 'continue the last unfinished run of this environment from its journal')
      .option(
        '--force-unlock',
        'remove a stale lock first (check `promote history` that its run is dead)',
      )
      .option(
        '--token <jwt>',
        `smoke-test token (default: ${env.toUpperCase()}_TOKEN, or minted in the sandbox)`,
      )
      .option('--junit <file>', 'also write the smoke results as JUnit XML')
      .addHelpText(
        'after',
        `
Examples:
  $ promote ${env} --sandbox --yes            the whole plan against the local sandbox
  $ promote ${env} --profile Tebogo-${env}       against AWS with an SSO profile
  $ promote ${env} --ci --json > run.json      in CI: no prompts, one JSON document
  $ promote ${env} --resume                    continue a run that crashed`,
      )
      .action(async (_opts, command: Command) => promote(env, command));
  }
};
