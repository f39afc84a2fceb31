import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateBackupCommand,
  DescribeBackupCommand,
  DescribeContinuousBackupsCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import { GetAliasCommand, GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { PromoteError } from '../../cli/errors.js';
import { PLANS } from '../../cli/plans/plans.js';
import { approve } from '../../cli/steps/approve.js';
import { backup, backupName } from '../../cli/steps/backup.js';
import type { Check } from '../../cli/steps/preflight.js';
import { verify } from '../../cli/steps/verify.js';
import { aliasArn, stepContext } from './promote-fixtures.js';

// The backup poll waits 2 s between DescribeBackup calls; the tests do not.
vi.mock('../../cli/steps/sleep.js', () => ({ sleep: vi.fn(async () => {}) }));

const dynamo = mockClient(DynamoDBClient);
const doc = mockClient(DynamoDBDocumentClient);
const lambda = mockClient(LambdaClient);
const events = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);

const rejection = async (run: Promise<unknown>): Promise<PromoteError> => {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PromoteError);
  return error as PromoteError;
};

const pitr = (status: 'ENABLED' | 'DISABLED') =>
  dynamo.on(DescribeContinuousBackupsCommand).resolves({
    ContinuousBackupsDescription: {
      ContinuousBackupsStatus: 'ENABLED',
      PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: status },
    },
  });

const PRESIGNED = 'https://awslambda-af-south-1.s3.amazonaws.com/snap?X-Amz-Signature=s3cr3t';

beforeEach(() => {
  for (const mock of [dynamo, doc, lambda, events, sqs]) mock.reset();
});

describe('backupName', () => {
  it.each([
    ['2026-02-21T10:00:00.000Z', 'orders-prod-pre-deployment-20260221-100000'],
    ['2026-01-05T03:04:05.678Z', 'orders-prod-pre-deployment-20260105-030405'],
    ['2026-12-31T23:59:59.999Z', 'orders-prod-pre-deployment-20261231-235959'],
  ])('names a backup taken at %s in UTC', (at, expected) => {
    // Prepare
    const now = new Date(at);

    // Act
    const name = backupName(PLANS.prod.backupPrefix, now);

    // Assess
    expect(name).toBe(expected);
    expect(name).toMatch(/^orders-prod-pre-deployment-\d{8}-\d{6}$/);
  });
});

