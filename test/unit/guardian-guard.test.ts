import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetAliasCommand, LambdaClient, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsPorts } from '../../guardian/aws-ports.js';
import { type GuardLog, guard } from '../../guardian/guard.js';
import type { GuardianRecord, Heartbeat } from '../../infra/guardian.js';

/**
 * The guardian's I/O shell over the SDK (aws-sdk-client-mock): what it reads, the order it
 * writes in (intent record → conditional UpdateAlias → read-back → outcome → heartbeat), and
 * that it stands down when the alias moved under it.
 */

const lambda = mockClient(LambdaClient);
const doc = mockClient(DynamoDBDocumentClient);
const cloudwatch = mockClient(CloudWatchClient);

const NOW = new Date('2026-03-01T10:00:00.000Z');
const config = {
  env: 'prod' as const,
  region: 'af-south-1',
  functionName: 'order-handler-prod',
  alias: 'live',
  alarmNames: ['order-handler-prod-high-error-rate', 'order-handler-prod-dlq-depth'],
};
const ports = () =>
  awsPorts({
    region: 'af-south-1',
    functionName: 'order-handler-prod',
    alias: 'live',
    stateTable: 'promote-state-prod',
    stateTableRegion: 'af-south-1',
  });

const heartbeat = (over: Partial<Heartbeat> = {}): Heartbeat => ({
  pk: 'heartbeat',
  sk: 'af-south-1',
  runId: 'run-1',
  env: 'prod',
  functionName: 'order-handler-prod',
  alias: 'live',
  phase: 'active',
  beatAt: new Date(NOW.getTime() - 120_000).toISOString(),
  startedAt: '2026-03-01T09:50:00.000Z',
  intervalSeconds: 15,
  analysisIntervalSeconds: 60,
  stable: { version: '7', codeSha256: 'c3RhYmxl' },
  candidate: { version: '8', codeSha256: 'Y2FuZGlkYXRl' },
  weight: 0.1,
  deadline: '2026-03-01T10:05:00.000Z',
  allowedAlarms: [],
  ...over,
});

const weighted = {
  FunctionVersion: '7',
  RoutingConfig: { AdditionalVersionWeights: { '8': 0.1 } },
};

const captureLog = () => {
  const lines: Array<{ level: string; message: string }> = [];
  const log: GuardLog = {
    info: (message) => lines.push({ level: 'info', message }),
    warn: (message) => lines.push({ level: 'warn', message }),
    error: (message) => lines.push({ level: 'error', message }),
  };
  return { log, lines };
};

const records = () =>
  doc.commandCalls(PutCommand).map((c) => c.args[0].input.Item as GuardianRecord);

