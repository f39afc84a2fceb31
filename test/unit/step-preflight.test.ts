import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException as DynamoNotFound,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ResourceNotFoundException as EventsNotFound,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import { GetAliasCommand, GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { HeadBucketCommand, NotFound, S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, NotFoundException, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { stsApi } from '../../cli/aws/sts-api.js';
import type { GateRecord } from '../../cli/checklists/governance-store.js';
import { PromoteError } from '../../cli/errors.js';
import { PLANS } from '../../cli/plans/plans.js';
import { type Check, preflight } from '../../cli/steps/preflight.js';
import type { EnvName } from '../../infra/environments.js';
import { aliasArn, stepContext } from './promote-fixtures.js';

const sts = mockClient(STSClient);
const lambda = mockClient(LambdaClient);
const dynamo = mockClient(DynamoDBClient);
const sqs = mockClient(SQSClient);
const events = mockClient(EventBridgeClient);
const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);
const logs = mockClient(CloudWatchLogsClient);
const cloudwatch = mockClient(CloudWatchClient);
const ALL = [sts, lambda, dynamo, sqs, events, s3, sns, logs, cloudwatch];

/** Every item of the plan's checklist present and healthy in `env`. */
const allPresent = (env: EnvName) => {
  const e = PLANS[env].env;
  sts.on(GetCallerIdentityCommand).resolves({
    Account: e.account,
    Arn: `arn:aws:sts::${e.account}:assumed-role/deployer/tester`,
  });
  lambda
    .on(GetFunctionCommand)
    .resolves({ Configuration: { State: 'Active', Version: '$LATEST' } });
  lambda.on(GetAliasCommand).resolves({ FunctionVersion: '3' });
  dynamo.on(DescribeTableCommand).resolves({
    Table: {
      TableStatus: 'ACTIVE',
      GlobalSecondaryIndexes: e.gsis.map((IndexName) => ({ IndexName })),
      ...(e.failoverRegion
        ? { Replicas: [{ RegionName: e.failoverRegion, ReplicaStatus: 'ACTIVE' }] }
        : {}),
    },
  });
  s3.on(HeadBucketCommand).resolves({});
  sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: `http://localhost:1/${e.account}/${e.dlq}` });
  sqs.on(GetQueueAttributesCommand).resolves({
    Attributes: {
      QueueArn: `arn:aws:sqs:${e.region}:${e.account}:${e.dlq}`,
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      MessageRetentionPeriod: '1209600',
    },
  });
  events.on(DescribeRuleCommand).resolves({ Name: e.eventRule, State: 'ENABLED' });
  events.on(ListTargetsByRuleCommand).resolves({ Targets: [{ Id: 'fn', Arn: aliasArn(env) }] });
  sns.on(GetTopicAttributesCommand).resolves({ Attributes: {} });
  logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: e.logGroup }] });
  cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  // No replication in the window: nothing to judge the replica's lag by.
  cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
};

const blockedBy = async (run: Promise<void>): Promise<PromoteError> => {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PromoteError);
  return error as PromoteError;
};

const healthFetch = (status: number, body: unknown) =>
  (async () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    })) as unknown as typeof fetch;

const sit = PLANS.sit.env;

beforeEach(() => {
  for (const mock of ALL) mock.reset();
});

