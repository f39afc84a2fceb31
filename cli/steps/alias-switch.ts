import type { LambdaApi } from '../aws/lambda-api.js';
import { type ExitReason, PromoteError } from '../errors.js';
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
  // Never move the alias to a package this run was not asked for (a resumed run on a
  // journal that says otherwise, a version republished by hand): the bytes must match.
  const expected = ctx.journal.inputs?.artifact.codeSha256 ?? ctx.journal.artifact?.codeSha256;
  if (expected) {
    const found = await ctx.apis.lambda.getFunction(candidate);
    if (found.codeSha256 !== expected) {
      throw new PromoteError(
        'deploy_failed',
        'CANDIDATE_MISMATCH',
        `version ${candidate} holds CodeSha256 ${found.codeSha256}, but this run deploys ${expected}; the alias was not moved`,
      );
    }
  }
  const alias = await ctx.apis.lambda.getAlias();
  ctx.journal.versions.before ??= alias.version;
  return { candidate, alias, stable: ctx.journal.versions.before };
};

const sameWeights = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>) =>
  Object.keys(a).length === Object.keys(b).length &&
  Object.entries(b).every(([version, weight]) => a[version] === weight);

/**
 * Points the alias at `version` with `weights` (none by default), then reads it back: the
 * plan's "instant alias switch" with the verification the runbook leaves to memory. A
 * read-back that differs fails with `reason` (a rollback's failure unless told otherwise).
 */
export const switchAlias = async (
  lambda: LambdaApi,
  version: string,
  options: { weights?: Readonly<Record<string, number>>; reason?: ExitReason } = {},
): Promise<void> => {
  const weights = options.weights ?? {};
  await lambda.updateAlias(version, weights);
  const after = await lambda.getAlias();
  if (after.version !== version || !sameWeights(after.weights, weights)) {
    throw new PromoteError(
      options.reason ?? 'rollback_failed',
      'ALIAS_NOT_VERIFIED',
      `alias reads back as version ${after.version} with weights ${JSON.stringify(after.weights)}, expected ${version} with ${Object.keys(weights).length ? JSON.stringify(weights) : 'none'}`,
    );
  }
};