describe('guard (the guardian, one scheduled look)', () => {
  beforeEach(() => {
    lambda.reset();
    doc.reset();
    cloudwatch.reset();
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    doc.on(PutCommand).resolves({});
    doc.on(UpdateCommand).resolves({});
  });
  afterEach(() => {
    lambda.reset();
    doc.reset();
    cloudwatch.reset();
  });

  it('restores the stable version of a stale run, conditionally, verified, on record', async () => {
    // Prepare
    doc.on(GetCommand).resolves({ Item: heartbeat() });
    lambda
      .on(GetAliasCommand)
      .resolvesOnce({ ...weighted, RevisionId: 'rev-1' })
      .resolves({ FunctionVersion: '7', RoutingConfig: {}, RevisionId: 'rev-2' });
    lambda.on(UpdateAliasCommand).resolves({});
    const { log, lines } = captureLog();

    // Act
    const result = await guard(ports(), config, () => NOW, log);

    // Assess
    expect(result.action).toBe('restored');
    expect(lambda.commandCalls(UpdateAliasCommand)[0]?.args[0].input).toEqual({
      FunctionName: 'order-handler-prod',
      Name: 'live',
      FunctionVersion: '7',
      RoutingConfig: { AdditionalVersionWeights: {} },
      RevisionId: 'rev-1',
    });
    expect(records().map((r) => r.outcome)).toEqual(['restoring', 'restored']);
    const final = records()[1] as GuardianRecord;
    expect(final).toMatchObject({
      pk: 'guardian',
      sk: `${NOW.toISOString()}#run-1`,
      runId: 'run-1',
      from: { version: '7', weights: { '8': 0.1 } },
      to: { version: '7', codeSha256: 'c3RhYmxl' },
      candidate: { version: '8', codeSha256: 'Y2FuZGlkYXRl' },
    });
    expect(final.summary).toMatch(
      /^heartbeat stale since 2026-03-01T09:58:00.000Z \(no beat for 120 s, limit 90 s\)$/,
    );
    const mark = doc.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(mark?.ConditionExpression).toBe('runId = :runId');
    expect(mark?.ExpressionAttributeValues?.[':runId']).toBe('run-1');
    expect(
      lines.some((l) => l.level === 'warn' && /rolled back by the guardian/.test(l.message)),
    ).toBe(true);
  });

  it('stands down when the alias changed between its read and its write', async () => {
    // Prepare: someone moved the alias (RevisionId no longer matches)
    doc.on(GetCommand).resolves({ Item: heartbeat() });
    lambda
      .on(GetAliasCommand)
      .resolvesOnce({ ...weighted, RevisionId: 'rev-1' })
      .resolves({ FunctionVersion: '9', RoutingConfig: {}, RevisionId: 'rev-3' });
    lambda
      .on(UpdateAliasCommand)
      .rejects(
        Object.assign(new Error('revision mismatch'), { name: 'PreconditionFailedException' }),
      );

    // Act
    const result = await guard(ports(), config, () => NOW, captureLog().log);

    // Assess
    expect(result.action).toBe('stood-down');
    expect(records().map((r) => r.outcome)).toEqual(['restoring', 'stood-down']);
    expect(records()[1]?.error).toMatch(/now on 9/);
    expect(doc.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('fails loudly (record + thrown error) when the alias does not read back restored', async () => {
    // Prepare
    doc.on(GetCommand).resolves({ Item: heartbeat() });
    lambda
      .on(GetAliasCommand)
      .resolvesOnce({ ...weighted, RevisionId: 'rev-1' })
      .resolves({ ...weighted, RevisionId: 'rev-1' });
    lambda.on(UpdateAliasCommand).resolves({});

    // Act
    const outcome = guard(ports(), config, () => NOW, captureLog().log);

    // Assess
    await expect(outcome).rejects.toThrow(/failed to roll back/);
    expect(records().map((r) => r.outcome)).toEqual(['restoring', 'failed']);
    expect(doc.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('reads the alarms only while weights are on, and restores on one past its grace', async () => {
    // Prepare: a fresh heartbeat, an alarm in ALARM for 5 minutes
    doc.on(GetCommand).resolves({ Item: heartbeat({ beatAt: NOW.toISOString() }) });
    lambda
      .on(GetAliasCommand)
      .resolvesOnce({ ...weighted, RevisionId: 'rev-1' })
      .resolves({ FunctionVersion: '7', RoutingConfig: {}, RevisionId: 'rev-2' });
    lambda.on(UpdateAliasCommand).resolves({});
    cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        {
          AlarmName: 'order-handler-prod-dlq-depth',
          StateValue: 'ALARM',
          StateTransitionedTimestamp: new Date(NOW.getTime() - 300_000),
        },
      ],
    });

    // Act
    const result = await guard(ports(), config, () => NOW, captureLog().log);

    // Assess
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)[0]?.args[0].input.AlarmNames).toEqual(
      config.alarmNames,
    );
    expect(result.action).toBe('restored');
    expect(records()[1]?.reasons).toEqual([
      { kind: 'alarm', alarm: 'order-handler-prod-dlq-depth', since: '2026-03-01T09:55:00.000Z' },
    ]);
  });

  it('an alias without weights costs two reads and writes nothing', async () => {
    // Prepare
    doc.on(GetCommand).resolves({ Item: heartbeat({ phase: 'done' }) });
    lambda
      .on(GetAliasCommand)
      .resolves({ FunctionVersion: '8', RoutingConfig: {}, RevisionId: 'r' });

    // Act
    const result = await guard(ports(), config, () => NOW, captureLog().log);

    // Assess
    expect(result.action).toBe('none');
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)).toHaveLength(0);
    expect(doc.commandCalls(PutCommand)).toHaveLength(0);
    expect(lambda.commandCalls(UpdateAliasCommand)).toHaveLength(0);
  });

  it('weights with no heartbeat are held, never moved', async () => {
    // Prepare
    doc.on(GetCommand).resolves({});
    lambda.on(GetAliasCommand).resolves({ ...weighted, RevisionId: 'r' });
    const { log, lines } = captureLog();

    // Act
    const result = await guard(ports(), config, () => NOW, log);

    // Assess
    expect(result.action).toBe('hold');
    expect(lambda.commandCalls(UpdateAliasCommand)).toHaveLength(0);
    expect(lines.map((l) => l.level)).toEqual(['warn']);
  });
});
