import { PromoteError } from '../errors.js';
import { TerraformFailed } from '../terraform/terraform-cli.js';
import type { StepModule } from './step-context.js';
import { sha256File } from './terraform-plan.js';

/**
 * The plan's "Terraform Apply": the approved plan file and nothing else — its hash checked
 * against the approved one first, then recorded as consumed so it is never applied twice.
 */
export const terraformApply: StepModule<'terraform-apply'> = {
  kind: 'terraform-apply',
  title: (_spec, plan) => `Terraform: apply the approved plan of ${plan.env.name}`,
  async run(ctx) {
    const record = ctx.journal.terraform;
    if (record?.skipped) {
      ctx.record.state = 'skipped';
      return;
    }
    const tf = ctx.options.terraform;
    if (!tf || !record?.planFile || !record.planSha256) {
      throw new PromoteError('internal', 'STEP_CRASHED', 'terraform-apply without a reviewed plan');
    }
    const now = sha256File(record.planFile);
    if (now !== record.planSha256) {
      throw new PromoteError(
        'approval_declined',
        'TERRAFORM_PLAN_CHANGED',
        `the plan file changed after approval (SHA-256 ${now}, approved ${record.planSha256}); nothing was applied`,
        're-plan and re-approve',
      );
    }
    if (ctx.options.consumePlan && !(await ctx.options.consumePlan(record.planSha256))) {
      throw new PromoteError(
        'approval_declined',
        'TERRAFORM_PLAN_CONSUMED',
        `plan ${record.planSha256} was applied already; a saved plan is applied once`,
        're-plan (promote <env> --plan-only) and approve the new plan',
      );
    }
    ctx.progress(`terraform apply ${record.planFile}`);
    try {
      await tf.cli.apply(record.planFile);
    } catch (error) {
      if (error instanceof TerraformFailed && error.stale) {
        throw new PromoteError(
          'deploy_failed',
          'TERRAFORM_PLAN_STALE',
          'terraform refused the saved plan: the state changed since it was made (Saved plan is stale); nothing was applied',
          're-plan and re-approve: promote <env> --plan-only, then --plan-file … --approve-plan …',
          undefined,
          { cause: error },
        );
      }
      throw new PromoteError(
        'deploy_failed',
        'TERRAFORM_APPLY_FAILED',
        (error as Error).message,
        "read terraform's error above; the alias was not touched",
        undefined,
        { cause: error },
      );
    }
    record.applied = { at: new Date().toISOString(), sha256: record.planSha256 };
    ctx.progress('applied');
  },
};
