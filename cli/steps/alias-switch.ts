import type { LambdaApi } from '../aws/lambda-api.js';
import { PromoteError } from '../errors.js';

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