describe('backup step', () => {
  it('blocks in prod when point-in-time recovery is off, before any backup', async () => {
    // Prepare
    pitr('DISABLED');
    const ctx = stepContext({ env: 'prod' });

    // Act
    const error = await rejection(backup.run(ctx, { kind: 'backup' }));

    // Assess
    expect(error.reason).toBe('preflight_blocked');
    expect(error.code).toBe('PITR_DISABLED');
    expect(error.message).toContain('orders-prod');
    expect(dynamo.commandCalls(CreateBackupCommand)).toHaveLength(0);
    expect(ctx.record.evidence.pitr).toBe(false);
  });

  it('waits until the backup is AVAILABLE and saves a snapshot without Code.Location', async () => {
    // Prepare
    pitr('ENABLED');
    const arn = 'arn:aws:dynamodb:af-south-1:093646564004:table/orders-prod/backup/01';
    dynamo.on(CreateBackupCommand).callsFake((input) => ({
      BackupDetails: { BackupArn: arn, BackupName: input.BackupName, BackupStatus: 'CREATING' },
    }));
    dynamo
      .on(DescribeBackupCommand)
      .resolvesOnce({ BackupDescription: { BackupDetails: { BackupStatus: 'CREATING' } as never } })
      .resolves({
        BackupDescription: {
          BackupDetails: {
            BackupArn: arn,
            BackupName: 'x',
            BackupStatus: 'AVAILABLE',
            BackupSizeBytes: 1234,
          } as never,
        },
      });
    lambda.on(GetFunctionCommand).resolves({
      Configuration: { FunctionName: 'order-handler-prod', Version: '$LATEST', CodeSha256: 'abc=' },
      Code: { RepositoryType: 'S3', Location: PRESIGNED },
      Tags: { env: 'prod' },
    });
    // The item counts around the backup: the same two orders before and after (no writes).
    const old = { created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' };
    doc.on(ScanCommand).resolves({
      Items: [
        { status: 'pending', ...old },
        { status: 'shipped', ...old },
      ],
    });
    const ctx = stepContext({ env: 'prod' });

    // Act
    await backup.run(ctx, { kind: 'backup' });

    // Assess
    const [create] = dynamo.commandCalls(CreateBackupCommand);
    const name = create?.args[0].input.BackupName ?? '';
    expect(create?.args[0].input.TableName).toBe('orders-prod');
    expect(name).toMatch(/^orders-prod-pre-deployment-\d{8}-\d{6}$/);
    expect(dynamo.commandCalls(DescribeBackupCommand)).toHaveLength(2);
    expect(ctx.record.evidence.backup).toEqual({
      arn,
      name,
      status: 'AVAILABLE',
      sizeBytes: 1234,
    });
    expect(ctx.journal.backups).toEqual([
      {
        arn,
        name,
        status: 'AVAILABLE',
        counts: {
          byStatus: { pending: 1, shipped: 1 },
          total: 2,
          countedAt: expect.any(String),
          tolerance: 0,
        },
      },
    ]);
    expect(doc.commandCalls(ScanCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'orders-prod',
      ConsistentRead: true,
    });
    expect(ctx.save).toHaveBeenCalled();
    const path = ctx.record.evidence.snapshot as string;
    expect(path).toBe(
      join(ctx.options.home, 'runs', 'prod', ctx.journal.runId, 'pre-deployment-snapshot.json'),
    );
    const text = readFileSync(path, 'utf8');
    const snapshot = JSON.parse(text) as { Code: Record<string, unknown>; Configuration: unknown };
    expect(snapshot.Code).toEqual({ RepositoryType: 'S3' });
    expect(snapshot.Configuration).toMatchObject({ CodeSha256: 'abc=' });
    expect(text).not.toContain('X-Amz-Signature');
    expect(text).not.toContain('$metadata');
  });

  it('fails with deploy_failed when the backup is deleted while waiting', async () => {
    // Prepare
    pitr('ENABLED');
    dynamo.on(CreateBackupCommand).resolves({
      BackupDetails: { BackupArn: 'arn:b', BackupName: 'b', BackupStatus: 'CREATING' } as never,
    });
    dynamo
      .on(DescribeBackupCommand)
      .resolves({ BackupDescription: { BackupDetails: { BackupStatus: 'DELETED' } as never } });
    const ctx = stepContext({ env: 'prod' });

    // Act
    const error = await rejection(backup.run(ctx, { kind: 'backup' }));

    // Assess
    expect(error.reason).toBe('deploy_failed');
    expect(error.code).toBe('BACKUP_NOT_AVAILABLE');
    expect(lambda.commandCalls(GetFunctionCommand)).toHaveLength(0);
  });

  it('stops as interrupted (not deploy_failed) when aborted while waiting', async () => {
    // Prepare
    pitr('ENABLED');
    dynamo.on(CreateBackupCommand).resolves({
      BackupDetails: { BackupArn: 'arn:b', BackupName: 'b', BackupStatus: 'CREATING' } as never,
    });
    const controller = new AbortController();
    controller.abort();
    const ctx = stepContext({ env: 'prod', signal: controller.signal });

    // Act
    const error = await rejection(backup.run(ctx, { kind: 'backup' }));

    // Assess
    expect(error.reason).toBe('interrupted');
    expect(error.exitCode).toBe(130);
    expect(dynamo.commandCalls(DescribeBackupCommand)).toHaveLength(0);
    expect(ctx.journal.backups).toHaveLength(1);
  });
});

describe('approve step', () => {
  it('records the approval given by --yes', async () => {
    // Prepare
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '7' });
    const ctx = stepContext({
      env: 'prod',
      io: { yes: true },
      options: { git: { sha: 'abcdef1234567890', tag: 'v1.0.0-prod' } },
    });

    // Act
    await approve.run(ctx, { kind: 'approve', who: 'Product Owner', word: 'GO' });

    // Assess
    const approval = ctx.record.evidence.approval;
    expect(approval?.role).toBe('Product Owner ("GO")');
    expect(approval).toMatchObject({ answer: 'yes', via: '--yes', by: 'tester@example' });
    expect(approval?.question).toContain('v1.0.0-prod');
    expect(approval?.question).toContain('version 7');
    expect(approval?.question).toContain('[Product Owner]');
    expect(
      ctx.io.messages.some((m) => m.code === 'APPROVAL' && m.text.endsWith('yes (--yes)')),
    ).toBe(true);
  });

  it('puts a gate override in the question the approver answers', async () => {
    // Prepare
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '7' });
    const ctx = stepContext({ env: 'prod', io: { yes: true } });
    ctx.journal.inputs = {
      artifact: {
        path: '/a.zip',
        bytes: 1,
        sha256: 'ab',
        codeSha256: 'x=',
        source: 'given',
        release: 'v1',
      },
      overrideGates: [{ gate: 'sit-signoff', reason: 'INC-77 hotfix' }],
    };

    // Act
    await approve.run(ctx, { kind: 'approve', who: 'Product Owner', word: 'GO' });

    // Assess
    expect(ctx.record.evidence.approval?.question).toContain(
      'WITHOUT sit-signoff (overridden: INC-77 hotfix).',
    );
  });

  it('journals the GitHub environment reviews of this environment only', async () => {
    // Prepare
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '7' });
    const ctx = stepContext({
      env: 'prod',
      io: { yes: true },
      options: {
        environmentApprovals: async () => [
          { login: 'thandi-po', state: 'approved', environments: ['prod'], comment: 'GO' },
          { login: 'lerato', state: 'approved', environments: ['sit'] },
        ],
      },
    });

    // Act
    await approve.run(ctx, { kind: 'approve', who: 'Product Owner' });

    // Assess
    expect(ctx.record.evidence.approval?.github).toEqual([
      { login: 'thandi-po', state: 'approved', comment: 'GO' },
    ]);
  });

  it('approves on its own when GitHub cannot be read, and says why', async () => {
    // Prepare
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '7' });
    const ctx = stepContext({
      env: 'sit',
      io: { yes: true },
      options: {
        environmentApprovals: async () => {
          throw new Error('token lacks actions:read');
        },
      },
    });

    // Act
    await approve.run(ctx, { kind: 'approve', who: 'Tech Lead' });

    // Assess
    expect(ctx.record.evidence.approval).toMatchObject({
      answer: 'yes',
      githubError: 'token lacks actions:read',
    });
  });

  it('refuses with approval_declined when nobody can answer', async () => {
    // Prepare
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '7' });
    const ctx = stepContext({ env: 'sit', io: { yes: false, interactive: false } });

    // Act
    const error = await rejection(approve.run(ctx, { kind: 'approve', who: 'Tech Lead' }));

    // Assess
    expect(error.reason).toBe('approval_declined');
    expect(error.exitCode).toBe(4);
    expect(ctx.record.evidence.approval).toBeUndefined();
  });
});

