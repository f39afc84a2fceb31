import type { EnvName } from '../../infra/environments.js';
import { PromoteError } from '../errors.js';
import type { Plan } from '../plans/plans.js';
import type { PromoteFlags } from './promote-run.js';

/** Flags that choose what a run deploys and how: journaled, so a resume cannot change them. */
const INPUT_FLAGS = [
  ['artifact', '--artifact'],
  ['canary', '--canary'],
  ['bakeScale', '--bake-scale'],
  ['analysisInterval', '--analysis-interval'],
  ['analysisWindow', '--analysis-window'],
  ['pauseBefore', '--pause-before'],
  ['allowAlarm', '--allow-alarm'],
  ['allowLowTraffic', '--allow-low-traffic'],
  ['planOnly', '--plan-only'],
  ['planFile', '--plan-file'],
  ['approvePlan', '--approve-plan'],
  ['allowDestroy', '--allow-destroy'],
  ['skipTerraform', '--skip-terraform'],
  ['changeRequest', '--change-request'],
  ['overrideGate', '--override-gate'],
] as const;

/**
 * Refuses flag combinations that cannot make a sound run — before any AWS call, lock or
 * journal: a justification missing where one is journaled, a plan file without its approved
 * hash, PROD without its change request, an unknown gate, a resumed run asked to change its
 * inputs. Exit 2 (usage), each with its own code.
 */
export const refuseBadFlags = (
  env: EnvName,
  plan: Plan,
  flags: PromoteFlags,
  resuming: boolean,
): void => {
  if (flags.allowAlarm?.length && !flags.reason) {
    throw new PromoteError(
      'usage',
      'ALLOW_ALARM_NEEDS_REASON',
      '--allow-alarm needs --reason "…" (it is journaled)',
    );
  }
  for (const [given, flag] of [
    [flags.allowDestroy?.length, '--allow-destroy'],
    [flags.skipTerraform, '--skip-terraform'],
  ] as const) {
    if (given && !flags.reason) {
      throw new PromoteError(
        'usage',
        'REASON_REQUIRED',
        `${flag} needs --reason "…" (it is journaled)`,
      );
    }
  }
  if (Boolean(flags.planFile) !== Boolean(flags.approvePlan)) {
    throw new PromoteError(
      'usage',
      'PLAN_FILE_NEEDS_APPROVAL',
      '--plan-file and --approve-plan go together: apply this file, whose SHA-256 was approved',
      `promote ${env} --plan-file ${env}.tfplan --approve-plan <sha256 printed by --plan-only>`,
    );
  }
  if (flags.planOnly && flags.planFile) {
    throw new PromoteError(
      'usage',
      'PLAN_FILE_NEEDS_APPROVAL',
      '--plan-only makes a plan; --plan-file applies one',
    );
  }
  const terraformPlanned = plan.steps.some((s) => s.kind === 'terraform-plan');
  if (
    env === 'prod' &&
    terraformPlanned &&
    !resuming &&
    !flags.planOnly &&
    !flags.changeRequest &&
    !flags.skipTerraform
  ) {
    throw new PromoteError(
      'usage',
      'CHANGE_REQUEST_REQUIRED',
      'a PROD promotion names its approved change request (the plan\'s "confirm change request approved")',
      'pass --change-request <id>, e.g. --change-request CHG-1234',
    );
  }
  for (const gate of flags.overrideGate ?? []) {
    if (gate !== plan.requireGate?.id) {
      throw new PromoteError(
        'usage',
        'GATE_UNKNOWN',
        `--override-gate ${gate}: ${env} requires ${plan.requireGate ? `only ${plan.requireGate.id}` : 'no gate'}`,
      );
    }
    if (!flags.reason) {
      throw new PromoteError(
        'usage',
        'OVERRIDE_GATE_NEEDS_REASON',
        '--override-gate is break-glass for a hotfix: it needs --reason "…" (journaled, shown in the report)',
        `promote ${env} --override-gate ${gate} --reason "INC-123 hotfix, SIT sign-off to follow"`,
      );
    }
  }
  if (flags.allowLowTraffic && !flags.reason) {
    throw new PromoteError(
      'usage',
      'ALLOW_LOW_TRAFFIC_NEEDS_REASON',
      '--allow-low-traffic needs --reason "…" (it is journaled)',
    );
  }
  if (flags.abort && !resuming) {
    throw new PromoteError(
      'usage',
      'ABORT_NEEDS_RESUME',
      '--abort applies to an unfinished run: promote <env> --resume --abort',
    );
  }
  if (resuming) {
    const given = INPUT_FLAGS.filter(([key]) => flags[key] !== undefined).map(([, flag]) => flag);
    if (given.length) {
      throw new PromoteError(
        'usage',
        'RESUME_KEEPS_INPUTS',
        `a resumed run keeps the inputs it was started with; drop ${given.join(', ')}`,
        `to deploy something else, start a new run (promote ${env} …); it supersedes the unfinished one`,
      );
    }
  }
};
