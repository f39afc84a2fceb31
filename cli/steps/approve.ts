import { PromoteError } from '../errors.js';
import type { StepModule } from './step-context.js';

/**
 * The plan's manual approval, asked through the IoHost (so `--yes` answers it and a run
 * with no terminal and no `--yes` stops with a clear message instead of hanging). The
 * answer, who gave it and how, goes into the journal: the plan's "document approval".
 */
export const approve: StepModule<'approve'> = {
  kind: 'approve',
  interactive: true,
  title: (spec, plan) => `Approval (${spec.who}) to deploy to ${plan.env.name}`,
  async run(ctx, spec) {
    const alias = await ctx.apis.lambda.getAlias();
    const release =
      ctx.options.git?.tag ?? ctx.options.git?.sha?.slice(0, 12) ?? 'the current tree';
    const question = `Deploy ${release} to ${ctx.plan.env.name} (${ctx.plan.env.account}, ${ctx.plan.env.region})? alias ${ctx.plan.env.alias} is on version ${alias.version}. [${spec.who}]`;
    const yes = await ctx.io.confirm('APPROVAL', question);
    ctx.record.evidence.approval = {
      question,
      answer: yes ? 'yes' : 'no',
      by: ctx.journal.actor,
      via: ctx.io.options.yes ? '--yes' : 'prompt',
      at: new Date().toISOString(),
    };
    if (!yes) {
      throw new PromoteError(
        'approval_declined',
        'APPROVAL_DECLINED',
        `deployment to ${ctx.plan.env.name} not approved; nothing was changed`,
      );
    }
  },
};
