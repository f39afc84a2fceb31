import type { CanaryProgress } from '../journal/run-journal.js';
import type { CanarySpec } from '../plans/canary-spec.js';
import type { StepContext } from '../steps/step-context.js';
import { CanaryHeartbeat } from './heartbeat.js';

/**
 * The heartbeat of this run's canary, with what the guardian must know to restore safely:
 * both versions with their CodeSha256, the analysis interval, the alarms the run allows.
 * Reading the stable version's CodeSha256 is best effort (the record shows "" if unknown).
 */
export const runHeartbeat = async (
  ctx: StepContext,
  spec: CanarySpec,
  progress: CanaryProgress,
): Promise<CanaryHeartbeat> => {
  const { stateApi } = await import('../aws/state-api.js');
  const codeSha = (version: string) =>
    ctx.apis.lambda.getFunction(version).then(
      (f) => f.codeSha256,
      () => '',
    );
  const candidateSha =
    ctx.journal.inputs?.artifact.codeSha256 ?? (await codeSha(progress.candidate));
  return new CanaryHeartbeat(
    {
      runId: ctx.journal.runId,
      env: ctx.plan.env.name,
      region: ctx.plan.env.region,
      functionName: ctx.plan.env.functionName,
      alias: ctx.plan.env.alias,
      stable: { version: progress.stable, codeSha256: await codeSha(progress.stable) },
      candidate: { version: progress.candidate, codeSha256: candidateSha },
      analysisIntervalSeconds: spec.analysisIntervalSeconds,
      allowedAlarms: progress.allowedAlarms.map((a) => a.name),
    },
    {
      state: stateApi(ctx.target),
      warn: (message) => ctx.io.warn('HEARTBEAT_WRITE_FAILED', message),
      ...(ctx.options.now ? { now: ctx.options.now } : {}),
    },
  );
};
