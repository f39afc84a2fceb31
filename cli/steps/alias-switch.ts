import type { LambdaApi } from '../aws/lambda-api.js';
import { PromoteError } from '../errors.js';
import type { StepContext } from './step-context.js';

/**
 * Where a shifting step starts from: the version deploy published, and the alias as it is
 * now, whose version becomes the run's `versions.before` (what a rollback returns to).
 */
export const shiftStart = async (ctx: StepContext) => {
  const candidate = ctx.journal.versions.candidate;
  if (!candidate) {
    throw new PromoteError(
      'deploy_failed',
      'NO_CANDIDATE',
      'no version to shift to (deploy did not run)',
    );
  }
  const alias = await ctx.apis.lambda.getAlias();
  ctx.journal.versions.before ??= alias.version;
  return { candidate, alias, stable: ctx.journal.versions.before };
};

/**
 * Points the alias at `version` with no extra weights, then reads it back: the plan's
 * "instant alias switch" with the verification the runbook leaves to memory.
 */
export const switchAlias = async (lambda: LambdaApi, version: string): Promise<void> => {
  await lambda.updateAlias(version, {});
  const after = await lambda.getAlias();
  if (after.version !== version || Object.keys(after.weights).length > 0) {
    throw new PromoteError(
      'rollback_failed',
      'ALIAS_NOT_VERIFIED',
      `alias reads back as version ${after.version} with weights ${JSON.stringify(after.weights)}, expected ${version} with none`,
    );
  }
};
