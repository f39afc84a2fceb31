import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmStore } from '../../sandbox/cloudwatch/alarm-store.js';
import { at, BASE, type CloudWatchHarness, startCloudWatchHarness } from './cloudwatch-harness.js';

/**
 * CloudWatch's awsQuery protocol (form-encoded `Action=…`, XML answers). Current botocore
 * prefers JSON 1.0 for CloudWatch, so the aws CLI is pointed (AWS_DATA_PATH) at a copy of
 * its own service model that lists only `query`; where no aws CLI is installed the same
 * calls are made as form posts with fetch. Either way the handler must see form requests.
 */

const run = promisify(execFile);

const iso = (seconds: number) => at(seconds).toISOString();
const NS = 'Sandbox/Query';
const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

const CLI_ENV = {
  AWS_ACCESS_KEY_ID: 'sandbox-sit',
  AWS_SECRET_ACCESS_KEY: 'sandbox',
  AWS_DEFAULT_REGION: 'eu-west-1',
  AWS_PAGER: '',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
};

/** Debian's awscli v2 if installed, else whatever `aws` on PATH runs; undefined if none works. */
const findAwsCli = async (): Promise<string | undefined> => {
  for (const candidate of ['/usr/bin/aws', 'aws']) {
    if (candidate.startsWith('/') && !existsSync(candidate)) continue;
    try {
      await run(candidate, ['--version'], { env: { ...process.env, ...CLI_ENV } });
      return candidate;
    } catch {
      // not installed, or broken: try the next one
    }
  }
  return undefined;
};

/** First text of `<tag>` in an XML answer. */
const xmlText = (xml: string, tag: string): string | undefined =>
  new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];

/** What the awsQuery round trip observed, however it was driven. */
interface Observed {
  readonly datapoint: { timestamp: number; average: number; sampleCount: number; p95: number };
  readonly alarmState: string | undefined;
  readonly okAlarms: number;
  readonly errorCode: string | undefined;
}

