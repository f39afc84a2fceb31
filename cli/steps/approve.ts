import { PromoteError } from '../errors.js';
import type { StepModule } from './step-context.js';

/**
 * The plan's manual approval, asked through the IoHost (so `--yes` answers it and a run
 * with no terminal and no `--yes` stops with a clear message instead of hanging). When the
 * run planned infrastructure, the question shows the plan's summary and its SHA-256, and the
 * answer is bound to that hash: apply runs that file or nothing. Who (the caller's ARN and
 * the git identity — never a typed name alone), when, which role and the hash are journaled:
 * the plan's "document approval". With `--approve-plan <sha256>` (CI, after a GitHub
 * environment's reviewers approved) the hash itself is the approval.
 */
export const approve: StepModule<'approve'> = {
  kind: 'approve',
  interactive: true,
  title: (spec, plan) => `Approval (${spec.who}) to deploy to ${plan.env.name}`,
  async run(ctx, spec) {
    const { env } = ctx.plan;
    const live = await ctx.apis.lambda
      .getAlias()
      .then((a) => `alias ${env.alias} is on version ${a.version}`)
      .catch(() => `${env.functionName} does not exist yet`);
    const release =
      ctx.options.git?.tag ?? ctx.options.git?.sha?.slice(0, 12) ?? 'the current tree';
    const tf = ctx.journal.terraform;
    const inputs = ctx.journal.inputs?.terraform;
    const planLine = tf?.planSha256
      ? ` terraform plan ${tf.planSha256} (${Object.entries(tf.review?.counts ?? {})
          .map(([k, n]) => `${n} ${k}`)
          .join(
            ', ',
          )}${tf.review?.critical.length ? `; CRITICAL: ${tf.review.critical.map((c) => c.why).join(', ')}` : ''}).`
      : '';
    const changeRequest = inputs?.changeRequest ? ` Change request ${inputs.changeRequest}.` : '';
    // A break-glass is the approver's to accept: the question says so in so many words.
    const overrides = (ctx.journal.inputs?.overrideGates ?? [])
      .map((o) => ` WITHOUT ${o.gate} (overridden: ${o.reason}).`)
      .join('');
    const question = `Deploy ${release} to ${env.name} (${env.account}, ${env.region})? ${live}.${planLine}${changeRequest}${overrides} [${spec.who}]`;
    const approvedByHash = tf?.planSha256 !== undefined && inputs?.approvedSha256 === tf.planSha256;
    const yes = approvedByHash ? true : await ctx.io.confirm('APPROVAL', question, spec.word);
    const caller = ctx.journal.steps.find((s) => s.evidence.caller)?.evidence.caller;
    // In Actions the plan's approver reviewed the environment in GitHub: journal who.
    let github: Array<{ login: string; state: string; comment?: string }> | undefined;
    let githubError: string | undefined;
    try {
      github = (await ctx.options.environmentApprovals?.())
        ?.filter((a) => a.environments.includes(env.name))
        .map((a) => ({
          login: a.login,
          state: a.state,
          ...(a.comment ? { comment: a.comment } : {}),
        }));
    } catch (error) {
      githubError = (error as Error).message;
      ctx.io.warn('APPROVAL', `GitHub environment reviews not read: ${githubError}`);
    }
    ctx.record.evidence.approval = {
      question,
      answer: yes ? 'yes' : 'no',
      by: ctx.journal.actor,
      via: approvedByHash ? '--approve-plan' : ctx.io.options.yes ? '--yes' : 'prompt',
      at: new Date().toISOString(),
      role: spec.word ? `${spec.who} ("${spec.word}")` : spec.who,
      ...(caller ? { callerArn: caller.arn } : {}),
      ...(ctx.options.gitUser ? { gitUser: ctx.options.gitUser } : {}),
      ...(tf?.planSha256 ? { planSha256: tf.planSha256 } : {}),
      ...(inputs?.changeRequest ? { changeRequest: inputs.changeRequest } : {}),
      ...(github ? { github } : {}),
      ...(githubError ? { githubError } : {}),
    };
    if (!yes) {
      throw new PromoteError(
        'approval_declined',
        'APPROVAL_DECLINED',
        `deployment to ${env.name} not approved; nothing was changed`,
      );
    }
  },
};
