import { shiftStart, switchAlias } from './alias-switch.js';
import type { StepModule } from './step-context.js';

/** SIT/DEV: alias `live` → the new version in one move, verified by GetAlias. */
export const shiftAll: StepModule<'shift-all'> = {
  kind: 'shift-all',
  title: (_spec, plan) => `Shift alias ${plan.env.alias} → new version (100%)`,
  async run(ctx) {
    const { candidate, alias } = await shiftStart(ctx);
    const { lambda } = ctx.apis;
    if (alias.version === candidate && Object.keys(alias.weights).length === 0) {
      ctx.journal.versions.after = candidate;
      ctx.record.evidence.unchanged = true;
      ctx.progress(`alias already on version ${candidate}`);
      return;
    }
    // Armed before the call: if we die between UpdateAlias and the save, the rollback
    // still knows where to go back to.
    await ctx.save();
    await switchAlias(lambda, candidate, { reason: 'deploy_failed' });
    ctx.journal.versions.after = candidate;
    ctx.record.evidence.alias = { from: alias.version, to: candidate };
    ctx.progress(`alias ${ctx.plan.env.alias}: ${alias.version} → ${candidate}`);
  },
};
