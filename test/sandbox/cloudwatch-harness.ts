import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CloudWatchClient, type CloudWatchServiceException } from '@aws-sdk/client-cloudwatch';
import { AlarmStore } from '../../sandbox/cloudwatch/alarm-store.js';
import { createCloudWatchHandler } from '../../sandbox/cloudwatch/cloudwatch-handler.js';
import { DashboardStore } from '../../sandbox/cloudwatch/dashboard-store.js';
import { MetricStore } from '../../sandbox/cloudwatch/metric-store.js';
import { startGateway } from '../../sandbox/gateway/gateway-server.js';
import type { SandboxRequest } from '../../sandbox/gateway/types.js';
import { CredentialRegistry } from '../../sandbox/sts/credential-registry.js';

/**
 * A sandbox gateway serving only `monitoring` (CloudWatch) for the CloudWatch tests, with
 * real @aws-sdk/client-cloudwatch clients pointed at it. Access keys name the account
 * (`sandbox-sit`, `sandbox-prod`, …) as the gateway's CredentialRegistry resolves them.
 */

/** Start of the previous hour: inside PutMetricData's two-week window, minute-aligned. */
export const BASE = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;

/** The instant `seconds` after {@link BASE}. */
export const at = (seconds: number) => new Date(BASE + seconds * 1000);

/** The account the `sandbox-sit` access key resolves to. */
export const SIT_ACCOUNT = '815856636111';

/** The three stores behind the CloudWatch handler. */
export interface CloudWatchStores {
  readonly metrics: MetricStore;
  readonly alarms: AlarmStore;
  readonly dashboards: DashboardStore;
}

/** Fresh in-memory stores: nothing is written to disk. */
export const memoryStores = (): CloudWatchStores => {
  const metrics = new MetricStore();
  return { metrics, alarms: new AlarmStore(metrics), dashboards: new DashboardStore() };
};

/**
 * Stores backed by files in `dir` (`metrics.jsonl`, `alarms.json`, `dashboards.json`);
 * calling it again on the same `dir` reopens what the previous stores wrote.
 */
export const fileStores = (dir: string): CloudWatchStores => {
  const metrics = new MetricStore(join(dir, 'metrics.jsonl'));
  return {
    metrics,
    alarms: new AlarmStore(metrics, join(dir, 'alarms.json')),
    dashboards: new DashboardStore(join(dir, 'dashboards.json')),
  };
};

export interface CloudWatchHarnessOptions {
  /** The stores to serve; fresh {@link memoryStores} when omitted. */
  readonly stores?: CloudWatchStores;
  /** Called with every request the gateway routes to `monitoring`, before it is handled. */
  readonly onRequest?: (request: SandboxRequest) => void;
}

export interface CloudWatchHarness {
  /** The gateway's base URL, `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** The stores the handler serves from. */
  readonly stores: CloudWatchStores;
  /**
   * A CloudWatch SDK client for the account behind `accessKeyId` (no retries); it is
   * destroyed by {@link CloudWatchHarness.close}.
   */
  client(accessKeyId: string, region?: string): CloudWatchClient;
  /** Destroys every client made by {@link CloudWatchHarness.client}, then stops the gateway. */
  close(): Promise<void>;
}

/**
 * Starts a gateway on an ephemeral 127.0.0.1 port whose `monitoring` handler is
 * `createCloudWatchHandler` over `options.stores`; every other service answers 501.
 */
export const startCloudWatchHarness = async (
  options: CloudWatchHarnessOptions = {},
): Promise<CloudWatchHarness> => {
  const { stores = memoryStores(), onRequest } = options;
  const handler = createCloudWatchHandler(stores);
  const gateway = await startGateway({
    host: '127.0.0.1',
    port: 0,
    registry: new CredentialRegistry(),
    handlers: {
      monitoring: (request) => {
        onRequest?.(request);
        return handler(request);
      },
    },
    fallback: async () => ({ status: 501 }),
  });
  const endpoint = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  const clients: CloudWatchClient[] = [];
  return {
    endpoint,
    stores,
    client: (accessKeyId, region = 'eu-west-1') => {
      const client = new CloudWatchClient({
        endpoint,
        region,
        credentials: { accessKeyId, secretAccessKey: 'sandbox' },
        maxAttempts: 1,
      });
      clients.push(client);
      return client;
    },
    close: async () => {
      for (const c of clients) c.destroy();
      await new Promise((resolve) => gateway.close(resolve));
    },
  };
};

/** The error a command rejects with (fails the test if it resolves). */
export const rejection = async (promise: Promise<unknown>): Promise<CloudWatchServiceException> => {
  try {
    await promise;
  } catch (error) {
    return error as CloudWatchServiceException;
  }
  throw new Error('expected the call to fail');
};
