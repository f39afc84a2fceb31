import { ENVIRONMENTS, type EnvName } from '../../infra/environments.js';
import type { MetricSink } from '../cloudwatch/metric-sink.js';
import type { LambdaRuntime } from '../lambda/lambda-runtime.js';
import { ScheduledRules, scheduleScale } from './scheduled-rules.js';

/**
 * Starts the sandbox's scheduled rules (see scheduled-rules.ts) for the environments the
 * sandbox runs — both regions of PROD — with the time compression of
 * `SANDBOX_SCHEDULE_SCALE` (e.g. 0.05: a minute becomes 3 s; default 1, real time).
 */
export const startSchedules = (options: {
  envs: readonly EnvName[];
  motoEndpoint: string;
  runtime: LambdaRuntime;
  metrics: MetricSink;
  log: (line: string) => void;
  /** A target ARN as moto holds it (an SQS shadow queue) → the function's ARN. */
  resolveTarget: (arn: string) => string | undefined;
  /** Default: `process.env.SANDBOX_SCHEDULE_SCALE`. */
  scale?: number;
}): { stop(): void } => {
  const scale = options.scale ?? scheduleScale(process.env.SANDBOX_SCHEDULE_SCALE, options.log);
  const scopes = options.envs.flatMap((name) => {
    const env = ENVIRONMENTS[name];
    return [env.region, ...(env.failoverRegion ? [env.failoverRegion] : [])].map((region) => ({
      account: env.account,
      region,
    }));
  });
  const rules = new ScheduledRules({
    motoEndpoint: options.motoEndpoint,
    scopes: () => scopes,
    resolveTarget: (arn) => (arn.startsWith('arn:aws:lambda:') ? arn : options.resolveTarget(arn)),
    metrics: options.metrics,
    log: options.log,
    scale,
    // Listing the rules costs moto a few calls: often enough to see a new rule within a
    // (compressed) minute, rarely enough to stay out of the way.
    refreshMs: Math.min(5_000, Math.max(1_000, 60_000 * scale)),
    invoke: async (target, event) => {
      const result = await options.runtime.invoke({
        account: target.account,
        region: target.region,
        functionName: target.functionArn,
        payload: event,
        invocationType: 'RequestResponse',
      });
      return result.functionError ? { error: result.payload.toString('utf8') } : {};
    },
  });
  if (scale !== 1) options.log(`schedules: time scaled by ${scale} (SANDBOX_SCHEDULE_SCALE)`);
  rules.start();
  return { stop: () => rules.stop() };
};
