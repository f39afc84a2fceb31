import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { EnvName } from '../../infra/environments.js';
import { promoteHome } from '../../sandbox/paths.js';
import { projectRoot } from '../../scripts/project-root.js';
import { artifactFor } from '../artifact/run-artifact.js';
import { HEALTH_PATH } from '../checklists/api-health.js';
import { PromoteError } from '../errors.js';
import { gitFacts } from '../git-facts.js';
import type { GlobalFlags } from '../global-flags.js';
import type { IoHost } from '../io/io-host.js';
import { EnvLock } from '../journal/env-lock.js';
import { JournalStore } from '../journal/journal-store.js';
import { newJournal, newRunId, type RunInputs, type RunJournal } from '../journal/run-journal.js';
import { markSuperseded } from '../journal/supersede.js';
import { scaleCanary } from '../plans/canary-spec.js';
import { PLANS } from '../plans/plans.js';
import type { StepSpec } from '../plans/step-spec.js';
import { aliasIsOurs } from '../runner/restore-alias.js';
import { runPlan } from '../runner/run-plan.js';
import { STEP_MODULES } from '../steps/registry.js';
import { terraformCli } from '../terraform/terraform-cli.js';
import { actor, connect } from './connect.js';
import { ioOf } from './io-of.js';
import { otherEnv } from './other-env.js';
import { refuseBadFlags } from './promote-flags.js';
import { abortRun, resumable, supersedeHolder } from './resume-run.js';
import { finalLine, interruptible, reportLine, reportRun, withRun } from './run-session.js';

