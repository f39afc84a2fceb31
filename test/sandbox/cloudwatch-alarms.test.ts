import {
  type CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmStore } from '../../sandbox/cloudwatch/alarm-store.js';
import {
  at,
  BASE,
  type CloudWatchHarness,
  rejection,
  SIT_ACCOUNT,
  startCloudWatchHarness,
} from './cloudwatch-harness.js';

/**
 * Metric alarms through the real @aws-sdk/client-cloudwatch: definition, the evaluation loop
 * driven explicitly with `AlarmStore.evaluateAlarms(now)`, state filters, history,
 * SetAlarmState, deletion and tags. Times are fixed relative to a minute-aligned BASE so
 * each evaluation reads exactly one known period.
 */

const NS = 'Sandbox/Alarms';

describe('CloudWatch alarms through the JS SDK', () => {
  let harness: CloudWatchHarness;
  let alarms: AlarmStore;
  let sit: CloudWatchClient;

  const describeOne = async (name: string) => {
    const out = await sit.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
    return out.MetricAlarms?.[0];
  };

  const put = (MetricName: string, seconds: number, Value: number) =>
    sit.send(
      new PutMetricDataCommand({
        Namespace: NS,
        MetricData: [
          {
            MetricName,
            Dimensions: [{ Name: 'FunctionName', Value: 'order-handler-sit' }],
            Timestamp: at(seconds),
            Value,
          },
        ],
      }),
    );

  beforeAll(async () => {
    harness = await startCloudWatchHarness();
    alarms = harness.stores.alarms;
    sit = harness.client('sandbox-sit');
  });

  afterAll(() => harness.close());

  it('moves INSUFFICIENT_DATA → ALARM → OK as evaluations read breaching, then healthy data', async () => {
    // Prepare
    await sit.send(
      new PutMetricAlarmCommand({
        AlarmName: 'sit-latency-high',
        AlarmDescription: 'p99-ish latency guard',
        Namespace: NS,
        MetricName: 'Latency',
        Dimensions: [{ Name: 'FunctionName', Value: 'order-handler-sit' }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 100,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: ['arn:aws:sns:eu-west-1:815856636111:order-alarms-sit'],
      }),
    );
    const created = await describeOne('sit-latency-high');
    await put('Latency', 10, 250);

    // Act: the minute [BASE, BASE+60 s) has closed by BASE+65 s.
    const toAlarm = alarms.evaluateAlarms(BASE + 65_000);
    const alarmed = await describeOne('sit-latency-high');
    await put('Latency', 70, 20);
    const toOk = alarms.evaluateAlarms(BASE + 125_000);
    const recovered = await describeOne('sit-latency-high');
    const history = await sit.send(
      new DescribeAlarmHistoryCommand({
        AlarmName: 'sit-latency-high',
        HistoryItemType: 'StateUpdate',
      }),
    );

    // Assess
    expect(created).toMatchObject({
      AlarmArn: `arn:aws:cloudwatch:eu-west-1:${SIT_ACCOUNT}:alarm:sit-latency-high`,
      StateValue: 'INSUFFICIENT_DATA',
      ActionsEnabled: true,
      Threshold: 100,
    });
    expect(created?.StateUpdatedTimestamp).toBeInstanceOf(Date);
    expect(toAlarm.map((t) => [t.alarmName, t.newState, t.actions])).toEqual([
      ['sit-latency-high', 'ALARM', ['arn:aws:sns:eu-west-1:815856636111:order-alarms-sit']],
    ]);
    expect(alarmed?.StateValue).toBe('ALARM');
    expect(alarmed?.StateReason).toMatch(
      /^Threshold Crossed: 1 out of the last 1 datapoints \[250\.0 \(.+\)\] was greater than the threshold \(100\.0\)/,
    );
    expect(JSON.parse(alarmed?.StateReasonData ?? '{}')).toMatchObject({
      statistic: 'Maximum',
      period: 60,
      recentDatapoints: [250],
      threshold: 100,
    });
    expect(toOk.map((t) => t.newState)).toEqual(['OK']);
    expect(recovered?.StateValue).toBe('OK');
    expect(history.AlarmHistoryItems?.map((h) => h.HistorySummary)).toEqual([
      'Alarm updated from ALARM to OK',
      'Alarm updated from INSUFFICIENT_DATA to ALARM',
    ]);
    expect(history.AlarmHistoryItems?.[1]?.Timestamp).toEqual(new Date(BASE + 65_000));
  });

  it('evaluates a metric-math alarm and filters DescribeAlarms by StateValue and prefix', async () => {
    // Prepare: 10 errors in 100 invocations = 10 % > 5 %.
    const fn = [{ Name: 'FunctionName', Value: 'order-handler-sit' }];
    await sit.send(
      new PutMetricAlarmCommand({
        AlarmName: 'sit-error-rate',
        EvaluationPeriods: 1,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        Metrics: [
          {
            Id: 'errors',
            ReturnData: false,
            MetricStat: {
              Metric: { Namespace: NS, MetricName: 'Errors', Dimensions: fn },
              Period: 60,
              Stat: 'Sum',
            },
          },
          {
            Id: 'invocations',
            ReturnData: false,
            MetricStat: {
              Metric: { Namespace: NS, MetricName: 'Invocations', Dimensions: fn },
              Period: 60,
              Stat: 'Sum',
            },
          },
          { Id: 'rate', Expression: '100*errors/invocations', ReturnData: true },
        ],
      }),
    );
    await sit.send(
      new PutMetricAlarmCommand({
        AlarmName: 'sit-idle',
        Namespace: NS,
        MetricName: 'NeverPublished',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    await put('Errors', 600, 10);
    await put('Invocations', 600, 100);

    // Act
    alarms.evaluateAlarms(BASE + 665_000);
    const inAlarm = await sit.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }));
    const insufficient = await sit.send(
      new DescribeAlarmsCommand({ StateValue: 'INSUFFICIENT_DATA' }),
    );
    const prefixed = await sit.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'sit-error' }));
    const composites = await sit.send(
      new DescribeAlarmsCommand({ AlarmTypes: ['CompositeAlarm'] }),
    );

    // Assess
    expect(inAlarm.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['sit-error-rate']);
    expect(inAlarm.MetricAlarms?.[0]?.Metrics?.map((m) => m.Id)).toEqual([
      'errors',
      'invocations',
      'rate',
    ]);
    expect(inAlarm.MetricAlarms?.[0]?.StateReason).toMatch(/\[10\.0 /);
    // Missing data with the default TreatMissingData reads as INSUFFICIENT_DATA.
    expect(insufficient.MetricAlarms?.map((a) => a.AlarmName)).toContain('sit-idle');
    expect(insufficient.MetricAlarms?.map((a) => a.AlarmName)).not.toContain('sit-error-rate');
    expect(prefixed.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['sit-error-rate']);
    expect(composites.MetricAlarms).toEqual([]);
  });

  it('sets state by hand, tags, deletes, and refuses unknown alarms with ResourceNotFound', async () => {
    // Prepare
    await sit.send(
      new PutMetricAlarmCommand({
        AlarmName: 'sit-manual',
        Namespace: NS,
        MetricName: 'Latency',
        ExtendedStatistic: 'p95',
        Period: 60,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        Threshold: 1000,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Tags: [{ Key: 'env', Value: 'sit' }],
      }),
    );
    const arn = `arn:aws:cloudwatch:eu-west-1:${SIT_ACCOUNT}:alarm:sit-manual`;

    // Act
    await sit.send(
      new SetAlarmStateCommand({
        AlarmName: 'sit-manual',
        StateValue: 'ALARM',
        StateReason: 'testing the pager',
        StateReasonData: '{"source":"test"}',
      }),
    );
    const manual = await describeOne('sit-manual');
    await sit.send(
      new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'owner', Value: 'orders' }] }),
    );
    await sit.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['env'] }));
    const tags = await sit.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
    const badReasonData = await rejection(
      sit.send(
        new SetAlarmStateCommand({
          AlarmName: 'sit-manual',
          StateValue: 'OK',
          StateReason: 'x',
          StateReasonData: 'not json',
        }),
      ),
    );
    await sit.send(new DeleteAlarmsCommand({ AlarmNames: ['sit-manual'] }));
    const afterDelete = await sit.send(new DescribeAlarmsCommand({ AlarmNames: ['sit-manual'] }));
    const deleteMissing = await rejection(
      sit.send(new DeleteAlarmsCommand({ AlarmNames: ['sit-manual'] })),
    );
    const setMissing = await rejection(
      sit.send(new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'OK', StateReason: 'x' })),
    );

    // Assess
    expect(manual).toMatchObject({
      StateValue: 'ALARM',
      StateReason: 'testing the pager',
      StateReasonData: '{"source":"test"}',
      ExtendedStatistic: 'p95',
      DatapointsToAlarm: 2,
    });
    expect(manual?.Statistic).toBeUndefined();
    expect(tags.Tags).toEqual([{ Key: 'owner', Value: 'orders' }]);
    expect(badReasonData.name).toBe('InvalidFormatFault');
    expect(afterDelete.MetricAlarms).toEqual([]);
    expect(deleteMissing.name).toBe('ResourceNotFound');
    expect(deleteMissing.$metadata.httpStatusCode).toBe(404);
    expect(setMissing.name).toBe('ResourceNotFound');
  });

  it('refuses inconsistent alarm definitions with 400s', async () => {
    // Act
    const both = await rejection(
      sit.send(
        new PutMetricAlarmCommand({
          AlarmName: 'bad-both',
          Namespace: NS,
          MetricName: 'Latency',
          Statistic: 'Average',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanThreshold',
          Metrics: [{ Id: 'e1', Expression: '1' }],
        }),
      ),
    );
    const badPeriod = await rejection(
      sit.send(
        new PutMetricAlarmCommand({
          AlarmName: 'bad-period',
          Namespace: NS,
          MetricName: 'Latency',
          Statistic: 'Average',
          Period: 45,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      ),
    );
    const twoReturned = await rejection(
      sit.send(
        new PutMetricAlarmCommand({
          AlarmName: 'bad-return',
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanThreshold',
          Metrics: [
            { Id: 'a', Expression: '1' },
            { Id: 'b', Expression: '2' },
          ],
        }),
      ),
    );
    const listed = await sit.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'bad-' }));

    // Assess
    expect(both.name).toBe('InvalidParameterCombinationException');
    expect(both.$metadata.httpStatusCode).toBe(400);
    expect(badPeriod.name).toBe('InvalidParameterValueException');
    expect(twoReturned.name).toBe('ValidationException');
    expect(listed.MetricAlarms).toEqual([]);
  });
});