describe('preflight: identity', () => {
  it('refuses credentials of another account before reading anything else', async () => {
    // Prepare
    allPresent('sit');
    sts.on(GetCallerIdentityCommand).resolves({
      Account: PLANS.dev.env.account,
      Arn: `arn:aws:sts::${PLANS.dev.env.account}:assumed-role/deployer/tester`,
    });
    const ctx = stepContext({ env: 'sit' });

    // Act
    const error = await blockedBy(preflight.run(ctx, { kind: 'preflight' }));

    // Assess
    expect(error.reason).toBe('preflight_blocked');
    expect(error.code).toBe('PREFLIGHT_WRONG_ACCOUNT');
    expect(error.message).toContain(PLANS.dev.env.account);
    expect(error.message).toContain(sit.account);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
    for (const mock of [lambda, dynamo, sqs, events, s3, sns, logs, cloudwatch]) {
      expect(mock.calls()).toHaveLength(0);
    }
  });

  it('warns (without blocking) when the credentials expire within 15 minutes', async () => {
    // Prepare
    allPresent('sit');
    const ctx = stepContext({ env: 'sit' });
    const expiring = new STSClient({
      region: sit.region,
      credentials: {
        accessKeyId: 'AKIA',
        secretAccessKey: 'secret',
        expiration: new Date(Date.now() + 5 * 60_000),
      },
    });
    const withExpiry = stepContext({
      env: 'sit',
      apis: { sts: stsApi(ctx.target, expiring) },
    });

    // Act
    await preflight.run(withExpiry, { kind: 'preflight' });

    // Assess
    const checks = withExpiry.record.evidence.checks as Check[];
    const expiry = checks.find((c) => c.name === 'credentials expiry');
    expect(expiry).toMatchObject({ ok: false, blocking: false });
    expect(expiry?.detail).toContain('renew');
    const warnings = withExpiry.io.messages.filter((m) => m.level === 'warn');
    expect(warnings.map((m) => m.text).join('\n')).toContain('credentials expiry');
  });
});