describe('CloudWatch over awsQuery', () => {
  let harness: CloudWatchHarness;
  let endpoint: string;
  let alarms: AlarmStore;
  /** `query` or `json` for every request the handler received, in order. */
  const protocols: string[] = [];

  /** A form post signed (by scope only; the sandbox does not check signatures) as sandbox-sit. */
  const post = async (params: Record<string, string>) => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        authorization:
          'AWS4-HMAC-SHA256 Credential=sandbox-sit/20260101/eu-west-1/monitoring/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: new URLSearchParams({ Version: '2010-08-01', ...params }).toString(),
    });
    return { status: res.status, xml: await res.text() };
  };

  beforeAll(async () => {
    harness = await startCloudWatchHarness({
      onRequest: (request) => {
        protocols.push(request.headers['x-amz-target'] ? 'json' : 'query');
      },
    });
    endpoint = harness.endpoint;
    alarms = harness.stores.alarms;
  });

  afterAll(() => harness.close());

  /** The round trip with the aws CLI, its model forced to awsQuery. */
  const viaCli = async (cli: string): Promise<Observed> => {
    const base = { ...process.env, ...CLI_ENV };
    const aws = async (args: string[], env: NodeJS.ProcessEnv) => {
      const { stdout } = await run(cli, ['--endpoint-url', endpoint, 'cloudwatch', ...args], {
        env,
      });
      return stdout.trim() ? JSON.parse(stdout) : {};
    };
    // The CLI logs where it loads its CloudWatch model from; copy it with only `query` allowed.
    const { stderr } = await run(
      cli,
      ['--endpoint-url', endpoint, 'cloudwatch', 'list-metrics', '--debug'],
      {
        env: base,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const modelPath =
      /Loading JSON file: (\S+\/cloudwatch\/2010-08-01\/service-2\.json(?:\.gz)?)/.exec(
        stderr,
      )?.[1];
    if (!modelPath) throw new Error('the aws CLI did not report its CloudWatch model file');
    const raw = await readFile(modelPath);
    const model = JSON.parse((modelPath.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8'));
    model.metadata = { ...model.metadata, protocol: 'query', protocols: ['query'] };
    const dataPath = await mkdtemp(join(tmpdir(), 'aws-data-'));
    await mkdir(join(dataPath, 'cloudwatch', '2010-08-01'), { recursive: true });
    await writeFile(
      join(dataPath, 'cloudwatch', '2010-08-01', 'service-2.json'),
      JSON.stringify(model),
    );
    const env = { ...base, AWS_DATA_PATH: dataPath };
    protocols.length = 0;

    await aws(
      [
        'put-metric-data',
        '--namespace',
        NS,
        '--metric-data',
        JSON.stringify([
          {
            MetricName: 'Latency',
            Dimensions: [{ Name: 'Service', Value: 'orders' }],
            Timestamp: iso(0),
            Values: oneToHundred,
            Unit: 'Milliseconds',
          },
        ]),
      ],
      env,
    );
    // biome-ignore format: one CLI flag per line reads worse here
    await aws(['put-metric-alarm', '--alarm-name', 'sit-cli-latency', '--namespace', NS, '--metric-name', 'Latency', '--dimensions', 'Name=Service,Value=orders', '--extended-statistic', 'p95', '--period', '60', '--evaluation-periods', '1', '--threshold', '90', '--comparison-operator', 'GreaterThanThreshold'], env);
    // biome-ignore format: as above
    const stats = await aws(['get-metric-statistics', '--namespace', NS, '--metric-name', 'Latency', '--dimensions', 'Name=Service,Value=orders', '--start-time', iso(0), '--end-time', iso(60), '--period', '60', '--statistics', 'Average', 'SampleCount', '--extended-statistics', 'p95'], env);
    alarms.evaluateAlarms(BASE + 65_000);
    const described = await aws(['describe-alarms', '--alarm-names', 'sit-cli-latency'], env);
    const ok = await aws(['describe-alarms', '--state-value', 'OK'], env);
    let errorCode: string | undefined;
    try {
      await aws(['describe-alarms', '--state-value', 'BROKEN'], env);
    } catch (error) {
      errorCode = /An error occurred \((\w+)\)/.exec(
        String((error as { stderr?: string }).stderr),
      )?.[1];
    }
    const point = stats.Datapoints?.[0];
    return {
      datapoint: {
        timestamp: new Date(point?.Timestamp).getTime(),
        average: point?.Average,
        sampleCount: point?.SampleCount,
        p95: point?.ExtendedStatistics?.p95,
      },
      alarmState: described.MetricAlarms?.[0]?.StateValue,
      okAlarms: ok.MetricAlarms?.length,
      errorCode,
    };
  };

  /** The same round trip as form posts, for machines without an aws CLI. */
  const viaFetch = async (): Promise<Observed> => {
    protocols.length = 0;
    const put = await post({
      Action: 'PutMetricData',
      Namespace: NS,
      'MetricData.member.1.MetricName': 'Latency',
      'MetricData.member.1.Dimensions.member.1.Name': 'Service',
      'MetricData.member.1.Dimensions.member.1.Value': 'orders',
      'MetricData.member.1.Timestamp': iso(0),
      'MetricData.member.1.Unit': 'Milliseconds',
      ...Object.fromEntries(
        oneToHundred.map((v) => [`MetricData.member.1.Values.member.${v}`, String(v)]),
      ),
    });
    expect(put.status).toBe(200);
    const alarm = await post({
      Action: 'PutMetricAlarm',
      AlarmName: 'sit-cli-latency',
      Namespace: NS,
      MetricName: 'Latency',
      'Dimensions.member.1.Name': 'Service',
      'Dimensions.member.1.Value': 'orders',
      ExtendedStatistic: 'p95',
      Period: '60',
      EvaluationPeriods: '1',
      Threshold: '90',
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarm.status).toBe(200);
    const stats = await post({
      Action: 'GetMetricStatistics',
      Namespace: NS,
      MetricName: 'Latency',
      'Dimensions.member.1.Name': 'Service',
      'Dimensions.member.1.Value': 'orders',
      StartTime: iso(0),
      EndTime: iso(60),
      Period: '60',
      'Statistics.member.1': 'Average',
      'Statistics.member.2': 'SampleCount',
      'ExtendedStatistics.member.1': 'p95',
    });
    alarms.evaluateAlarms(BASE + 65_000);
    const described = await post({
      Action: 'DescribeAlarms',
      'AlarmNames.member.1': 'sit-cli-latency',
    });
    const ok = await post({ Action: 'DescribeAlarms', StateValue: 'OK' });
    const broken = await post({ Action: 'DescribeAlarms', StateValue: 'BROKEN' });
    return {
      datapoint: {
        timestamp: Date.parse(xmlText(stats.xml, 'Timestamp') ?? ''),
        average: Number(xmlText(stats.xml, 'Average')),
        sampleCount: Number(xmlText(stats.xml, 'SampleCount')),
        p95: Number(/<key>p95<\/key><value>([^<]*)<\/value>/.exec(stats.xml)?.[1]),
      },
      alarmState: xmlText(described.xml, 'StateValue'),
      okAlarms: (ok.xml.match(/<AlarmName>/g) ?? []).length,
      errorCode: broken.status === 400 ? xmlText(broken.xml, 'Code') : undefined,
    };
  };

  it('serves the aws CLI (or, without one, form posts) put-metric-data, get-metric-statistics and describe-alarms', async () => {
    // Prepare
    const cli = await findAwsCli();

    // Act
    const observed = cli ? await viaCli(cli) : await viaFetch();

    // Assess
    expect(protocols.length).toBeGreaterThan(0);
    expect(new Set(protocols)).toEqual(new Set(['query']));
    expect(observed).toEqual({
      datapoint: { timestamp: BASE, average: 50.5, sampleCount: 100, p95: 95 },
      alarmState: 'ALARM',
      okAlarms: 0,
      errorCode: 'InvalidParameterValue',
    });
  });

  it('answers GetMetricData and ListMetrics in awsQuery XML', async () => {
    // Prepare
    await post({
      Action: 'PutMetricData',
      Namespace: 'Sandbox/Xml',
      'MetricData.member.1.MetricName': 'Hits',
      'MetricData.member.1.Timestamp': iso(120),
      'MetricData.member.1.Values.member.1': '3',
      'MetricData.member.1.Values.member.2': '5',
      'MetricData.member.1.Counts.member.1': '2',
      'MetricData.member.1.Counts.member.2': '1',
    });

    // Act
    const data = await post({
      Action: 'GetMetricData',
      'MetricDataQueries.member.1.Id': 'hits',
      'MetricDataQueries.member.1.MetricStat.Metric.Namespace': 'Sandbox/Xml',
      'MetricDataQueries.member.1.MetricStat.Metric.MetricName': 'Hits',
      'MetricDataQueries.member.1.MetricStat.Period': '60',
      'MetricDataQueries.member.1.MetricStat.Stat': 'Sum',
      'MetricDataQueries.member.2.Id': 'doubled',
      'MetricDataQueries.member.2.Expression': 'hits*2',
      StartTime: iso(120),
      EndTime: iso(180),
    });
    const listed = await post({ Action: 'ListMetrics', Namespace: 'Sandbox/Xml' });

    // Assess: 3·2 + 5 = 11, doubled 22.
    expect(data.status).toBe(200);
    expect(data.xml).toContain(
      '<member><Id>hits</Id><Label>Hits</Label>' +
        `<Timestamps><member>${iso(120)}</member></Timestamps>` +
        '<Values><member>11</member></Values><StatusCode>Complete</StatusCode></member>',
    );
    expect(data.xml).toContain('<Id>doubled</Id><Label>doubled</Label>');
    expect(data.xml).toContain('<Values><member>22</member></Values>');
    expect(data.xml).toMatch(/^<\?xml [^>]+>\n<GetMetricDataResponse xmlns="http:\/\/monitoring/);
    expect(listed.xml).toContain(
      '<Metrics><member><Namespace>Sandbox/Xml</Namespace><MetricName>Hits</MetricName><Dimensions></Dimensions></member></Metrics>',
    );
  });

  it('answers bad awsQuery requests with a 400 XML ErrorResponse', async () => {
    // Act
    const missing = await post({ Action: 'GetMetricStatistics', Namespace: NS });
    const unknown = await post({ Action: 'FlushEverything' });
    const noAction = await post({});

    // Assess
    expect(missing.status).toBe(400);
    expect(xmlText(missing.xml, 'Code')).toBe('MissingParameter');
    expect(xmlText(missing.xml, 'Type')).toBe('Sender');
    expect(xmlText(missing.xml, 'Message')).toBe('The parameter MetricName is required.');
    expect(missing.xml).toContain(
      '<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">',
    );
    expect(unknown.status).toBe(400);
    expect(xmlText(unknown.xml, 'Code')).toBe('InvalidAction');
    expect(noAction.status).toBe(400);
    expect(xmlText(noAction.xml, 'Code')).toBe('InvalidAction');
  });
});
