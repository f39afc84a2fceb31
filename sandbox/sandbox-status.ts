import {
  GetAliasCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda';
import { ENVIRONMENTS, type Environment, type EnvName } from '../infra/environments.js';
import type { AlarmStore } from './cloudwatch/alarm-store.js';
import { motoClient } from './moto/clients.js';

/** One environment as `promote sandbox status` shows it. */
export interface EnvStatus {
  readonly account: string;
  readonly region: string;
  readonly function: string;
  readonly alias?: { readonly version?: string; readonly weights: Record<string, number> };
  readonly versions: readonly string[];
  readonly alarmsInAlarm: readonly string[];
  readonly error?: string;
}

/** The env's function in `region`: where alias `live` points and the published versions. */
export const functionStatus = async (
  motoEndpoint: string,
  env: Environment,
  region: string,
): Promise<Pick<EnvStatus, 'alias' | 'versions'>> => {
  const lambda = motoClient(LambdaClient, motoEndpoint, env.account, region);
  const [alias, versions] = await Promise.all([
    lambda.send(new GetAliasCommand({ FunctionName: env.functionName, Name: env.alias })),
    lambda.send(new ListVersionsByFunctionCommand({ FunctionName: env.functionName })),
  ]);
  return {
    alias: {
      ...(alias.FunctionVersion ? { version: alias.FunctionVersion } : {}),
      weights: alias.RoutingConfig?.AdditionalVersionWeights ?? {},
    },
    versions: (versions.Versions ?? [])
      .map((v) => v.Version ?? '')
      .filter((v) => v && v !== '$LATEST'),
  };
};

/** Reads each environment's alias, published versions and firing alarms. */
export const sandboxStatus = async (options: {
  motoEndpoint: string;
  alarms: AlarmStore;
  envs: readonly EnvName[];
}): Promise<Partial<Record<EnvName, EnvStatus>>> => {
  const result: Partial<Record<EnvName, EnvStatus>> = {};
  for (const name of options.envs) {
    const env = ENVIRONMENTS[name];
    const base = {
      account: env.account,
      region: env.region,
      function: env.functionName,
      alarmsInAlarm: options.alarms
        .list(env.account, env.region)
        .filter((a) => a.StateValue === 'ALARM')
        .map((a) => a.AlarmName),
    };
    try {
      result[name] = {
        ...base,
        ...(await functionStatus(options.motoEndpoint, env, env.region)),
      };
    } catch (error) {
      result[name] = { ...base, versions: [], error: (error as Error).message };
    }
  }
  return result;
};
