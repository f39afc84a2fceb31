import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { ENV_NAMES, ENVIRONMENTS, type EnvName } from '../infra/environments.js';
import { startApiFronts } from './api/start-fronts.js';
import { startBackgroundLoops } from './background-loops.js';
import { createBackupHandler } from './backup/backup-handler.js';
import { BackupSelectionStore } from './backup/selection-store.js';
import { AlarmStore } from './cloudwatch/alarm-store.js';
import { createCloudWatchHandler } from './cloudwatch/cloudwatch-handler.js';
import { DashboardStore } from './cloudwatch/dashboard-store.js';
import { startHostLoadSampler } from './cloudwatch/host-load.js';
import { MetricStore } from './cloudwatch/metric-store.js';
import { BackupStore } from './dynamodb/backups.js';
import { createDynamoDbHandler } from './dynamodb/dynamodb-handler.js';
import { GlobalTables } from './dynamodb/global-tables.js';
import { ReplicaRegistry } from './dynamodb/replica-registry.js';
import { Replicator } from './dynamodb/replication.js';
import { claimEngineLock } from './engines/engine-lock.js';
import {
  freePort,
  type LocalEngine,
  MissingPrerequisite,
  startDynamoDbLocal,
  startMoto,
} from './engines/local-engines.js';
import { createEventsHandler } from './events/events-handler.js';
import { LambdaTargetTable } from './events/lambda-targets.js';
import { TargetPoller } from './events/target-poller.js';
import { startGateway } from './gateway/gateway-server.js';
import { OutageRegistry, outageResponse } from './gateway/region-outage.js';
import type { SandboxResponse } from './gateway/types.js';
import { IamAuthorizer } from './iam/authorizer.js';
import { RolePolicyStore } from './iam/policy-store.js';
import { CodeStore } from './lambda/code-store.js';
import { FaultRegistry } from './lambda/fault-registry.js';
import { createLambdaHandler } from './lambda/lambda-handler.js';
import { LambdaRuntime } from './lambda/lambda-runtime.js';
import { MotoForwarder } from './moto/moto-forwarder.js';
import { type SandboxPaths, sandboxPaths } from './paths.js';
import type { ProvisionResult } from './provision.js';
import { provisionAll } from './provision-all.js';
import { failoverStatus, regionControl, sandboxRegions } from './region-control.js';
import { sandboxStatus } from './sandbox-status.js';
import { startSchedules } from './schedule/start-schedules.js';
import { CredentialRegistry } from './sts/credential-registry.js';
import { createStsHandler } from './sts/sts-handler.js';

/**
 * The whole sandbox in one process: DynamoDB Local and moto as children, the gateway on one
 * port routing by SigV4 signing name, the Lambda runtime, CloudWatch emulation, one API front
 * per environment (and one more for PROD's failover region), global tables replicating PROD's
 * tables between its two regions, region outages for DR drills, and the background loops AWS
 * would run (EventBridge → Lambda delivery, SQS depth metrics, alarm evaluation).
 * `sandbox/daemon.ts` runs it detached; tests start it in-process.
 */

export interface SandboxOptions {
  /** The `.promote` directory; state lives in `<home>/sandbox`. */
  readonly home: string;
  /**
   * Gateway port (0 = any free port). API fronts use port+1..+3 (dev, sit, prod) and port+4
   * (prod's failover region), or free ports when 0: a sandbox takes 5 consecutive ports.
   */
  readonly port: number;
  readonly host?: string;
  /** Discard all state first. */
  readonly fresh?: boolean;
  /** Which environments to provision (default all three). */
  readonly envs?: readonly EnvName[];
  /** Progress lines (the daemon writes them to its log). */
  readonly log?: (line: string) => void;
  /** How often alarms are evaluated and the DLQ depth sampled; default 1 s. */
  readonly tickMs?: number;
}