describe('verify step', () => {
  const sit = PLANS.sit.env;
  const goodVariables = {
    TABLE_NAME: sit.tableName,
    IDEMPOTENCY_TABLE_NAME: sit.idempotencyTableName,
    EVENT_BUS_NAME: sit.eventBus,
  };
  const deployed = (variables: Record<string, string>, targets = [aliasArn('sit')]) => {
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '4' });
    lambda.on(GetFunctionCommand).resolves({
      Configuration: {
        Version: '4',
        State: 'Active',
        LastUpdateStatus: 'Successful',
        Runtime: 'nodejs20.x',
        Environment: { Variables: variables },
      },
    });
    events.on(DescribeRuleCommand).resolves({ State: 'ENABLED' });
    events.on(ListTargetsByRuleCommand).resolves({
      Targets: targets.map((Arn, i) => ({ Id: String(i), Arn })),
    });
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: 'http://localhost:1/q' });
    sqs.on(GetQueueAttributesCommand).resolves({
      Attributes: { ApproximateNumberOfMessages: '0', MessageRetentionPeriod: '1209600' },
    });
  };
  const verifyContext = () => {
    const ctx = stepContext({ env: 'sit' });
    ctx.journal.versions.candidate = '4';
    ctx.journal.versions.after = '4';
    return ctx;
  };

  it('passes on the expected configuration, reading the alias-qualified function', async () => {
    // Prepare
    deployed(goodVariables);
    const ctx = verifyContext();

    // Act
    await verify.run(ctx, { kind: 'verify' });

    // Assess
    const checks = ctx.record.evidence.checks as Check[];
    expect(checks.length).toBeGreaterThanOrEqual(10);
    expect(checks.every((c) => c.ok)).toBe(true);
    expect(lambda.commandCalls(GetFunctionCommand)[0]?.args[0].input.Qualifier).toBe('live');
  });

  it('fails with deploy_failed when TABLE_NAME points at another environment', async () => {
    // Prepare
    deployed({ ...goodVariables, TABLE_NAME: 'orders-prod' });
    const ctx = verifyContext();

    // Act
    const error = await rejection(verify.run(ctx, { kind: 'verify' }));

    // Assess
    expect(error.reason).toBe('deploy_failed');
    expect(error.code).toBe('VERIFY_FAILED');
    expect(error.message).toContain('env TABLE_NAME is this env (orders-prod)');
  });

  it('fails with deploy_failed when a required variable is missing', async () => {
    // Prepare
    const { EVENT_BUS_NAME: _bus, ...withoutBus } = goodVariables;
    deployed(withoutBus);
    const ctx = verifyContext();

    // Act
    const error = await rejection(verify.run(ctx, { kind: 'verify' }));

    // Assess
    expect(error.reason).toBe('deploy_failed');
    expect(error.message).toContain('env EVENT_BUS_NAME (missing)');
  });

  it.each([
    ['another function', `arn:aws:lambda:${sit.region}:${sit.account}:function:other-fn`],
    [
      'a function whose name only starts with ours',
      `arn:aws:lambda:${sit.region}:${sit.account}:function:${sit.functionName}-legacy`,
    ],
  ])('fails with deploy_failed when the rule targets %s', async (_what, arn) => {
    // Prepare
    deployed(goodVariables, [arn]);
    const ctx = verifyContext();

    // Act
    const error = await rejection(verify.run(ctx, { kind: 'verify' }));

    // Assess
    expect(error.reason).toBe('deploy_failed');
    expect(error.message).toContain(`rule ${sit.eventRule}`);
  });

  it('fails when the alias is not on the version the run shifted to', async () => {
    // Prepare
    deployed(goodVariables);
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '3' });
    const ctx = verifyContext();

    // Act
    const error = await rejection(verify.run(ctx, { kind: 'verify' }));

    // Assess
    expect(error.message).toContain('alias (live → 3 (expected 4))');
  });
});
