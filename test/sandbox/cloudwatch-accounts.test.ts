import { mkdtemp } from 'node:fs/promises';

import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchClient,
  type CloudWatchServiceException,
  DeleteDashboardsCommand,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  GetMetricDataCommand,
  ListDashboardsCommand,
  ListMetricsCommand,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlarmStore } from '../../sandbox/cloudwatch/alarm-store.js';
import { createCloudWatchHandler } from '../../sandbox/cloudwatch/cloudwatch-handler.js';
import { DashboardStore } from '../../sandbox/cloudwatch/dashboard-store.js';
import { MetricStore } from '../../sandbox/cloudwatch/metric-store.js';
import { startGateway } from '../../sandbox/gateway/gateway-server.js';
import { CredentialRegistry } from '../../sandbox/sts/credential-registry.js';

/**
 * Scoping and durability of the CloudWatch emulation: dashboards (per account), isolation
 * between the sit and prod accounts and between regions, and stores reopened on the same
 * files, all through the real @aws-sdk/client-cloudwatch.
 */

const BASE = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
const at = (seconds: number) => new Date(BASE + seconds * 1000);
const NS = 'Sandbox/Scope';
const SIT_ACCOUNT = '815856636111';

const rejection = async (promise: Promise<unknown>): Promise<CloudWatchServiceException> => {
  try {
    await promise;
  } catch (error) {
    return error as CloudWatchServiceException;
  }
  throw new Error('expected the call to fail');
};

interface Stores {
  metrics: MetricStore;
  alarms: AlarmStore;
  dashboards: DashboardStore;
}