describe('preflight: infrastructure checklist', () => {
  it('passes with every check recorded as evidence when everything is present', async () => {
    // Prepare
    allPresent('sit');
    const ctx = stepContext({ env: 'sit' });

    // Act
    await preflight.run(ctx, { kind: 'preflight' });

    // Assess
    const checks = ctx.record.evidence.checks as Check[];
    expect(checks.every((c) => c.ok)).toBe(true);
    const names = checks.map((c) => c.name);
    for (const expected of [
      'account',
      'region',
      `function ${sit.functionName}`,
      `alias ${sit.alias}`,
      `table ${sit.tableName}`,
      `GSIs of ${sit.tableName}`,
      `bucket ${sit.bucket}`,
      `DLQ ${sit.dlq} empty`,
      `rule ${sit.eventRule}`,
      'SNS topics',
      `log group ${sit.logGroup}`,
      'alarms',
    ]) {
      expect(names).toContain(expected);
    }
    expect(ctx.record.evidence.caller).toMatchObject({ account: sit.account });
    expect(ctx.record.evidence.dlq).toEqual({ visible: 0, inFlight: 0 });
    expect(ctx.io.messages.filter((m) => m.level === 'warn')).toEqual([]);
  });

  const cases: Array<{ item: string; breakIt: () => void; named: string[] }> = [
    {
      item: 'table missing',
      breakIt: () =>
        dynamo
          .on(DescribeTableCommand)
          .rejects(new DynamoNotFound({ message: 'Requested resource not found', $metadata: {} })),
      named: [`table ${sit.tableName}`, 'table not found'],
    },
    {
      item: 'a GSI missing',
      breakIt: () =>
        dynamo.on(DescribeTableCommand).resolves({
          Table: {
            TableStatus: 'ACTIVE',
            GlobalSecondaryIndexes: [
              { IndexName: 'OrdersByCustomer' },
              { IndexName: 'OrdersByDate' },
            ],
          },
        }),
      named: ['missing GSIs: OrdersByStatus'],
    },
    {
      item: 'DLQ has messages',
      breakIt: () =>
        sqs.on(GetQueueAttributesCommand).resolves({
          Attributes: {
            ApproximateNumberOfMessages: '3',
            ApproximateNumberOfMessagesNotVisible: '0',
          },
        }),
      named: [`DLQ ${sit.dlq}`, '3 message(s)'],
    },
    {
      item: 'rule missing',
      breakIt: () =>
        events
          .on(DescribeRuleCommand)
          .rejects(
            new EventsNotFound({ message: `Rule ${sit.eventRule} does not exist.`, $metadata: {} }),
          ),
      named: [`rule ${sit.eventRule}`, 'rule not found'],
    },
    {
      item: 'rule targeting another function',
      breakIt: () =>
        events.on(ListTargetsByRuleCommand).resolves({
          Targets: [{ Id: 'x', Arn: `arn:aws:lambda:${sit.region}:${sit.account}:function:other` }],
        }),
      named: [`rule ${sit.eventRule}`, `does not target ${sit.functionName}`],
    },
    {
      item: 'rule targeting a function whose name only starts with ours',
      breakIt: () =>
        events.on(ListTargetsByRuleCommand).resolves({
          Targets: [
            {
              Id: 'x',
              Arn: `arn:aws:lambda:${sit.region}:${sit.account}:function:${sit.functionName}-legacy`,
            },
          ],
        }),
      named: [`rule ${sit.eventRule}`, `does not target ${sit.functionName}`],
    },
    {
      item: 'rule disabled',
      breakIt: () => events.on(DescribeRuleCommand).resolves({ State: 'DISABLED' }),
      named: [`rule ${sit.eventRule}`, 'DISABLED'],
    },
    {
      item: 'bucket 404',
      breakIt: () =>
        s3
          .on(HeadBucketCommand)
          .rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } })),
      named: [`bucket ${sit.bucket}`, 'bucket not found'],
    },
    {
      item: 'alarm topic missing',
      breakIt: () =>
        sns
          .on(GetTopicAttributesCommand, {
            TopicArn: `arn:aws:sns:${sit.region}:${sit.account}:${sit.alarmTopic}`,
          })
          .rejects(new NotFoundException({ message: 'Topic does not exist', $metadata: {} })),
      named: ['SNS topics', sit.alarmTopic],
    },
    {
      item: 'log group missing (only a longer name with the same prefix)',
      breakIt: () =>
        logs
          .on(DescribeLogGroupsCommand)
          .resolves({ logGroups: [{ logGroupName: `${sit.logGroup}-old` }] }),
      named: [`log group ${sit.logGroup}`, 'log group not found'],
    },
    {
      item: 'an alarm in ALARM',
      breakIt: () =>
        cloudwatch.on(DescribeAlarmsCommand).resolves({
          MetricAlarms: [
            {
              AlarmName: `${sit.functionName}-high-error-rate`,
              StateValue: 'ALARM',
              StateReason: 'Threshold Crossed',
            },
          ],
        }),
      named: ['alarms', `${sit.functionName}-high-error-rate`],
    },
  ];

  it.each(cases)('blocks and names it: $item', async ({ item, breakIt, named }) => {
    // Prepare
    allPresent('sit');
    breakIt();
    const ctx = stepContext({ env: 'sit' });

    // Act
    const error = await blockedBy(preflight.run(ctx, { kind: 'preflight' }));

    // Assess
    expect(error.reason).toBe('preflight_blocked');
    expect(error.code).toBe('PREFLIGHT_BLOCKED');
    for (const text of named) expect(error.message).toContain(text);
    const failed = (error.details?.failed ?? []) as Check[];
    // A missing table also fails its GSIs; every other break names exactly one check.
    expect(failed).toHaveLength(item === 'table missing' ? 2 : 1);
    expect(failed.every((f) => f.blocking)).toBe(true);
  });

  it('does not block on an alarm allowed with --allow-alarm, and still blocks on others', async () => {
    // Prepare
    allPresent('sit');
    const alarm = (name: string) => ({ AlarmName: name, StateValue: 'ALARM' as const });
    cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [alarm(`${sit.functionName}-high-duration-read`)],
    });
    const allowed = stepContext({
      env: 'sit',
      options: {
        allowAlarms: [{ name: `${sit.functionName}-high-duration-read`, reason: 'INC-42' }],
      },
    });
    const otherAllowed = stepContext({
      env: 'sit',
      options: { allowAlarms: [{ name: `${sit.functionName}-throttling`, reason: 'INC-43' }] },
    });

    // Act
    await preflight.run(allowed, { kind: 'preflight' });
    const error = await blockedBy(preflight.run(otherAllowed, { kind: 'preflight' }));

    // Assess
    expect(allowed.record.evidence.alarmsInAlarm).toEqual([
      `${sit.functionName}-high-duration-read`,
    ]);
    expect(error.message).toContain(`${sit.functionName}-high-duration-read`);
  });

  it('blocks on an unexpected error of a probe and names the error', async () => {
    // Prepare
    allPresent('sit');
    s3.on(HeadBucketCommand).rejects(
      Object.assign(new Error('Access Denied'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const ctx = stepContext({ env: 'sit' });

    // Act
    const error = await blockedBy(preflight.run(ctx, { kind: 'preflight' }));

    // Assess
    expect(error.reason).toBe('preflight_blocked');
    expect(error.message).toContain(`bucket ${sit.bucket} (AccessDenied: Access Denied)`);
  });
});

const PACKAGE = 'q2ZfXbKz0Qh3m7r8YH1v0p1m4Jx2v5u6w7y8z9A0B1C=';
const sitGate = (codeSha256: string): GateRecord => ({
  gate: 'sit-signoff',
  title: 'SIT sign-off (Gate 4)',
  env: 'sit',
  at: '2026-01-31T16:00:00.000Z',
  codeSha256,
  version: '7',
  checklistRunId: 'chk-1',
  approverRole: 'Tech Lead',
  summary: { pass: 40, confirmed: 48, open: 0, fail: 0 },
  actor: 'tebogo',
  callerArn: 'arn:aws:sts::815856636111:assumed-role/Tebogo-sit/tebogo',
});
/** SIT signed off exactly the package the run ships. */
const signedBySit = {
  artifactCodeSha256: PACKAGE,
  sitSignoff: async (sha: string) => (sha === PACKAGE ? sitGate(sha) : undefined),
};

describe('preflight: prod requires SIT sign-off of the same package', () => {
  const healthy = {
    upstreamHealthUrl: 'https://api.sit.kimmyai.io/v1.0/orders/health',
    fetch: healthFetch(200, { status: 'healthy' }),
  };

  it('passes and records the sign-off when SIT signed these bytes', async () => {
    // Prepare
    allPresent('prod');
    const ctx = stepContext({ env: 'prod', options: { ...healthy, ...signedBySit } });

    // Act
    await preflight.run(ctx, { kind: 'preflight' });

    // Assess
    expect(ctx.record.evidence.gate).toMatchObject({
      codeSha256: PACKAGE,
      approverRole: 'Tech Lead',
    });
  });

  it('blocks (exit 3) a package SIT did not sign off, naming the package', async () => {
    // Prepare
    allPresent('prod');
    const other = 'AAAAbKz0Qh3m7r8YH1v0p1m4Jx2v5u6w7y8z9A0B1C=';
    const ctx = stepContext({
      env: 'prod',
      options: { ...healthy, ...signedBySit, artifactCodeSha256: other },
    });

    // Act
    const error = await blockedBy(preflight.run(ctx, { kind: 'preflight' }));

    // Assess
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain('SIT sign-off (Gate 4)');
    expect(error.message).toContain(other);
  });

  it('blocks when SIT cannot be read at all', async () => {
    // Prepare
    allPresent('prod');
    const ctx = stepContext({
      env: 'prod',
      options: {
        ...healthy,
        artifactCodeSha256: PACKAGE,
        sitSignoff: async () => {
          throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
        },
      },
    });

    // Act
    const error = await blockedBy(preflight.run(ctx, { kind: 'preflight' }));

    // Assess
    expect(error.message).toContain('AccessDeniedException');
  });

  it('lets --override-gate through with a warning and journals what was missing', async () => {
    // Prepare
    allPresent('prod');
    const ctx = stepContext({
      env: 'prod',
      options: {
        ...healthy,
        artifactCodeSha256: PACKAGE,
        sitSignoff: async () => undefined,
        overrideGates: [{ gate: 'sit-signoff', reason: 'INC-77 hotfix' }],
      },
    });

    // Act
    await preflight.run(ctx, { kind: 'preflight' });

    // Assess
    expect(ctx.record.evidence.gateOverride).toMatchObject({
      gate: 'sit-signoff',
      reason: 'INC-77 hotfix',
    });
    expect(ctx.io.messages.some((m) => m.code === 'GATE_OVERRIDDEN')).toBe(true);
  });

  it('does not ask SIT for a sit promotion', async () => {
    // Prepare
    allPresent('sit');
    let asked = false;
    const ctx = stepContext({
      env: 'sit',
      options: {
        sitSignoff: async () => {
          asked = true;
          return undefined;
        },
      },
    });

    // Act
    await preflight.run(ctx, { kind: 'preflight' });

    // Assess
    expect(asked).toBe(false);
  });
});

describe('preflight: prod upstream health', () => {
  const upstreamHealthUrl = 'https://api.sit.kimmyai.io/v1.0/orders/health';

  it('passes when SIT answers 200 healthy', async () => {
    // Prepare
    allPresent('prod');
    const ctx = stepContext({
      env: 'prod',
      options: {
        upstreamHealthUrl,
        fetch: healthFetch(200, { status: 'healthy', version: '1.0.0' }),
        ...signedBySit,
      },
    });

    // Act
    await preflight.run(ctx, { kind: 'preflight' });

    // Assess
    const health = (ctx.record.evidence.checks as Check[]).find((c) => c.name === 'sit health');
    expect(health).toMatchObject({ ok: true, blocking: true });
    expect(health?.detail).toContain('200 healthy');
  });

  it('blocks when SIT answers 503', async () => {
    // Prepare
    allPresent('prod');
    const ctx = stepContext({
      env: 'prod',
      options: {
        upstreamHealthUrl,
        fetch: healthFetch(503, { status: 'unhealthy' }),
        ...signedBySit,
      },
    });

    // Act
    const error = await blockedBy(preflight.run(ctx, { kind: 'preflight' }));

    // Assess
    expect(error.reason).toBe('preflight_blocked');
    expect(error.message).toContain('sit health');
    expect(error.message).toContain('503');
  });

  it('blocks when no SIT URL is known', async () => {
    // Prepare
    allPresent('prod');
    const ctx = stepContext({ env: 'prod', options: signedBySit });

    // Act
    const error = await blockedBy(preflight.run(ctx, { kind: 'preflight' }));

    // Assess
    expect(error.message).toContain('no sit API URL known');
  });
});

describe('preflight: git', () => {
  const dirty = { sha: 'abcdef1234567890abcdef', tag: 'v1.0.0-sit', dirty: true };

  it('only warns about a dirty tree for sit', async () => {
    // Prepare
    allPresent('sit');
    const ctx = stepContext({ env: 'sit', options: { git: dirty } });

    // Act
    await preflight.run(ctx, { kind: 'preflight' });

    // Assess
    const tree = (ctx.record.evidence.checks as Check[]).find((c) => c.name === 'working tree');
    expect(tree).toMatchObject({ ok: false, blocking: false });
    const warnings = ctx.io.messages.filter((m) => m.code === 'PREFLIGHT_WARNING');
    expect(warnings.map((m) => m.text).join('\n')).toContain('uncommitted changes at abcdef123456');
  });

  it('blocks a dirty tree for prod in real AWS', async () => {
    // Prepare
    allPresent('prod');
    const ctx = stepContext({
      env: 'prod',
      sandbox: false,
      options: {
        git: { sha: dirty.sha, tag: 'v1.0.0-prod', dirty: true },
        upstreamHealthUrl: 'https://api.sit.kimmyai.io/v1.0/orders/health',
        fetch: healthFetch(200, { status: 'healthy' }),
      },
    });

    // Act
    const error = await blockedBy(preflight.run(ctx, { kind: 'preflight' }));

    // Assess
    expect(error.reason).toBe('preflight_blocked');
    expect(error.message).toContain('working tree (uncommitted changes');
    expect(error.message).not.toContain('release tag');
  });

  it('only warns about a dirty tree for prod in the sandbox', async () => {
    // Prepare
    allPresent('prod');
    const ctx = stepContext({
      env: 'prod',
      sandbox: true,
      options: {
        git: { sha: dirty.sha, tag: 'v1.0.0-prod', dirty: true },
        upstreamHealthUrl: 'http://localhost:2/v1.0/orders/health',
        fetch: healthFetch(200, { status: 'healthy' }),
        ...signedBySit,
      },
    });

    // Act
    await preflight.run(ctx, { kind: 'preflight' });

    // Assess
    const tree = (ctx.record.evidence.checks as Check[]).find((c) => c.name === 'working tree');
    expect(tree).toMatchObject({ ok: false, blocking: false });
  });
});
