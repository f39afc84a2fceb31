import {
  type CloudWatchClient,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  type MetricDataQuery,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  at,
  BASE,
  type CloudWatchHarness,
  rejection,
  startCloudWatchHarness,
} from './cloudwatch-harness.js';

/**
 * PutMetricData → GetMetricData / GetMetricStatistics / ListMetrics through the real
 * @aws-sdk/client-cloudwatch (AWS JSON 1.0), over the sandbox gateway. Expected numbers are
 * derived by hand from the nearest-rank percentile: pNN is the smallest value whose
 * cumulative count reaches ⌈NN/100 · N⌉.
 */

const NS = 'Sandbox/Test';
const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

const stat = (
  Id: string,
  MetricName: string,
  Stat: string,
  Period: number,
  dimensions: Record<string, string> = {},
): MetricDataQuery => ({
  Id,
  MetricStat: {
    Metric: {
      Namespace: NS,
      MetricName,
      Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
    },
    Period,
    Stat,
  },
});

describe('CloudWatch metrics through the JS SDK', () => {
  let harness: CloudWatchHarness;
  let endpoint: string;
  let sit: CloudWatchClient;

  /** Values of each returned query, by id. */
  const valuesById = async (queries: MetricDataQuery[], start: number, end: number) => {
    const out = await sit.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: at(start),
        EndTime: at(end),
      }),
    );
    return Object.fromEntries(
      (out.MetricDataResults ?? []).map((r) => [
        r.Id,
        { values: r.Values, timestamps: r.Timestamps?.map((t) => t.getTime()), label: r.Label },
      ]),
    );
  };

  beforeAll(async () => {
    harness = await startCloudWatchHarness();
    endpoint = harness.endpoint;
    sit = harness.client('sandbox-sit');
  });

  afterAll(() => harness.close());

  it('computes Average/Sum/SampleCount/p50/p95/p99 over 1 s and 60 s periods', async () => {
    // Prepare: 1..100 at second 0 and 50.5 at second 30, both high resolution.
    await sit.send(
      new PutMetricDataCommand({
        Namespace: NS,
        MetricData: [
          {
            MetricName: 'Latency',
            Timestamp: at(0),
            Values: oneToHundred,
            Unit: 'Milliseconds',
            StorageResolution: 1,
          },
          {
            MetricName: 'Latency',
            Timestamp: at(30),
            Value: 50.5,
            Unit: 'Milliseconds',
            StorageResolution: 1,
          },
        ],
      }),
    );
    const stats = ['Average', 'Sum', 'SampleCount', 'p50', 'p95', 'p99'];
    const queries = [1, 60].flatMap((period) =>
      stats.map((s) => stat(`${s.toLowerCase()}_${period}`, 'Latency', s, period)),
    );

    // Act
    const byId = await valuesById(queries, 0, 60);

    // Assess: per second, newest first: [second 30 (only 50.5), second 0 (1..100)].
    expect(byId.average_1?.timestamps).toEqual([BASE + 30_000, BASE]);
    expect(byId.average_1?.values).toEqual([50.5, 50.5]);
    expect(byId.sum_1?.values).toEqual([50.5, 5050]);
    expect(byId.samplecount_1?.values).toEqual([1, 100]);
    expect(byId.p50_1?.values).toEqual([50.5, 50]);
    expect(byId.p95_1?.values).toEqual([50.5, 95]);
    expect(byId.p99_1?.values).toEqual([50.5, 99]);
    // Per minute, 101 values 1..50, 50.5, 51..100: rank 51 → 50.5, rank 96 → 95, rank 100 → 99.
    expect(byId.average_60?.timestamps).toEqual([BASE]);
    expect(byId.average_60?.values).toEqual([50.5]);
    expect(byId.sum_60?.values).toEqual([5100.5]);
    expect(byId.samplecount_60?.values).toEqual([101]);
    expect(byId.p50_60?.values).toEqual([50.5]);
    expect(byId.p95_60?.values).toEqual([95]);
    expect(byId.p99_60?.values).toEqual([99]);
    expect(byId.p95_60?.label).toBe('Latency');
  });

  it('honours Values/Counts, StatisticValues, ScanBy, Label and StatusCode', async () => {
    // Prepare
    await sit.send(
      new PutMetricDataCommand({
        Namespace: NS,
        MetricData: [
          { MetricName: 'Weighted', Timestamp: at(120), Values: [10, 20], Counts: [3, 1] },
          { MetricName: 'Weighted', Timestamp: at(180), Values: [7] },
          {
            MetricName: 'Preaggregated',
            Timestamp: at(120),
            StatisticValues: { SampleCount: 4, Sum: 40, Minimum: 5, Maximum: 15 },
          },
        ],
      }),
    );

    // Act
    const out = await sit.send(
      new GetMetricDataCommand({
        MetricDataQueries: [
          { ...stat('wsum', 'Weighted', 'Sum', 60), Label: 'weighted sum' },
          stat('wcount', 'Weighted', 'SampleCount', 60),
          stat('wp95', 'Weighted', 'p95', 60),
          stat('pavg', 'Preaggregated', 'Average', 60),
          stat('pmax', 'Preaggregated', 'Maximum', 60),
          stat('pp95', 'Preaggregated', 'p95', 60),
        ],
        StartTime: at(120),
        EndTime: at(240),
        ScanBy: 'TimestampAscending',
      }),
    );
    const byId = new Map(out.MetricDataResults?.map((r) => [r.Id, r]));

    // Assess: minute 2 holds 10,10,10,20 (p95 rank ⌈3.8⌉ = 4 → 20); minute 3 holds 7.
    expect(byId.get('wsum')).toMatchObject({
      Label: 'weighted sum',
      StatusCode: 'Complete',
      Timestamps: [at(120), at(180)],
      Values: [50, 7],
    });
    expect(byId.get('wcount')?.Values).toEqual([4, 1]);
    expect(byId.get('wp95')?.Values).toEqual([20, 7]);
    expect(byId.get('pavg')?.Values).toEqual([10]);
    expect(byId.get('pmax')?.Values).toEqual([15]);
    // A statistic set with Minimum ≠ Maximum has no percentiles.
    expect(byId.get('pp95')?.Values).toEqual([]);
  });

  it('pages GetMetricData by MaxDatapoints, marking a cut query PartialData', async () => {
    // Prepare: three high-resolution points, at seconds 2000, 2001 and 2002.
    await sit.send(
      new PutMetricDataCommand({
        Namespace: NS,
        MetricData: [0, 1, 2].map((i) => ({
          MetricName: 'Paged',
          Timestamp: at(2000 + i),
          Value: i + 1,
          StorageResolution: 1,
        })),
      }),
    );
    const request = {
      MetricDataQueries: [stat('sum', 'Paged', 'Sum', 1), stat('max', 'Paged', 'Maximum', 1)],
      StartTime: at(2000),
      EndTime: at(2003),
      ScanBy: 'TimestampAscending' as const,
      MaxDatapoints: 4,
    };

    // Act
    const first = await sit.send(new GetMetricDataCommand(request));
    const second = await sit.send(
      new GetMetricDataCommand({ ...request, NextToken: first.NextToken }),
    );

    // Assess: 6 points in pages of 4: sum complete + 1 of max, then the rest of max.
    expect(first.MetricDataResults?.map((r) => [r.Id, r.Values, r.StatusCode])).toEqual([
      ['sum', [1, 2, 3], 'Complete'],
      ['max', [1], 'PartialData'],
    ]);
    expect(first.NextToken).toEqual(expect.any(String));
    expect(second.MetricDataResults?.map((r) => [r.Id, r.Values, r.StatusCode])).toEqual([
      ['max', [2, 3], 'Complete'],
    ]);
    expect(second.NextToken).toBeUndefined();
  });

  it('keeps standard-resolution data at minute granularity even for 1 s queries', async () => {
    // Prepare
    await sit.send(
      new PutMetricDataCommand({
        Namespace: NS,
        MetricData: [
          { MetricName: 'Standard', Timestamp: at(300 + 42), Value: 1 },
          { MetricName: 'HighRes', Timestamp: at(300 + 42.7), Value: 1, StorageResolution: 1 },
        ],
      }),
    );

    // Act
    const byId = await valuesById(
      [stat('standard', 'Standard', 'Sum', 1), stat('highres', 'HighRes', 'Sum', 1)],
      300,
      360,
    );

    // Assess
    expect(byId.standard?.timestamps).toEqual([BASE + 300_000]);
    expect(byId.highres?.timestamps).toEqual([BASE + 342_000]);
  });

  it('evaluates metric math 100*errors/invocations per period, returning only ReturnData', async () => {
    // Prepare: minute A 5 errors in 200 invocations; minute B none in 50.
    await sit.send(
      new PutMetricDataCommand({
        Namespace: NS,
        MetricData: [
          { MetricName: 'Invocations', Timestamp: at(600), Values: [100, 100] },
          { MetricName: 'Errors', Timestamp: at(610), Value: 5 },
          { MetricName: 'Invocations', Timestamp: at(660), Value: 50 },
          { MetricName: 'Errors', Timestamp: at(665), Value: 0 },
        ],
      }),
    );

    // Act
    const out = await sit.send(
      new GetMetricDataCommand({
        MetricDataQueries: [
          { ...stat('invocations', 'Invocations', 'Sum', 60), ReturnData: false },
          { ...stat('errors', 'Errors', 'Sum', 60), ReturnData: false },
          { Id: 'rate', Expression: '100*errors/invocations', Label: 'ErrorRate' },
        ],
        StartTime: at(600),
        EndTime: at(720),
      }),
    );

    // Assess
    expect(out.MetricDataResults).toHaveLength(1);
    expect(out.MetricDataResults?.[0]).toMatchObject({
      Id: 'rate',
      Label: 'ErrorRate',
      StatusCode: 'Complete',
      Timestamps: [at(660), at(600)],
      Values: [0, 2.5],
    });
  });

  it('keeps metrics with different dimension values apart', async () => {
    // Prepare
    const fn = { FunctionName: 'order-handler-sit' };
    await sit.send(
      new PutMetricDataCommand({
        Namespace: NS,
        MetricData: [
          {
            MetricName: 'FnInvocations',
            Dimensions: [
              { Name: 'FunctionName', Value: fn.FunctionName },
              { Name: 'ExecutedVersion', Value: '1' },
            ],
            Timestamp: at(900),
            Value: 10,
          },
          {
            MetricName: 'FnInvocations',
            // Dimension order does not make a different metric.
            Dimensions: [
              { Name: 'ExecutedVersion', Value: '2' },
              { Name: 'FunctionName', Value: fn.FunctionName },
            ],
            Timestamp: at(900),
            Value: 90,
          },
        ],
      }),
    );

    // Act
    const byId = await valuesById(
      [
        stat('v1', 'FnInvocations', 'Sum', 60, { ...fn, ExecutedVersion: '1' }),
        stat('v2', 'FnInvocations', 'Sum', 60, { ExecutedVersion: '2', ...fn }),
        stat('v3', 'FnInvocations', 'Sum', 60, { ...fn, ExecutedVersion: '3' }),
        stat('fnonly', 'FnInvocations', 'Sum', 60, fn),
      ],
      900,
      960,
    );

    // Assess: a query matches one exact dimension set, never a subset.
    expect(byId.v1?.values).toEqual([10]);
    expect(byId.v2?.values).toEqual([90]);
    expect(byId.v3?.values).toEqual([]);
    expect(byId.fnonly?.values).toEqual([]);
  });

  it('answers GetMetricStatistics with Statistics and ExtendedStatistics', async () => {
    // Prepare
    await sit.send(
      new PutMetricDataCommand({
        Namespace: NS,
        MetricData: [
          {
            MetricName: 'Duration',
            Dimensions: [{ Name: 'Service', Value: 'orders' }],
            Timestamp: at(1200),
            Values: oneToHundred,
            Unit: 'Milliseconds',
          },
        ],
      }),
    );

    // Act
    const out = await sit.send(
      new GetMetricStatisticsCommand({
        Namespace: NS,
        MetricName: 'Duration',
        Dimensions: [{ Name: 'Service', Value: 'orders' }],
        StartTime: at(1200),
        EndTime: at(1320),
        Period: 60,
        Statistics: ['Average', 'SampleCount', 'Maximum'],
        ExtendedStatistics: ['p95', 'p99.9'],
      }),
    );

    // Assess: p99.9 over 100 values is rank ⌈99.9⌉ = 100 → 100.
    expect(out.Label).toBe('Duration');
    expect(out.Datapoints).toEqual([
      {
        Timestamp: at(1200),
        Average: 50.5,
        SampleCount: 100,
        Maximum: 100,
        Unit: 'Milliseconds',
        ExtendedStatistics: { p95: 95, 'p99.9': 100 },
      },
    ]);
  });

  it('filters ListMetrics by namespace, name and dimensions, and pages by 500', async () => {
    // Prepare: 501 metrics in their own namespace (a body the SDK sends gzipped).
    await sit.send(
      new PutMetricDataCommand({
        Namespace: 'Sandbox/Many',
        MetricData: Array.from({ length: 501 }, (_, i) => ({
          MetricName: `M${String(i).padStart(3, '0')}`,
          Timestamp: at(1500),
          Value: i,
        })),
      }),
    );

    // Act
    const first = await sit.send(new ListMetricsCommand({ Namespace: 'Sandbox/Many' }));
    const second = await sit.send(
      new ListMetricsCommand({ Namespace: 'Sandbox/Many', NextToken: first.NextToken }),
    );
    const byName = await sit.send(
      new ListMetricsCommand({ Namespace: NS, MetricName: 'FnInvocations' }),
    );
    const byDimensionName = await sit.send(
      new ListMetricsCommand({ Dimensions: [{ Name: 'ExecutedVersion' }] }),
    );
    const byDimensionValue = await sit.send(
      new ListMetricsCommand({ Dimensions: [{ Name: 'ExecutedVersion', Value: '2' }] }),
    );

    // Assess
    expect(first.Metrics).toHaveLength(500);
    expect(first.NextToken).toEqual(expect.any(String));
    expect(second.Metrics?.map((m) => m.MetricName)).toEqual(['M500']);
    expect(second.NextToken).toBeUndefined();
    expect(byName.Metrics).toHaveLength(2);
    expect(byDimensionName.Metrics?.map((m) => m.Dimensions)).toEqual([
      [
        { Name: 'ExecutedVersion', Value: '1' },
        { Name: 'FunctionName', Value: 'order-handler-sit' },
      ],
      [
        { Name: 'ExecutedVersion', Value: '2' },
        { Name: 'FunctionName', Value: 'order-handler-sit' },
      ],
    ]);
    expect(byDimensionValue.Metrics).toEqual([
      {
        Namespace: NS,
        MetricName: 'FnInvocations',
        Dimensions: [
          { Name: 'ExecutedVersion', Value: '2' },
          { Name: 'FunctionName', Value: 'order-handler-sit' },
        ],
      },
    ]);
  });

  it('answers invalid input with 400 CloudWatch errors the SDK understands', async () => {
    // Act
    const badPeriod = await rejection(
      sit.send(
        new GetMetricDataCommand({
          MetricDataQueries: [stat('m1', 'Latency', 'Average', 7)],
          StartTime: at(0),
          EndTime: at(60),
        }),
      ),
    );
    const unknownId = await rejection(
      sit.send(
        new GetMetricDataCommand({
          MetricDataQueries: [{ Id: 'e1', Expression: '100*nope' }],
          StartTime: at(0),
          EndTime: at(60),
        }),
      ),
    );
    const counts = await rejection(
      sit.send(
        new PutMetricDataCommand({
          Namespace: NS,
          MetricData: [{ MetricName: 'X', Values: [1, 2], Counts: [1] }],
        }),
      ),
    );
    const reserved = await rejection(
      sit.send(
        new PutMetricDataCommand({
          Namespace: 'AWS/Lambda',
          MetricData: [{ MetricName: 'Invocations', Value: 1 }],
        }),
      ),
    );
    const missing = await rejection(
      sit.send(new GetMetricStatisticsCommand({ Namespace: NS } as never)),
    );

    // Assess
    expect(badPeriod.name).toBe('InvalidParameterValueException');
    expect(badPeriod.$metadata.httpStatusCode).toBe(400);
    expect(badPeriod.message).toMatch(/Period 7/);
    expect(unknownId.name).toBe('ValidationException');
    expect(unknownId.message).toMatch(/Unrecognized id nope/);
    expect(counts.name).toBe('InvalidParameterValueException');
    expect(counts.message).toMatch(/MetricData\.member\.1\.Values/);
    expect(reserved.name).toBe('InvalidParameterValueException');
    expect(missing.name).toBe('MissingRequiredParameterException');
    expect(missing.message).toBe('The parameter MetricName is required.');
    expect(missing.$metadata.httpStatusCode).toBe(400);
  });

  it('answers malformed JSON and unknown operations with 400 JSON errors, not 500', async () => {
    // Prepare
    const headers = (target: string) => ({
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': target,
      authorization:
        'AWS4-HMAC-SHA256 Credential=sandbox-sit/20260101/eu-west-1/monitoring/aws4_request, SignedHeaders=host, Signature=0',
    });

    // Act
    const malformed = await fetch(endpoint, {
      method: 'POST',
      headers: headers('GraniteServiceVersion20100801.PutMetricData'),
      body: '{"Namespace": ',
    });
    const unknown = await fetch(endpoint, {
      method: 'POST',
      headers: headers('GraniteServiceVersion20100801.PutAnomalyDetector'),
      body: '{}',
    });
    const prototypeKey = await fetch(endpoint, {
      method: 'POST',
      headers: headers('GraniteServiceVersion20100801.constructor'),
      body: '{}',
    });

    // Assess
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ __type: 'SerializationException' });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('x-amzn-query-error')).toBe('InvalidAction;Sender');
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
    expect(prototypeKey.status).toBe(400);
  });
});
