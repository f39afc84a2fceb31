import { join } from 'node:path';
import { ENV_NAMES, ENVIRONMENTS, type EnvName } from '../../infra/environments.js';
import type { LambdaRuntime } from '../lambda/lambda-runtime.js';
import { type ApiFront, startApiFront } from './front.js';
import { loadSandboxKeys } from './jwt.js';

/**
 * The sandbox's API Gateway stand-ins: one front per environment, then one per failover
 * region, each on its own port after the gateway's and each invoking the `live` alias of
 * its own region's function (a region marked down answers as an outage).
 */
export const startApiFronts = async (input: {
  readonly envs: readonly EnvName[];
  readonly host: string;
  /** The gateway's port (fronts take the next ones), or 0 for free ports. */
  readonly basePort: number;
  readonly keysDir: string;
  readonly logsDir: string;
  readonly runtime: LambdaRuntime;
  readonly isDown: (region: string) => boolean;
}): Promise<{
  apiUrls: Partial<Record<EnvName, string>>;
  failoverApiUrls: Partial<Record<EnvName, string>>;
  close: () => Promise<void>;
}> => {
  const { envs, host, runtime } = input;
  const apiUrls: Partial<Record<EnvName, string>> = {};
  const failoverApiUrls: Partial<Record<EnvName, string>> = {};
  const started: ApiFront[] = [];
  const close = async () => {
    await Promise.all(started.map((front) => Promise.resolve(front.close()).catch(() => {})));
  };
  try {
    const keys = await loadSandboxKeys(input.keysDir);
    // One front per environment (port+1..+3), then one per failover region (PROD eu-west-1,
    // port+4): each invokes the `live` alias of its own region's function.
    const frontPlan = [
      ...envs.map((name) => ({
        name,
        region: ENVIRONMENTS[name].region,
        urls: apiUrls,
        slot: ENV_NAMES.indexOf(name),
        log: `api-${name}`,
      })),
      ...ENV_NAMES.filter((name) => envs.includes(name) && ENVIRONMENTS[name].failoverRegion).map(
        (name, index) => ({
          name,
          region: ENVIRONMENTS[name].failoverRegion as string,
          urls: failoverApiUrls,
          slot: ENV_NAMES.length + index,
          log: `api-${name}-${ENVIRONMENTS[name].failoverRegion}`,
        }),
      ),
    ];
    for (const planned of frontPlan) {
      const env = ENVIRONMENTS[planned.name];
      const front: ApiFront = await startApiFront({
        env: planned.name,
        host,
        port: input.basePort === 0 ? 0 : input.basePort + 1 + planned.slot,
        keys,
        logPath: join(input.logsDir, `${planned.log}.access.jsonl`),
        regionDown: () => input.isDown(planned.region),
        invoke: async ({ payload }) => {
          const result = await runtime.invoke({
            account: env.account,
            region: planned.region,
            functionName: env.functionName,
            qualifier: env.alias,
            payload,
            invocationType: 'RequestResponse',
          });
          return {
            statusCode: result.statusCode,
            payload: result.payload,
            executedVersion: result.executedVersion ?? '$LATEST',
            ...(result.functionError ? { functionError: result.functionError } : {}),
          };
        },
      });
      planned.urls[planned.name] = front.url;
      started.push(front);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { apiUrls, failoverApiUrls, close };
};
