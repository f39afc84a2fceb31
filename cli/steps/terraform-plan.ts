import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PromoteError } from '../errors.js';
import { describeReview, refusal, reviewPlan } from '../terraform/plan-guard.js';
import { runDir } from './backup.js';
import type { StepContext, StepModule } from './step-context.js';

export const sha256File = (path: string): string =>
  createHash('sha256').update(readFileSync(path)).digest('hex');

const skipped = (ctx: StepContext) => {
  if (!ctx.journal.terraform?.skipped) return false;
  ctx.record.state = 'skipped';
  return true;
};

/**
 * The plan's "Terraform Plan": `plan -out=<env>.tfplan` (or the saved plan of `--plan-file`,
 * whose hash must be the one `--approve-plan` names), `show -json`, and the review a person
 * did line by line: a summary by action and type, Terraform's reasons for replaces and
 * deletes, the CRITICAL items — and a stop before any apply if stateful data would go.
 */
export const terraformPlan: StepModule<'terraform-plan'> = {
  kind: 'terraform-plan',
  title: (_spec, plan) => `Terraform: plan ${plan.env.name} and review it`,
  async run(ctx) {
    if (skipped(ctx)) return;
    const tf = ctx.options.terraform;
    if (!tf) throw new PromoteError('internal', 'STEP_CRASHED', 'terraform-plan without terraform');
    const inputs = ctx.journal.inputs?.terraform ?? {};
    let planFile: string;
    if (inputs.planFile) {
      planFile = resolve(inputs.planFile);
      const sha = sha256File(planFile);
      if (sha !== inputs.approvedSha256) {
        throw new PromoteError(
          'approval_declined',
          'TERRAFORM_PLAN_NOT_APPROVED',
          `${inputs.planFile} hashes to ${sha}, not the approved ${inputs.approvedSha256}; nothing was applied`,
          'apply only the plan that was approved: re-plan with --plan-only and approve its hash',
        );
      }
    } else {
      mkdirSync(runDir(ctx), { recursive: true });
      planFile = join(runDir(ctx), `${ctx.plan.env.name}.tfplan`);
      ctx.progress(`terraform plan -out=${planFile}`);
      try {
        await tf.cli.plan(`environments/${ctx.plan.env.name}.tfvars`, planFile);
      } catch (error) {
        throw new PromoteError(
          'preflight_blocked',
          'TERRAFORM_PLAN_FAILED',
          `${(error as Error).message}; nothing was changed`,
          'fix what terraform reports, then run again',
          undefined,
          { cause: error },
        );
      }
    }
    const planSha256 = sha256File(planFile);
    const review = reviewPlan(await tf.cli.showJson(planFile), inputs.allowDestroy ?? []);
    const record = ctx.journal.terraform ?? {};
    record.planFile = planFile;
    record.planSha256 = planSha256;
    record.review = {
      counts: { ...review.counts },
      byType: JSON.parse(JSON.stringify(review.byType)),
      critical: review.critical.map((c) => ({ ...c })),
      changes: review.changes.map((c) => ({
        address: c.address,
        kind: c.kind,
        ...(c.reason ? { reason: c.reason } : {}),
      })),
      allowed: review.allowed.map((c) => ({ address: c.address, reason: c.allowedBecause })),
    };
    ctx.journal.terraform = record;
    for (const line of describeReview(review)) ctx.progress(line);
    ctx.progress(`plan SHA-256 ${planSha256}`);
    const stop = refusal(review);
    if (stop) throw stop;
    if (inputs.planOnly) {
      // The run ends here; the apply is a new run with --plan-file and --approve-plan.
      ctx.journal.status = 'planned';
    }
  },
};