export interface PromoteFlags extends GlobalFlags {
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
  allowLowTraffic?: boolean;
  planOnly?: boolean;
  planFile?: string;
  approvePlan?: string;
  allowDestroy?: string[];
  skipTerraform?: boolean;
  changeRequest?: string;
  overrideGate?: string[];
  via?: 'github';
  ref?: string;
  repo?: string;
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

const noApprover = (env: EnvName) =>
  new PromoteError(
    'approval_declined',
    'PROMPT_NOT_INTERACTIVE',
    `${env} needs an approval and there is no terminal to ask it on; nothing was changed`,
    'pass --yes to approve non-interactively (CI), or run in a terminal',
  );

/** `--via github`: the same plan, run by the env's workflow; this process only follows it. */
const viaGithub = async (env: EnvName, flags: PromoteFlags, io: IoHost): Promise<void> => {
  const ref = flags.ref ?? (await gitFacts()).tag;
  if (!ref) {
    throw new PromoteError(
      'usage',
      'GITHUB_INPUT_MISSING',
      '--via github needs the release to run: --ref <tag or branch> (HEAD carries no tag)',
      `promote ${env} --via github --ref v1.2.0-${env}`,
    );
  }
  const { runViaGithub } = await import('./via-github-run.js');
  await runViaGithub(
    env,
    {
      ref,
      ...(flags.repo ? { repo: flags.repo } : {}),
      ...(flags.changeRequest ? { inputs: { change_request: flags.changeRequest } } : {}),
    },
    io,
  );
};

/** `promote <env>` and `promote resume <env>`: run (or continue) the environment's plan. */
export const promote = async (env: EnvName, command: Command, resume = false): Promise<void> => {
  const io = ioOf(command);
  const flags = command.optsWithGlobals() as PromoteFlags;
  const plan = PLANS[env];
  const resuming = resume || Boolean(flags.resume);
  if (flags.via === 'github') {
    await viaGithub(env, flags, io);
    return;
  }
  refuseBadFlags(env, plan, flags, resuming);
  const terraformPlanned = plan.steps.some((s) => s.kind === 'terraform-plan');
  const home = promoteHome();
  const git = await gitFacts();
  const runId = newRunId();
  // Everything the run will need is checked before the first change (and, for the
  // artifact, before any AWS call): a run never stops half-way for want of an input.
  const fresh = resuming
    ? undefined
    : await artifactFor(flags, join(home, 'runs', env, runId), git);
  if (!flags.abort && !io.options.yes && !io.options.interactive) {
    // In CI nobody can answer the approval: say so now, not after the lock and a backup.
    // (A resumed run whose approval is already given needs none.)
    // --approve-plan is the approval (a GitHub environment's reviewers gave it); --plan-only
    // stops before the approval.
    const approved = Boolean(flags.approvePlan) || Boolean(flags.planOnly);
    if (!resuming && !approved && plan.steps.some((s) => s.kind === 'approve')) {
      throw noApprover(env);
    }
  }
  const conn = await connect(env, flags, io);
  if (!flags.abort && plan.steps.some((s) => s.kind === 'smoke')) await conn.smokeTokens();
  const lock = new EnvLock(conn.state, env);
  const store = new JournalStore(conn.home, undefined, (error) =>
    io.warn(
      'JOURNAL_REMOTE',
      `could not write the journal to ${conn.state.tableName}: ${error.message}`,
    ),
  );
  let journal: RunJournal;
  let entries: readonly string[] | undefined;
  if (resuming) {
    store.attach(conn.state);
    const found = await resumable(env, store, lock, io, Boolean(flags.abort));
    journal = found.journal;
    entries = found.facts?.entries;
    const approval = journal.steps.find((s) => s.kind === 'approve');
    if (
      !flags.abort &&
      approval &&
      approval.state !== 'succeeded' &&
      !io.options.yes &&
      !io.options.interactive
    )
      throw noApprover(env);
  } else {
    journal = newJournal({
      env,
      command: 'promote',
      actor: actor(),
      sandbox: conn.target.sandbox,
      region: plan.env.region,
      runId,
      steps: titled(env, stepsFor(env, Boolean(flags.canary))),
      ...(flags.reason ? { reason: flags.reason } : {}),
    });
    const { facts, inputs } = fresh as NonNullable<typeof fresh>;
    entries = facts.entries;
    journal.inputs = {
      artifact: inputs,
      ...(flags.canary
        ? {
            canary: scaleCanary(plan.canary, {
              ...(flags.bakeScale ? { bakeScale: flags.bakeScale } : {}),
              ...(flags.analysisInterval ? { intervalSeconds: flags.analysisInterval } : {}),
              ...(flags.analysisWindow ? { windowSeconds: flags.analysisWindow } : {}),
            }),
          }
        : {}),
      ...(flags.pauseBefore ? { pauseBefore: flags.pauseBefore } : {}),
      ...(flags.overrideGate?.length
        ? {
            overrideGates: flags.overrideGate.map((gate) => ({
              gate,
              reason: flags.reason ?? '',
            })),
          }
        : {}),
      ...(flags.allowAlarm
        ? { allowAlarms: flags.allowAlarm.map((name) => ({ name, reason: flags.reason ?? '' })) }
        : {}),
      ...(flags.allowLowTraffic || flags.skipTerraform
        ? {
            skips: [
              ...(flags.allowLowTraffic
                ? [{ what: 'canary-sample-estimate', reason: flags.reason ?? '' }]
                : []),
              ...(flags.skipTerraform ? [{ what: 'terraform', reason: flags.reason ?? '' }] : []),
            ],
          }
        : {}),
      ...(terraformPlanned
        ? {
            terraform: {
              ...(flags.planOnly ? { planOnly: true } : {}),
              ...(flags.planFile ? { planFile: resolve(flags.planFile) } : {}),
              ...(flags.approvePlan ? { approvedSha256: flags.approvePlan.toLowerCase() } : {}),
              ...(flags.allowDestroy
                ? {
                    allowDestroy: flags.allowDestroy.map((address) => ({
                      address,
                      reason: flags.reason ?? '',
                    })),
                  }
                : {}),
              ...(flags.changeRequest ? { changeRequest: flags.changeRequest } : {}),
            },
          }
        : {}),
    };
    journal.git = git;
  }
  // From the first journal write on, Ctrl-C is the run's: it is recorded, never a ghost
  // `running` journal left by the default signal death.
  const interrupts = interruptible(io, () => finalLine(journal));
  try {
    if (!resuming) store.saveLocal(journal);
    await runOrRecover();
  } finally {
    interrupts.dispose();
  }

  async function runOrRecover(): Promise<void> {
    if (flags.forceUnlock) {
      const held = await lock.forceUnlock();
      io.warn(
        'FORCE_UNLOCK',
        held
          ? `removed ${env} lock of ${held.actor}@${held.host} (run ${held.runId}, since ${held.since})`
          : `${env} was not locked`,
      );
      if (held && held.runId !== journal.runId) {
        const marked = await supersedeHolder(store, conn.state, env, held.runId, journal.runId);
        if (marked)
          io.warn('RUN_SUPERSEDED', `run ${held.runId} is superseded and can no longer be resumed`);
      }
    }
    if (resuming && flags.abort) {
      await abortRun(env, journal, conn, lock, store, io);
      return;
    }
    if (resuming) {
      const alias = await conn.apis.lambda.getAlias();
      if (journal.versions.before && !aliasIsOurs(alias, journal.versions)) {
        await markSuperseded(store, journal, {
          reason: `alias moved by someone else to ${alias.version}`,
        });
        throw new PromoteError(
          'usage',
          'RESUME_ALIAS_MOVED',
          `run ${journal.runId} cannot be resumed: the alias is on version ${alias.version}, which it neither started from (${journal.versions.before}) nor deploys (${journal.versions.candidate ?? 'none yet'}); nothing was changed`,
          `someone else changed ${env}; see "promote status ${env}" and start a new run`,
        );
      }
      journal.status = 'running';
      delete journal.interruption;
      delete journal.finishedAt;
      delete journal.error;
      io.info(
        'RESUME',
        `resuming run ${journal.runId} at: ${journal.steps.find((s) => s.state !== 'succeeded')?.title ?? 'the end'} (package ${journal.inputs?.artifact.codeSha256})`,
      );
    }
    const inputs = journal.inputs as RunInputs;
    const steps = stepsFor(
      env,
      journal.steps.some((s) => s.kind === 'canary'),
    );
    io.info('RUN_START', `promote ${env}: run ${journal.runId} on ${conn.target.describe}`);
    const upstream = plan.requireHealthyUpstream;
    // Inside GitHub Actions: a GitHub Deployment of this run (nothing elsewhere; a failed
    // record is a warning, never a failed promotion).
    const deployment = await (await import('../github/deployments.js')).startDeploymentFromEnv({
      env,
      environmentUrl: conn.target.apiBaseUrl,
      processEnv: process.env,
      description: `promote ${env} ${journal.runId}`,
    });
    const note = (warning: string | undefined) => {
      if (warning) io.warn('GITHUB_DEPLOYMENT', warning);
    };
    note(deployment.warning);
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
        signal: interrupts.signal,
        onSecondInterrupt: interrupts.onSecondInterrupt,
        options: {
          home: conn.home,
          git: journal.git ?? git,
          smokeTokens: conn.smokeTokens,
          artifact: inputs.artifact.path,
          ...(entries ? { artifactEntries: entries } : {}),
          ...(upstream && conn.apiUrlOf(upstream)
            ? { upstreamHealthUrl: `${conn.apiUrlOf(upstream)}${HEALTH_PATH}` }
            : {}),
          ...(inputs.canary ? { canary: inputs.canary } : {}),
          ...(inputs.pauseBefore ? { pauseBefore: inputs.pauseBefore } : {}),
          ...(inputs.allowAlarms ? { allowAlarms: inputs.allowAlarms } : {}),
          artifactCodeSha256: inputs.artifact.codeSha256,
          environmentApprovals: async () =>
            (await import('../github/environment-approvals.js')).currentRunApprovals(process.env),
          ...(inputs.overrideGates ? { overrideGates: inputs.overrideGates } : {}),
          ...(plan.requireGate
            ? {
                sitSignoff: (sha: string) =>
                  otherEnv(conn, 'sit').governance.signedOff(plan.requireGate?.id ?? '', sha),
              }
            : {}),
          terraform: {
            cli: terraformCli(join(projectRoot(import.meta.url), 'terraform'), conn.target),
            dir: join(projectRoot(import.meta.url), 'terraform'),
          },
          // A saved plan is applied once: a conditional write in the env's state table.
          consumePlan: (sha256) =>
            conn.state.put(
              { pk: 'tfplan', sk: sha256, runId: journal.runId, at: new Date().toISOString() },
              { expression: 'attribute_not_exists(pk)' },
            ),
          ...(git.user ? { gitUser: git.user } : {}),
        },
      });
      const files = await reportRun(conn, io, journal, flags.junit);
      if (journal.status === 'succeeded') note(await deployment.succeed());
      io.info(journal.status === 'paused' ? 'RUN_PAUSED' : 'RUN_DONE', finalLine(journal));
      const tf = journal.terraform;
      if (journal.status === 'planned' && tf?.planFile && tf.planSha256) {
        io.info('PLAN_SAVED', `terraform plan saved: ${tf.planFile}`);
        io.result(`SHA-256 ${tf.planSha256}`);
        io.result(
          `apply exactly this plan after approval: promote ${env} --plan-file ${tf.planFile} --approve-plan ${tf.planSha256}${env === 'prod' ? ' --change-request <id>' : ''}`,
        );
      }
      if (journal.status === 'paused') {
        io.result(
          `paused before ${journal.canary?.pausedBefore}%: continue with "promote resume ${env}", or abort with "promote ${env} --resume --abort"`,
        );
      }
      io.result(reportLine(files));
      if (files.stored) io.result(`evidence kept in ${files.stored}`);
      io.document({
        ok: true,
        env,
        status: journal.status,
        version: journal.versions.after ?? journal.versions.before,
        run: journal,
        reports: files,
      });
    } catch (error) {
      const files = await reportRun(conn, io, journal, flags.junit);
      note(
        journal.status === 'rolled_back'
          ? await deployment.deactivate()
          : await deployment.fail(finalLine(journal)),
      );
      io.notify('error', 'RUN_FAILED', finalLine(journal));
      io.result(reportLine(files));
      throw withRun(error, journal, files);
    }
  }
};
