import { describe, expect, it } from 'vitest';
import type { CloudWatchApi, MetricQuery } from '../../cli/aws/cloudwatch-api.js';
import {
  loadQueries,
  ORDER_TABLE_OPERATIONS,
  readLoadMetrics,
  toServiceMetrics,
} from '../../cli/load/load-metrics.js';
import { ENVIRONMENTS } from '../../infra/environments.js';

const sit = ENVIRONMENTS.sit;

describe('loadQueries', () => {
  it('reads Lambda as the alarm (function) and the canary (alias) do, DynamoDB per operation and index', () => {
    // Act
    const queries = loadQueries(sit, 960);
    const of = (id: string) => queries.find((q) => q.id === id);

    // Assess
    expect(of('fnthr')).toMatchObject({
      namespace: 'AWS/Lambda',
      metricName: 'Throttles',
      dimensions: { FunctionName: 'order-handler-sit' },
      stat: 'Sum',
      periodSeconds: 60,
    });
    expect(of('dur')).toMatchObject({
      metricName: 'Duration',
      dimensions: { FunctionName: 'order-handler-sit', Resource: 'order-handler-sit:live' },
      stat: 'p95',
      periodSeconds: 960,
    });
    expect(of('conc')).toMatchObject({ metricName: 'ConcurrentExecutions', stat: 'Maximum' });
    const throttled = queries.filter((q) => q.metricName === 'ThrottledRequests');
    expect(throttled.map((q) => q.dimensions.Operation)).toEqual(ORDER_TABLE_OPERATIONS);
    expect(throttled.every((q) => q.dimensions.TableName === 'orders-sit')).toBe(true);
    const writes = queries.filter((q) => q.metricName === 'WriteThrottleEvents');
    expect(writes.map((q) => q.dimensions.GlobalSecondaryIndexName)).toEqual([
      undefined,
      ...sit.gsis,
    ]);
    expect(new Set(queries.map((q) => q.id)).size).toBe(queries.length);
  });
});

describe('toServiceMetrics', () => {
  it('sums counts, takes the worst minute and the worst p95 bucket', () => {
    // Act
    const m = toServiceMetrics(
      {
        fnthr: [0, 12, 3],
        althr: [0, 12, 3],
        inv: [3000, 3100],
        err: [0, 1],
        dur: [180, 240],
        conc: [35, 41],
        ddbreq0: [],
        ddbreq1: [2],
        ddbread0: [],
        ddbwrite2: [1, 1],
      },
      new Date('2026-01-15T10:00:00Z'),
      new Date('2026-01-15T10:16:00Z'),
    );

    // Assess
    expect(m.lambda.throttles).toEqual({ value: 15, datapoints: 3 });
    expect(m.lambda.throttlesPerMinuteMax).toEqual({ value: 12, datapoints: 3 });
    expect(m.lambda.durationP95Ms).toEqual({ value: 240, datapoints: 2 });
    expect(m.lambda.concurrentExecutionsMax.value).toBe(41);
    expect(m.dynamodb.throttledRequests).toEqual({ value: 2, datapoints: 1 });
    expect(m.dynamodb.writeThrottleEvents).toEqual({ value: 2, datapoints: 2 });
    expect(m.notes).toEqual([]);
  });

  it('no datapoints: throttles are 0 (published only when they happen), gauges are unknown, and it says so', () => {
    // Act
    const m = toServiceMetrics({}, new Date(0), new Date(60_000));

    // Assess
    expect(m.lambda.throttles).toEqual({ value: 0, datapoints: 0 });
    expect(m.lambda.throttlesPerMinuteMax).toEqual({ value: 0, datapoints: 0 });
    expect(m.lambda.durationP95Ms).toEqual({ value: null, datapoints: 0 });
    expect(m.dynamodb.throttledRequests).toEqual({ value: 0, datapoints: 0 });
    expect(m.notes).toHaveLength(2);
  });
});

describe('readLoadMetrics', () => {
  it('reads the run window widened to whole minutes', async () => {
    // Prepare
    const calls: { queries: readonly MetricQuery[]; start: Date; end: Date }[] = [];
    const cloudwatch: CloudWatchApi = {
      async getMetrics(queries, start, end) {
        calls.push({ queries, start, end });
        return { fnthr: [4] };
      },
    };

    // Act
    const m = await readLoadMetrics({
      cloudwatch,
      env: sit,
      start: new Date('2026-01-15T10:00:05Z'),
      end: new Date('2026-01-15T10:15:20Z'),
    });

    // Assess
    expect(calls).toHaveLength(1);
    expect(calls[0]?.start.toISOString()).toBe('2026-01-15T10:00:00.000Z');
    expect(calls[0]?.end.toISOString()).toBe('2026-01-15T10:16:00.000Z');
    expect(calls[0]?.queries.find((q) => q.id === 'dur')?.periodSeconds).toBe(960);
    expect(m.lambda.throttles.value).toBe(4);
    expect(m.window).toEqual({
      start: '2026-01-15T10:00:00.000Z',
      end: '2026-01-15T10:16:00.000Z',
    });
  });
});