/** A gateway serving `monitoring` from these stores, and a client factory for it. */
const serve = async (stores: Stores) => {
  const gateway = await startGateway({
    host: '127.0.0.1',
    port: 0,
    registry: new CredentialRegistry(),
    handlers: { monitoring: createCloudWatchHandler(stores) },
    fallback: async () => ({ status: 501 }),
  });
  const endpoint = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  const clients: CloudWatchClient[] = [];
  return {
    client: (accessKeyId: string, region = 'eu-west-1') => {
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

const memoryStores = (): Stores => {
  const metrics = new MetricStore();
  return { metrics, alarms: new AlarmStore(metrics), dashboards: new DashboardStore() };
};

const latencyDatum = (Value: number) =>
  new PutMetricDataCommand({
    Namespace: NS,
    MetricData: [{ MetricName: 'Latency', Timestamp: at(0), Value }],
  });

const latencyQuery = new GetMetricDataCommand({
  MetricDataQueries: [
    {
      Id: 'm1',
      MetricStat: {
        Metric: { Namespace: NS, MetricName: 'Latency' },
        Period: 60,
        Stat: 'Sum',
      },
    },
  ],
  StartTime: at(0),
  EndTime: at(60),
});

const alarmOn = (AlarmName: string) =>
  new PutMetricAlarmCommand({
    AlarmName,
    Namespace: NS,
    MetricName: 'Latency',
    Statistic: 'Sum',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 10,
    ComparisonOperator: 'GreaterThanThreshold',
  });

describe('CloudWatch dashboards, account/region isolation and persistence', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  let sit: CloudWatchClient;
  let prod: CloudWatchClient;

  beforeAll(async () => {
    server = await serve(memoryStores());
    sit = server.client('sandbox-sit');
    // Same region on purpose: only the account tells the two apart.
    prod = server.client('sandbox-prod');
  });

  afterAll(() => server.close());

  it('puts, gets, lists and deletes dashboards', async () => {
    // Prepare
    const body = JSON.stringify({
      widgets: [{ type: 'text', x: 0, y: 0, width: 6, height: 2, properties: { markdown: 'hi' } }],
    });

    // Act
    const put = await sit.send(
      new PutDashboardCommand({ DashboardName: 'order-lambda-sit-dashboard', DashboardBody: body }),
    );
    await sit.send(
      new PutDashboardCommand({ DashboardName: 'other', DashboardBody: '{"widgets":[]}' }),
    );
    const got = await sit.send(
      new GetDashboardCommand({ DashboardName: 'order-lambda-sit-dashboard' }),
    );
    const listed = await sit.send(new ListDashboardsCommand({ DashboardNamePrefix: 'order-' }));
    const invalid = await rejection(
      sit.send(new PutDashboardCommand({ DashboardName: 'bad', DashboardBody: '[1,2]' })),
    );
    await sit.send(new DeleteDashboardsCommand({ DashboardNames: ['order-lambda-sit-dashboard'] }));
    const afterDelete = await sit.send(new ListDashboardsCommand({}));
    const gone = await rejection(
      sit.send(new GetDashboardCommand({ DashboardName: 'order-lambda-sit-dashboard' })),
    );

    // Assess
    expect(put.DashboardValidationMessages).toEqual([]);
    expect(got).toMatchObject({
      DashboardName: 'order-lambda-sit-dashboard',
      DashboardArn: `arn:aws:cloudwatch::${SIT_ACCOUNT}:dashboard/order-lambda-sit-dashboard`,
      DashboardBody: body,
    });
    expect(listed.DashboardEntries).toHaveLength(1);
    expect(listed.DashboardEntries?.[0]).toMatchObject({
      DashboardName: 'order-lambda-sit-dashboard',
      Size: Buffer.byteLength(body),
    });
    expect(listed.DashboardEntries?.[0]?.LastModified).toBeInstanceOf(Date);
    expect(invalid.name).toBe('DashboardInvalidInputError');
    expect(invalid.$metadata.httpStatusCode).toBe(400);
    expect(afterDelete.DashboardEntries?.map((d) => d.DashboardName)).toEqual(['other']);
    expect(gone.$metadata.httpStatusCode).toBe(404);
  });

  it('keeps metrics, alarms and dashboards of the sit account away from prod', async () => {
    // Prepare
    await sit.send(latencyDatum(42));
    await sit.send(alarmOn('sit-only'));
    await sit.send(
      new PutDashboardCommand({ DashboardName: 'sit-board', DashboardBody: '{"widgets":[]}' }),
    );

    // Act
    const sitData = await sit.send(latencyQuery);
    const prodData = await prod.send(latencyQuery);
    const prodMetrics = await prod.send(new ListMetricsCommand({ Namespace: NS }));
    const prodAlarms = await prod.send(new DescribeAlarmsCommand({}));
    const prodBoard = await rejection(
      prod.send(new GetDashboardCommand({ DashboardName: 'sit-board' })),
    );

    // Assess
    expect(sitData.MetricDataResults?.[0]?.Values).toEqual([42]);
    expect(prodData.MetricDataResults?.[0]?.Values).toEqual([]);
    expect(prodMetrics.Metrics).toEqual([]);
    expect(prodAlarms.MetricAlarms).toEqual([]);
    expect(prodBoard.name).toBe('ResourceNotFound');
  });

  it('scopes metrics and alarms by region but dashboards only by account', async () => {
    // Prepare
    const sitUs = server.client('sandbox-sit', 'us-east-1');
    await sit.send(latencyDatum(7));
    await sit.send(alarmOn('sit-eu-only'));
    await sit.send(
      new PutDashboardCommand({ DashboardName: 'global-board', DashboardBody: '{"widgets":[]}' }),
    );

    // Act
    const usMetrics = await sitUs.send(new ListMetricsCommand({ Namespace: NS }));
    const usAlarms = await sitUs.send(new DescribeAlarmsCommand({ AlarmNames: ['sit-eu-only'] }));
    const usBoard = await sitUs.send(new GetDashboardCommand({ DashboardName: 'global-board' }));

    // Assess
    expect(usMetrics.Metrics).toEqual([]);
    expect(usAlarms.MetricAlarms).toEqual([]);
    expect(usBoard.DashboardName).toBe('global-board');
  });

  it('reopens stores on the same files with the previous metrics, alarms and dashboards', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'cloudwatch-persist-'));
    const open = (): Stores => {
      const metrics = new MetricStore(join(dir, 'metrics.jsonl'));
      return {
        metrics,
        alarms: new AlarmStore(metrics, join(dir, 'alarms.json')),
        dashboards: new DashboardStore(join(dir, 'dashboards.json')),
      };
    };
    const first = open();
    const before = await serve(first);
    const writer = before.client('sandbox-sit');
    await writer.send(latencyDatum(30));
    await writer.send(alarmOn('sit-persisted'));
    await writer.send(
      new PutDashboardCommand({ DashboardName: 'kept', DashboardBody: '{"widgets":[]}' }),
    );
    first.alarms.evaluateAlarms(BASE + 65_000);
    await before.close();

    // Act
    const second = open();
    const after = await serve(second);
    const reader = after.client('sandbox-sit');
    const data = await reader.send(latencyQuery);
    const described = await reader.send(
      new DescribeAlarmsCommand({ AlarmNames: ['sit-persisted'] }),
    );
    const board = await reader.send(new GetDashboardCommand({ DashboardName: 'kept' }));
    await after.close();

    // Assess
    expect(data.MetricDataResults?.[0]?.Values).toEqual([30]);
    expect(described.MetricAlarms?.[0]).toMatchObject({
      AlarmName: 'sit-persisted',
      StateValue: 'ALARM',
      Threshold: 10,
    });
    expect(second.alarms.history(SIT_ACCOUNT, 'eu-west-1', 'sit-persisted')).toHaveLength(2);
    expect(board.DashboardBody).toBe('{"widgets":[]}');
  });
});
