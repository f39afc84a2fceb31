import { mkdtemp } from 'node:fs/promises';

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CloudWatchClient,
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
import {
  at,
  BASE,
  type CloudWatchHarness,
  fileStores,
  rejection,
  SIT_ACCOUNT,
  startCloudWatchHarness,
} from './cloudwatch-harness.js';

/**
 * Scoping and durability of the CloudWatch emulation: dashboards (per account), isolation
 * between the sit and prod accounts and between regions, and stores reopened on the same
 * files, all through the real @aws-sdk/client-cloudwatch.
 */

const NS = 'Sandbox/Scope';

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
  let server: CloudWatchHarness;
  let sit: CloudWatchClient;
  let prod: CloudWatchClient;

  beforeAll(async () => {
    server = await startCloudWatchHarness();
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
    const first = fileStores(dir);
    const before = await startCloudWatchHarness({ stores: first });
    const writer = before.client('sandbox-sit');
    await writer.send(latencyDatum(30));
    await writer.send(alarmOn('sit-persisted'));
    await writer.send(
      new PutDashboardCommand({ DashboardName: 'kept', DashboardBody: '{"widgets":[]}' }),
    );
    first.alarms.evaluateAlarms(BASE + 65_000);
    await before.close();

    // Act
    const second = fileStores(dir);
    const after = await startCloudWatchHarness({ stores: second });
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
