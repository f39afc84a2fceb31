import { Logger } from '@aws-lambda-powertools/logger';
import type { ScheduledEvent } from 'aws-lambda';
import { ENVIRONMENTS, isEnvName } from '../infra/environments.js';
import { guardedAlarms } from '../infra/guardian.js';
import { stateTableName } from '../infra/state-table.js';
import { awsPorts } from './aws-ports.js';
import { type GuardConfig, type GuardResult, guard } from './guard.js';

/**
 * Lambda entry point of `promote-guardian-<env>`, invoked by an EventBridge schedule
 * (infra/guardian.ts). Names, thresholds and alarms come from the spec bundled in; the
 * function's environment only says which environment (and the runtime, which region).
 */

const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'promote-guardian',
});

const configure = () => {
  const name = process.env.ENVIRONMENT ?? '';
  if (!isEnvName(name)) throw new Error(`ENVIRONMENT must name an environment, got "${name}"`);
  const env = ENVIRONMENTS[name];
  const region = process.env.AWS_REGION ?? env.region;
  const config: GuardConfig = {
    env: env.name,
    region,
    functionName: env.functionName,
    alias: env.alias,
    alarmNames: guardedAlarms(env),
  };
  const ports = awsPorts({
    region,
    functionName: env.functionName,
    alias: env.alias,
    stateTable: stateTableName(env.name),
    // The lock, the journals and the heartbeats live in the primary region only.
    stateTableRegion: env.region,
  });
  return { config, ports };
};

let made: ReturnType<typeof configure> | undefined;

export const handler = async (event: Partial<ScheduledEvent>): Promise<GuardResult> => {
  made ??= configure();
  logger.appendKeys({ env: made.config.env, region: made.config.region });
  logger.debug('scheduled look', { eventId: event.id, time: event.time });
  return guard(made.ports, made.config, () => new Date(), {
    info: (message, extra) => logger.info(message, extra ?? {}),
    warn: (message, extra) => logger.warn(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
  });
};