export interface Sandbox {
  readonly endpoint: string;
  readonly port: number;
  readonly apiUrls: Readonly<Partial<Record<EnvName, string>>>;
  /** The API front of an environment's failover region (PROD: eu-west-1). */
  readonly failoverApiUrls: Readonly<Partial<Record<EnvName, string>>>;
  readonly paths: SandboxPaths;
  readonly provisioned: readonly ProvisionResult[];
  /** What provisioning did in failover regions (PROD eu-west-1), apart from `provisioned`. */
  readonly provisionedFailover: readonly ProvisionResult[];
  readonly faults: FaultRegistry;
  readonly metrics: MetricStore;
  readonly alarms: AlarmStore;
  readonly runtime: LambdaRuntime;
  /** Global tables' replication (queue, lag). */
  readonly replicator: Replicator;
  /** Regions down for a DR drill. */
  readonly outages: OutageRegistry;
  /** Resolves when `shutdown` is requested through the control API. */
  readonly shutdownRequested: Promise<void>;
  stop(): Promise<void>;
}

const json = (status: number, payload: unknown): SandboxResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(payload),
});

/** Starts everything; on any failure, whatever was started is stopped again. */
export const startSandbox = async (options: SandboxOptions): Promise<Sandbox> => {
  const log = options.log ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  const paths = sandboxPaths(options.home);
  mkdirSync(paths.root, { recursive: true });
  // First, before --fresh wipes anything: a live sandbox on this home makes this throw
  // (EngineDirBusy), and engines a dead one left behind are stopped.
  const lock = await claimEngineLock({ file: paths.engines, dataDir: paths.dynamodb, log });
  // Released last, once the engines it records have stopped.
  const cleanups: Array<() => Promise<void> | void> = [() => lock.release()];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => {});
    cleanups.length = 0;
  };

  try {
    if (options.fresh) {
      // Not the lock we hold, nor the log the daemon is writing to (deleted, it would take
      // this start's messages with it).
      const keep = [paths.engines, paths.daemonLog];
      for (const entry of readdirSync(paths.root)) {
        const path = join(paths.root, entry);
        if (!keep.includes(path)) rmSync(path, { recursive: true, force: true });
      }
    }
    for (const dir of [paths.dynamodb, paths.code, paths.backups, paths.logs]) {
      mkdirSync(dir, { recursive: true });
    }
    const started = await Promise.allSettled([
      startDynamoDbLocal({ dbPath: paths.dynamodb, onSpawn: lock.record }),
      startMoto({ onSpawn: lock.record }),
    ]);
    for (const engine of started) {
      if (engine.status === 'fulfilled') cleanups.push(() => engine.value.stop());
    }
    const failures = started.flatMap((e) => (e.status === 'rejected' ? [e.reason as Error] : []));
    const missing = failures.filter((e) => e instanceof MissingPrerequisite);
    // Say everything that is missing at once, not one item per attempt.
    if (missing.length) throw new MissingPrerequisite(missing.map((e) => e.message).join('; '));
    if (failures[0]) throw failures[0];
    const [dynamo, moto] = started.map((e) => (e as PromiseFulfilledResult<LocalEngine>).value) as [
      LocalEngine,
      LocalEngine,
    ];
    log(`engines: DynamoDB Local ${dynamo.endpoint}, moto ${moto.endpoint}`);

    // Functions get the gateway's URL as AWS_ENDPOINT_URL, and moto's answers carry it in
    // place of moto's own address (queue URLs): the port is fixed first.
    const port = options.port === 0 ? await freePort() : options.port;
    const endpoint = `http://${host}:${port}`;
    const registry = new CredentialRegistry(paths.credentials);
    const forwarder = new MotoForwarder(moto.endpoint, paths.motoJournal, endpoint);
    const replayed = await forwarder.replay();
    if (replayed) log(`moto: replayed ${replayed} journaled calls`);

    const metrics = new MetricStore(paths.metrics);
    cleanups.push(() => metrics.flush());
    const alarms = new AlarmStore(metrics, paths.alarms);
    const dashboards = new DashboardStore(join(paths.root, 'dashboards.json'));
    const codeStore = new CodeStore(paths.code);
    const faults = new FaultRegistry(paths.faults);
    const targets = new LambdaTargetTable(join(paths.root, 'lambda-targets.json'));
    // PROD's two regions: global tables and outage drills (sandbox/dynamodb/global-tables.ts,
    // sandbox/gateway/region-outage.ts).
    const outages = new OutageRegistry(join(paths.root, 'outages.json'), sandboxRegions());
    const replicas = new ReplicaRegistry(join(paths.root, 'replicas.json'));
    const replicator = new Replicator({
      endpoint: dynamo.endpoint,
      registry: replicas,
      metrics,
      isDown: (region) => outages.isRecorded(region),
      pendingPath: join(paths.root, 'replication-pending.jsonl'),
      log,
    });
    cleanups.push(() => replicator.close());
    outages.onChange(() => replicator.wake());
    const globalTables = new GlobalTables({
      endpoint: dynamo.endpoint,
      registry: replicas,
      replicator,
      log,
    });
    cleanups.push(() => globalTables.close());
    await globalTables.resume();

    const runtime = new LambdaRuntime({
      motoEndpoint: moto.endpoint,
      codeStore,
      metrics,
      faults,
      logsDir: paths.logs,
      endpointUrl: endpoint,
      credentialsFor: (_account, roleArn) => registry.issueForRole(roleArn, 'order-handler'),
    });
    cleanups.push(() => runtime.close());
    // The machine's own load, so a canary judged while the sandbox was the bottleneck is
    // inconclusive rather than a verdict on the release (host-load.ts).
    const hostLoad = startHostLoadSampler({
      sink: metrics,
      targets: (options.envs ?? ENV_NAMES).map((n) => ({
        account: ENVIRONMENTS[n].account,
        region: ENVIRONMENTS[n].region,
      })),
    });
    cleanups.push(async () => hostLoad.stop());

    let requestShutdown: () => void = () => {};
    const shutdownRequested = new Promise<void>((resolve) => {
      requestShutdown = resolve;
    });
    const apiUrls: Partial<Record<EnvName, string>> = {};
    const failoverApiUrls: Partial<Record<EnvName, string>> = {};
    const envs = options.envs ?? ENV_NAMES;
    const regionRoutes = regionControl({ outages, replicator, registry: replicas });

    const control = async (req: IncomingMessage, body: Buffer): Promise<SandboxResponse> => {
      const path = new URL(req.url ?? '/', 'http://sandbox').pathname.replace('/_sandbox/', '');
      const input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, any>) : {};
      if (path === 'status' && req.method === 'GET') {
        return json(200, {
          endpoint,
          apiUrls,
          failoverApiUrls,
          envs: await sandboxStatus({ motoEndpoint: moto.endpoint, alarms, envs }),
          failover: await failoverStatus({ motoEndpoint: moto.endpoint, envs }),
          outages: outages.list(),
          replication: replicator.stats(),
          faults: faults.list(),
        });
      }
      const regional = regionRoutes(req.method ?? 'GET', path, input);
      if (regional) return regional;
      if (path === 'faults') {
        const env = ENVIRONMENTS[input.env as EnvName];
        if (!env) return json(400, { error: `unknown environment ${String(input.env)}` });
        const target = { account: env.account, functionName: env.functionName };
        if (req.method === 'DELETE') {
          faults.clear({ ...target, ...(input.version ? { version: String(input.version) } : {}) });
          return json(200, { cleared: true, faults: faults.list(target) });
        }
        if (req.method === 'POST') {
          try {
            const fault = faults.set({
              ...target,
              version: String(input.version),
              ...(input.errorRate !== undefined ? { errorRate: Number(input.errorRate) } : {}),
              ...(input.latencyMs !== undefined ? { latencyMs: Number(input.latencyMs) } : {}),
              ...(input.route ? { route: String(input.route) } : {}),
            });
            return json(200, { fault });
          } catch (error) {
            return json(400, { error: (error as Error).message });
          }
        }
      }
      if (path === 'shutdown' && req.method === 'POST') {
        setImmediate(requestShutdown);
        return json(202, { stopping: true });
      }
      return json(404, { error: `no control route ${req.method} /_sandbox/${path}` });
    };

    // IAM enforced at the gateway: operator keys pass, role sessions are held to their policies.
    const iam = new IamAuthorizer({ policies: new RolePolicyStore(moto.endpoint), log });
    const gateway = await startGateway({
      host,
      port,
      registry,
      authorizer: iam,
      handlers: {
        sts: createStsHandler(registry, moto.endpoint, iam),
        dynamodb: createDynamoDbHandler({
          endpoint: dynamo.endpoint,
          backups: new BackupStore(paths.backups),
          pitrPath: join(paths.root, 'pitr.json'),
          globalTables: { tables: globalTables, replicator },
        }),
        monitoring: createCloudWatchHandler({ metrics, alarms, dashboards }),
        lambda: createLambdaHandler({ forward: forwarder.handle, runtime, codeStore }),
        events: createEventsHandler({
          forward: forwarder.handle,
          motoEndpoint: moto.endpoint,
          targets,
        }),
        backup: createBackupHandler({
          forward: forwarder.handle,
          motoEndpoint: moto.endpoint,
          selections: new BackupSelectionStore(paths.backupSelections),
        }),
      },
      fallback: forwarder.handle,
      unavailable: (scope) => (outages.isDown(scope.region) ? outageResponse(scope) : undefined),
      control,
      onError: (error, request) =>
        log(`gateway error ${request.service} ${request.path}: ${(error as Error).message}`),
    });
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          gateway.close(() => resolve());
          gateway.closeAllConnections();
        }),
    );
    log(`gateway listening on ${endpoint}`);

    const { provisioned, failovers } = await provisionAll({
      envs,
      endpoint,
      paths,
      runtime,
      codeStore,
      log,
    });
    const fronts = await startApiFronts({
      envs,
      host,
      // 0: every front on a free port of its own (tests); else port+1.. in a block.
      basePort: options.port === 0 ? 0 : port,
      keysDir: paths.keys,
      logsDir: paths.logs,
      runtime,
      isDown: (region) => outages.isDown(region),
    });
    cleanups.push(() => fronts.close());
    Object.assign(apiUrls, fronts.apiUrls);
    Object.assign(failoverApiUrls, fronts.failoverApiUrls);

    const poller = new TargetPoller({
      motoEndpoint: moto.endpoint,
      targets,
      metrics,
      invoke: async (target, event) => {
        try {
          const result = await runtime.invoke({
            account: target.account,
            region: target.region,
            functionName: target.functionArn,
            payload: event,
            invocationType: 'RequestResponse',
          });
          return result.functionError
            ? { ok: false, error: result.payload.toString('utf8').slice(0, 500) }
            : { ok: true };
        } catch (error) {
          return { ok: false, error: (error as Error).message };
        }
      },
    });
    poller.start();
    cleanups.push(() => poller.stop());
    // Rules with a ScheduleExpression (the PROD canary guardian's): moto never fires them.
    const schedules = startSchedules({
      envs,
      motoEndpoint: moto.endpoint,
      runtime,
      metrics,
      log,
      resolveTarget: (arn) => targets.byShadowArn(arn)?.functionArn,
    });
    cleanups.push(() => schedules.stop());

    const tick = startBackgroundLoops({
      envs,
      motoEndpoint: moto.endpoint,
      metrics,
      alarms,
      log,
      tickMs: options.tickMs ?? 1_000,
    });
    cleanups.push(() => clearInterval(tick));

    // Outages recorded before a restart apply once the sandbox has provisioned itself.
    outages.apply();

    return {
      endpoint,
      port,
      apiUrls,
      failoverApiUrls,
      paths,
      provisioned,
      provisionedFailover: failovers,
      faults,
      metrics,
      alarms,
      runtime,
      replicator,
      outages,
      shutdownRequested,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
