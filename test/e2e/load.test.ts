import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { freePortBlock } from '../../sandbox/engines/local-engines.js';

/**
 * `promote load` end to end on the sandbox, through the real bin: a short load test of SIT
 * with every figure of the report, its test orders gone from the table afterwards; PROD
 * refused without --allow-prod before a single request; a short stress run that says where
 * and why it stopped. Latency SLAs depend on this machine's load, so their verdicts (and
 * the exit code 0 or 9 they decide) are not asserted — only that they are there.
 */

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'promote.mjs');
const sit = ENVIRONMENTS.sit;

type Doc = Record<string, any>;

describe('promote load (sandbox, CLI end to end)', { timeout: 90_000 }, () => {
  let home: string;
  let port: number;
  let endpoint: string;

  const run = (args: string[]) =>
    execa(process.execPath, [BIN, ...args], {
      env: { PROMOTE_HOME: home, PROMOTE_SANDBOX_PORT: String(port), CI: 'true' },
      reject: false,
      timeout: 120_000,
    });
  /** The report: the document on success, the error's details when an SLA failed (exit 9). */
  const reportOf = (stdout: string): Doc => {
    const doc = JSON.parse(stdout) as Doc;
    return doc.error ? doc.error.details.report : doc;
  };
  const accessLines = (env: string) => {
    const path = join(home, 'sandbox', 'logs', `api-${env}.access.jsonl`);
    return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0;
  };

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'promote-load-'));
    port = await freePortBlock(5);
    const up = await run(['sandbox', 'up', '--port', String(port), '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    endpoint = JSON.parse(up.stdout).endpoint;
  }, 120_000);

  afterAll(async () => {
    await run(['sandbox', 'down']);
  });

  it('load sit: percentiles per operation, no errors, CloudWatch throttles, test orders removed', async () => {
    // Act
    const result = await run([
      'load',
      'sit',
      '--sandbox',
      '--rate',
      '20',
      '--duration',
      '10s',
      '--json',
    ]);

    // Assess: the run itself
    expect([0, 9], result.stderr).toContain(result.exitCode);
    const report = reportOf(result.stdout);
    expect(report.kind).toBe('load');
    expect(report.ok).toBe(result.exitCode === 0);
    const tally = report.result.tally;
    expect(tally.errors).toBe(0);
    expect(tally.dropped).toBe(0);
    for (const op of ['create', 'get', 'list', 'status', 'burst']) {
      const latency = tally.byOperation[op].latencyMs;
      expect(latency.count, op).toBeGreaterThan(0);
      expect(latency.p50, op).toBeGreaterThan(0);
      expect(latency.p50, op).toBeLessThanOrEqual(latency.p95);
      expect(latency.p95, op).toBeLessThanOrEqual(latency.p99);
      expect(latency.p99, op).toBeLessThanOrEqual(latency.max);
    }
    expect(tally.bursts.bursts).toBeGreaterThan(0);
    expect(tally.bursts.unclean + tally.bursts.duplicateIds).toBe(0);

    // Assess: CloudWatch over the same window, and a verdict per SLA
    expect(report.cloudwatch.lambda.invocations.value).toBeGreaterThan(0);
    expect(report.cloudwatch.lambda.throttles.value).toBe(0);
    expect(report.cloudwatch.dynamodb.throttledRequests.value).toBe(0);
    expect(report.cloudwatch.dynamodb.writeThrottleEvents.value).toBe(0);
    const verdicts = Object.fromEntries(report.sla.map((v: Doc) => [v.id, v.verdict]));
    expect(verdicts).toMatchObject({
      'error-rate': 'pass',
      'lambda-throttles': 'pass',
      'dynamodb-throttles': 'pass',
      bursts: 'pass',
    });
    for (const id of ['p95-create', 'p95-get', 'p95-list', 'p95-status', 'p95-burst']) {
      expect(['pass', 'fail'], id).toContain(verdicts[id]);
    }

    // Assess: every test order removed, in the report and in the table itself
    const created = tally.byStatus['201'];
    expect(report.cleanup.found).toBeGreaterThanOrEqual(created);
    expect(report.cleanup.removed).toBe(report.cleanup.found);
    expect(report.cleanup.remaining).toBe(0);
    const scan = await new DynamoDBClient({
      endpoint,
      region: sit.region,
      credentials: { accessKeyId: 'sandbox-sit', secretAccessKey: 'sandbox' },
    }).send(
      new ScanCommand({
        TableName: sit.tableName,
        FilterExpression: 'begins_with(customer_id, :prefix)',
        ExpressionAttributeValues: { ':prefix': { S: report.settings.customerPrefix } },
      }),
    );
    expect(scan.Count).toBe(0);
    expect(existsSync(report.files.json)).toBe(true);
    expect(readFileSync(report.files.markdown, 'utf8')).toContain('## SLAs');

    // Assess: the series add up to the tally, and report.html charts them
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const { series } = report;
    expect(series.truncated).toBeUndefined();
    expect(sum(series.total.sent)).toBe(tally.sent);
    expect(sum(series.total.completed)).toBe(tally.sent);
    for (const op of ['create', 'get', 'list', 'status', 'burst']) {
      expect(sum(series.byOperation[op].sent), op).toBe(tally.byOperation[op].sent);
      expect(sum(series.byOperation[op].answered), op).toBe(tally.byOperation[op].latencyMs.count);
    }
    expect(report.files.html).toBe(join(report.files.dir, 'report.html'));
    expect(result.stdout).toContain(`"html": ${JSON.stringify(report.files.html)}`);
    const html = readFileSync(report.files.html, 'utf8');
    for (const id of ['load-p95', 'load-latency-create', 'load-throughput', 'load-errors']) {
      expect(html, id).toContain(`<div class="chart" id="chart-${id}"`);
    }
    const blob = html.match(/<script type="application\/json" id="run-data">([\s\S]*?)<\/script>/);
    const charted = JSON.parse(blob?.[1] ?? 'null').load;
    expect(charted.x).toEqual(series.t);
    expect(charted.charts.find((c: Doc) => c.id === 'load-latency-get').series[1].values).toEqual(
      series.byOperation.get.p95,
    );
  });

  it('load prod without --allow-prod is refused before a single request', async () => {
    // Prepare
    const before = accessLines('prod');

    // Act
    const result = await run([
      'load',
      'prod',
      '--sandbox',
      '--rate',
      '5',
      '--duration',
      '2s',
      '--json',
    ]);

    // Assess
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stdout).error.code).toBe('LOAD_PROD_NOT_ALLOWED');
    expect(accessLines('prod')).toBe(before);
    expect(existsSync(join(home, 'runs', 'prod'))).toBe(false);
  });

  it('--stress 10 → 30 in 3 s steps says where and why it stopped', async () => {
    // Act
    const result = await run([
      'load',
      'sit',
      '--sandbox',
      '--stress',
      '--start',
      '10',
      '--step',
      '10',
      '--max-rate',
      '30',
      '--step-duration',
      '3s',
      '--json',
    ]);

    // Assess
    expect([0, 9], result.stderr).toContain(result.exitCode);
    const report = reportOf(result.stdout);
    expect(report.kind).toBe('stress');
    const { steps, stop } = report.stress;
    expect(['failure-point', 'max-rate']).toContain(stop.reason);
    expect(stop.why.length).toBeGreaterThan(0);
    expect(steps.map((s: Doc) => s.rate)).toEqual([10, 20, 30].slice(0, steps.length));
    if (stop.reason === 'failure-point') {
      expect(stop.firstBadRate).toBe(steps.at(-1).rate);
      expect(steps.at(-1).judgement.ok).toBe(false);
    } else {
      expect(steps).toHaveLength(3);
      expect(stop.lastGoodRate).toBe(30);
    }
    // Below the plan's 200 req/s: a failure point there fails the run (exit 9), none says nothing.
    expect(report.sla).toEqual([expect.objectContaining({ id: 'capacity' })]);
    expect(result.exitCode).toBe(report.sla[0].verdict === 'fail' ? 9 : 0);
    expect(report.cleanup.remaining).toBe(0);
    // report.html shades one band per step and marks the failure point, if any.
    const html = readFileSync(report.files.html, 'utf8');
    const blob = html.match(/<script type="application\/json" id="run-data">([\s\S]*?)<\/script>/);
    const charted = JSON.parse(blob?.[1] ?? 'null').load;
    expect(charted.bands).toHaveLength(steps.length);
    expect(charted.failingIndex !== undefined).toBe(stop.reason === 'failure-point');
  });
});
