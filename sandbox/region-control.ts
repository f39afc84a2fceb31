import { ENVIRONMENTS, type EnvName } from '../infra/environments.js';
import type { ReplicaRegistry } from './dynamodb/replica-registry.js';
import type { Replicator } from './dynamodb/replication.js';
import type { OutageRegistry } from './gateway/region-outage.js';
import type { SandboxResponse } from './gateway/types.js';
import { type EnvStatus, functionStatus } from './sandbox-status.js';

/**
 * The control routes of PROD's two regions (`/_sandbox/…`, unsigned, for the CLI and tests):
 * - `GET /_sandbox/replication`: the replicator's queue and lag, and every global table;
 * - `GET /_sandbox/outage`: the regions down;
 * - `POST /_sandbox/outage {region, down}`: takes a region down (`down: true`) or back up.
 */

const json = (status: number, payload: unknown): SandboxResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(payload),
});

export interface RegionControlDeps {
  readonly outages: OutageRegistry;
  readonly replicator: Replicator;
  readonly registry: ReplicaRegistry;
}

/** Answers a region route, or undefined when `path` is not one. */
export const regionControl =
  (deps: RegionControlDeps) =>
  (method: string, path: string, input: Record<string, unknown>): SandboxResponse | undefined => {
    if (path === 'replication' && method === 'GET') {
      return json(200, { ...deps.replicator.stats(), globalTables: deps.registry.list() });
    }
    if (path !== 'outage') return undefined;
    if (method === 'GET') {
      return json(200, { outages: deps.outages.list(), regions: deps.outages.regions });
    }
    if (method === 'POST') {
      if (typeof input.region !== 'string' || typeof input.down !== 'boolean') {
        return json(400, { error: 'give {"region": "<region>", "down": true|false}' });
      }
      try {
        const outages = deps.outages.set(input.region, input.down);
        return json(200, { region: input.region, down: input.down, outages });
      } catch (error) {
        return json(400, { error: (error as Error).message });
      }
    }
    return undefined;
  };

/** Every region the sandbox models: each environment's, and PROD's failover region. */
export const sandboxRegions = (): string[] => [
  ...new Set(
    Object.values(ENVIRONMENTS).flatMap((e) => [
      e.region,
      ...(e.failoverRegion ? [e.failoverRegion] : []),
    ]),
  ),
];

/** `sandbox status` of each environment's failover region: its function's alias and versions. */
export const failoverStatus = async (options: {
  motoEndpoint: string;
  envs: readonly EnvName[];
}): Promise<Partial<Record<EnvName, EnvStatus>>> => {
  const result: Partial<Record<EnvName, EnvStatus>> = {};
  for (const name of options.envs) {
    const env = ENVIRONMENTS[name];
    if (!env.failoverRegion) continue;
    const base = { account: env.account, region: env.failoverRegion, function: env.functionName };
    try {
      result[name] = {
        ...base,
        ...(await functionStatus(options.motoEndpoint, env, env.failoverRegion)),
        // terraform puts no alarms in the failover region.
        alarmsInAlarm: [],
      };
    } catch (error) {
      result[name] = { ...base, versions: [], alarmsInAlarm: [], error: (error as Error).message };
    }
  }
  return result;
};
