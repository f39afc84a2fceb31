import { describe, expect, it } from 'vitest';
import type { CloudWatchApi, MetricQuery } from '../../cli/aws/cloudwatch-api.js';
import { readWindow } from '../../cli/canary/read-window.js';
import { ENVIRONMENTS } from '../../infra/environments.js';

/** A CloudWatch that answers from a table of results and records what it was asked. */
const cloudwatchOf = (results: Record<string, number[]>) => {
  const asked: MetricQuery[] = [];
  const api: CloudWatchApi = {
    async getMetrics(queries) {
      asked.push(...queries);
      return results;
    },
  };
  return { api, asked };
};

describe('readWindow', () => {
  it('reads p95 of create, status and read (the service operation `get`) for both versions', async () => {
    // Prepare
    const { api, asked } = cloudwatchOf({
      c_p95create: [120, 180],
      c_p95status: [40],
      c_p95read: [30, 55],
      b_p95read: [25],
      c_inv: [10, 12],
    });

    // Act
    const window = await readWindow({
      cloudwatch: api,
      env: ENVIRONMENTS.prod,
      canary: '7',
      baseline: '6',
      windowSeconds: 60,
      now: new Date('2026-12-01T10:00:00Z'),
    });

    // Assess
    const read = asked.find((q) => q.id === 'c_p95read');
    expect(read).toMatchObject({
      stat: 'p95',
      dimensions: { operation: 'get', function_version: '7' },
    });
    expect(window.canary.p95).toEqual({ create: 180, status: 40, read: 55 });
    expect(window.baseline.p95).toEqual({ read: 25 });
    expect(window.canary.invocations).toBe(22);
  });
});
