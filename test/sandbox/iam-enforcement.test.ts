import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteRolePolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListRolesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  GetAliasCommand,
  GetFunctionCommand,
  LambdaClient,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { stateTableName } from '../../infra/state-table.js';
import { type Sandbox, startSandbox } from '../../sandbox/sandbox.js';
import { AWS_CLI } from '../support/sandbox-clients.js';

/**
 * IAM as AWS enforces it, at the sandbox's gateway: operator keys may do anything; a role's
 * session may do what the role's policies (as IAM holds them) allow, on the resources they
 * name; AssumeRole obeys the role's trust policy; a denial is the service's own error, in its
 * protocol. Through SDK v3 and through the aws CLI with keys from `aws sts assume-role`.
 */

const sit = ENVIRONMENTS.sit;
const prod = ENVIRONMENTS.prod;

interface Keys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

const operator = (key: string): Keys => ({ accessKeyId: key, secretAccessKey: 'sandbox' });

/** The error an SDK v3 call rejected with, with its status. */
const failure = async (call: Promise<unknown>) => {
  try {
    await call;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to be denied');
};

const sessionArn = (roleArn: string, session: string) => {
  const [, , , , account, resource] = roleArn.split(':');
  return `arn:aws:sts::${account}:assumed-role/${resource?.split('/').pop()}/${session}`;
};

describe('IAM enforcement at the sandbox gateway', () => {
  let home: string;
  let sandbox: Sandbox;
  let sitDeploy: Keys;
  let prodDeploy: Keys;

  const client = <C>(Ctor: new (config: any) => C, keys: Keys, region = sit.region, extra = {}) =>
    new Ctor({ endpoint: sandbox.endpoint, region, credentials: keys, maxAttempts: 1, ...extra });

  const assume = async (caller: Keys, roleArn: string, session: string): Promise<Keys> => {
    const out = await client(STSClient, caller).send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: session }),
    );
    return {
      accessKeyId: out.Credentials?.AccessKeyId ?? '',
      secretAccessKey: out.Credentials?.SecretAccessKey ?? '',
      sessionToken: out.Credentials?.SessionToken ?? '',
    };
  };

  /** `aws …` with the given keys, JSON out; `--debug` never needed: stderr carries the error. */
  const aws = async (args: string[], keys: Keys, region = sit.region) => {
    const result = await execa(AWS_CLI, ['--endpoint-url', sandbox.endpoint, ...args], {
      env: {
        AWS_ACCESS_KEY_ID: keys.accessKeyId,
        AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
        ...(keys.sessionToken ? { AWS_SESSION_TOKEN: keys.sessionToken } : {}),
        AWS_DEFAULT_REGION: region,
        AWS_REGION: region,
        AWS_PAGER: '',
        AWS_MAX_ATTEMPTS: '1',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
      extendEnv: false,
      reject: false,
    });
    return {
      exitCode: result.exitCode,
      stderr: result.stderr,
      json: result.stdout ? JSON.parse(result.stdout) : undefined,
    };
  };

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'iam-enforcement-'));
    sandbox = await startSandbox({ home, port: 0, envs: ['sit', 'prod'], tickMs: 1_000 });
    sitDeploy = await assume(operator('sandbox'), sit.deployRole, 'iam-test');
    prodDeploy = await assume(operator('sandbox'), prod.deployRole, 'iam-test');
  });

  afterAll(async () => {
    await sandbox?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  describe('operators (the long-term sandbox keys)', () => {
    it('may do anything in their account, as before', async () => {
      // Prepare
      const keys = operator('sandbox-sit');

      // Act
      const alias = await client(LambdaClient, keys).send(
        new GetAliasCommand({ FunctionName: sit.functionName, Name: 'live' }),
      );
      const roles = await client(IAMClient, keys, 'us-east-1').send(new ListRolesCommand({}));
      const topics = await client(SNSClient, keys).send(new ListTopicsCommand({}));
      const table = await client(DynamoDBClient, keys).send(
        new DescribeTableCommand({ TableName: sit.tableName }),
      );

      // Assess
      expect(alias.FunctionVersion).toBe('1');
      expect(roles.Roles?.map((r) => r.RoleName)).toContain('order-lambda-deploy-sit');
      expect(topics.Topics?.length).toBeGreaterThan(0);
      expect(table.Table?.TableName).toBe(sit.tableName);
    });
  });

  describe("SIT's deploy role", () => {
    it('carries the role identity in SIT', async () => {
      // Act
      const identity = await client(STSClient, sitDeploy).send(new GetCallerIdentityCommand({}));

      // Assess
      expect(identity.Account).toBe(sit.account);
      expect(identity.Arn).toBe(sessionArn(sit.deployRole, 'iam-test'));
    });

    it('may UpdateAlias on order-handler-sit', async () => {
      // Act
      const out = await client(LambdaClient, sitDeploy).send(
        new UpdateAliasCommand({
          FunctionName: sit.functionName,
          Name: 'live',
          FunctionVersion: '1',
        }),
      );

      // Assess
      expect(out.FunctionVersion).toBe('1');
    });

    it('may not UpdateAlias on another function (403 AccessDeniedException, AWS wording)', async () => {
      // Act
      const denied = await failure(
        client(LambdaClient, sitDeploy).send(
          new UpdateAliasCommand({
            FunctionName: 'billing-handler-sit',
            Name: 'live',
            FunctionVersion: '1',
          }),
        ),
      );

      // Assess
      const resource = `arn:aws:lambda:${sit.region}:${sit.account}:function:billing-handler-sit`;
      expect(denied).toEqual({
        name: 'AccessDeniedException',
        status: 403,
        message:
          `User: ${sessionArn(sit.deployRole, 'iam-test')} is not authorized to perform: ` +
          `lambda:UpdateAlias on resource: ${resource} because no identity-based policy allows ` +
          'the lambda:UpdateAlias action',
      });
    });

    it('may not DeleteTable (400 AccessDeniedException) and the table stays', async () => {
      // Act
      const denied = await failure(
        client(DynamoDBClient, sitDeploy).send(
          new DeleteTableCommand({ TableName: sit.tableName }),
        ),
      );
      const table = await client(DynamoDBClient, operator('sandbox-sit')).send(
        new DescribeTableCommand({ TableName: sit.tableName }),
      );

      // Assess
      expect(denied.name).toBe('AccessDeniedException');
      expect(denied.status).toBe(400);
      expect(denied.message).toContain(
        `dynamodb:DeleteTable on resource: arn:aws:dynamodb:${sit.region}:${sit.account}:table/${sit.tableName}`,
      );
      expect(table.Table?.TableStatus).toBe('ACTIVE');
    });

    it("may not read PROD: prod's function, table or state table", async () => {
      // Act
      const fn = await failure(
        client(LambdaClient, sitDeploy, prod.region).send(
          new GetFunctionCommand({
            FunctionName: `arn:aws:lambda:${prod.region}:${prod.account}:function:${prod.functionName}`,
          }),
        ),
      );
      const table = await failure(
        client(DynamoDBClient, sitDeploy, prod.region).send(
          new DescribeTableCommand({ TableName: prod.tableName }),
        ),
      );
      const state = await failure(
        client(DynamoDBClient, sitDeploy, prod.region).send(
          new QueryCommand({
            TableName: stateTableName('prod'),
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': { S: 'x' } },
          }),
        ),
      );

      // Assess
      expect(fn.name).toBe('AccessDeniedException');
      expect(fn.message).toContain('because no resource-based policy allows');
      expect(table.name).toBe('AccessDeniedException');
      expect(state.name).toBe('AccessDeniedException');
    });

    it("may read its own settings the probes read (the DLQ's attributes, the topic)", async () => {
      // Act
      const sqs = client(SQSClient, sitDeploy);
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: sit.dlq }));
      const attributes = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
      );
      const topic = await client(SNSClient, sitDeploy).send(
        new GetTopicAttributesCommand({
          TopicArn: `arn:aws:sns:${sit.region}:${sit.account}:${sit.alarmTopic}`,
        }),
      );

      // Assess
      expect(attributes.Attributes?.QueueArn).toBe(
        `arn:aws:sqs:${sit.region}:${sit.account}:${sit.dlq}`,
      );
      expect(topic.Attributes?.TopicArn).toContain(sit.alarmTopic);
    });
  });

  describe("SIT's gate reader (assumed by PROD's deploy role, cross-account)", () => {
    it('may Query promote-state-sit but not PutItem, acting in SIT', async () => {
      // Prepare
      const reader = await assume(prodDeploy, sit.gateReaderRole, 'gate-read');
      const dynamo = client(DynamoDBClient, reader);

      // Act
      const identity = await client(STSClient, reader).send(new GetCallerIdentityCommand({}));
      const query = await dynamo.send(
        new QueryCommand({
          TableName: stateTableName('sit'),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: 'gate#none' } },
        }),
      );
      const put = await failure(
        dynamo.send(
          new PutItemCommand({
            TableName: stateTableName('sit'),
            Item: { pk: { S: 'forged' }, sk: { S: 'forged' } },
          }),
        ),
      );

      // Assess
      expect(identity.Account).toBe(sit.account);
      expect(identity.Arn).toBe(sessionArn(sit.gateReaderRole, 'gate-read'));
      expect(query.Items).toEqual([]);
      expect(put.name).toBe('AccessDeniedException');
      expect(put.message).toContain(
        `dynamodb:PutItem on resource: arn:aws:dynamodb:${sit.region}:${sit.account}:table/${stateTableName('sit')}`,
      );
    });
  });

  describe('AssumeRole obeys trust policies', () => {
    it.each([
      [
        "SIT's operator key into SIT's deploy role (trust names the management account)",
        'sandbox-sit',
        sit.deployRole,
      ],
      ["PROD's operator key into SIT's deploy role", 'sandbox-prod', sit.deployRole],
      [
        "the management key into SIT's gate reader (trust names PROD's deploy role)",
        'sandbox',
        sit.gateReaderRole,
      ],
    ])('refuses %s', async (_label, key, roleArn) => {
      // Act
      const denied = await failure(assume(operator(key), roleArn, 'nope'));

      // Assess
      expect(denied.name).toBe('AccessDenied');
      expect(denied.status).toBe(403);
      expect(denied.message).toMatch(
        new RegExp(
          `^User: arn:aws:iam::\\d{12}:user/[\\w-]+ is not authorized to perform: sts:AssumeRole on resource: ${roleArn}$`,
        ),
      );
    });

    it("refuses SIT's deploy role into SIT's gate reader, and PROD's reader role chain stops there", async () => {
      // Act
      const denied = await failure(assume(sitDeploy, sit.gateReaderRole, 'nope'));

      // Assess
      expect(denied.message).toBe(
        `User: ${sessionArn(sit.deployRole, 'iam-test')} is not authorized to perform: ` +
          `sts:AssumeRole on resource: ${sit.gateReaderRole}`,
      );
    });

    it('follows a trust policy changed in IAM', async () => {
      // Prepare: SIT's operator may not assume the deploy role, then the trust names SIT too.
      const iam = client(IAMClient, operator('sandbox-sit'), 'us-east-1');
      const role = await iam.send(new GetRoleCommand({ RoleName: 'order-lambda-deploy-sit' }));
      const original = decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? '');
      const widened = JSON.parse(original) as { Statement: unknown[] };
      widened.Statement.push({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${sit.account}:root` },
        Action: 'sts:AssumeRole',
      });
      const { UpdateAssumeRolePolicyCommand } = await import('@aws-sdk/client-iam');

      // Act
      await iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: 'order-lambda-deploy-sit',
          PolicyDocument: JSON.stringify(widened),
        }),
      );
      const allowed = await assume(operator('sandbox-sit'), sit.deployRole, 'same-account');
      await iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: 'order-lambda-deploy-sit',
          PolicyDocument: original,
        }),
      );
      const deniedAgain = await failure(assume(operator('sandbox-sit'), sit.deployRole, 'again'));

      // Assess
      expect(allowed.accessKeyId).toMatch(/^ASIA/);
      expect(deniedAgain.name).toBe('AccessDenied');
    });
  });

  describe("a role's policies as IAM holds them", () => {
    it('a statement added with PutRolePolicy applies at once, and goes with DeleteRolePolicy', async () => {
      // Prepare
      const iam = client(IAMClient, operator('sandbox-sit'), 'us-east-1');
      const describe = () =>
        client(DynamoDBClient, sitDeploy).send(
          new DescribeTableCommand({ TableName: sit.idempotencyTableName }),
        );
      const before = await failure(describe());

      // Act
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'order-lambda-deploy-sit',
          PolicyName: 'temporary',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'dynamodb:DescribeTable',
                Resource: `arn:aws:dynamodb:${sit.region}:${sit.account}:table/${sit.idempotencyTableName}`,
              },
            ],
          }),
        }),
      );
      const during = await describe();
      await iam.send(
        new DeleteRolePolicyCommand({
          RoleName: 'order-lambda-deploy-sit',
          PolicyName: 'temporary',
        }),
      );
      const after = await failure(describe());

      // Assess
      expect(before.name).toBe('AccessDeniedException');
      expect(during.Table?.TableName).toBe(sit.idempotencyTableName);
      expect(after.name).toBe('AccessDeniedException');
    });
  });

  describe('denials in each protocol', () => {
    it('SQS (JSON, query-compatible): AccessDenied', async () => {
      // Act
      const denied = await failure(
        client(SQSClient, sitDeploy).send(
          new GetQueueUrlCommand({ QueueName: 'someone-elses-queue' }),
        ),
      );

      // Assess
      expect(denied.name).toBe('AccessDenied');
      expect(denied.message).toContain(
        `sqs:GetQueueUrl on resource: arn:aws:sqs:${sit.region}:${sit.account}:someone-elses-queue`,
      );
    });

    it('SNS (query): 403 AuthorizationError, as SNS names it', async () => {
      // Act
      const denied = await failure(client(SNSClient, sitDeploy).send(new ListTopicsCommand({})));

      // Assess
      // SNS's code is AuthorizationError; SDK v3 names its modeled exception after it.
      expect(denied).toMatchObject({ name: 'AuthorizationErrorException', status: 403 });
      expect(denied.message).toContain('sns:ListTopics on resource: *');
    });

    it('IAM (query): 403 AccessDenied', async () => {
      // Act
      const denied = await failure(
        client(IAMClient, sitDeploy, 'us-east-1').send(
          new PutRolePolicyCommand({
            RoleName: 'order-lambda-deploy-sit',
            PolicyName: 'escalate',
            PolicyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
            }),
          }),
        ),
      );

      // Assess
      expect(denied).toMatchObject({ name: 'AccessDenied', status: 403 });
      expect(denied.message).toContain(
        `iam:PutRolePolicy on resource: arn:aws:iam::${sit.account}:role/order-lambda-deploy-sit`,
      );
    });

    it('S3 (REST-XML): 403 AccessDenied; HEAD answers 403 with no body', async () => {
      // Prepare
      const s3 = client(S3Client, sitDeploy, sit.region, { forcePathStyle: true });

      // Act
      const put = await failure(
        s3.send(new PutObjectCommand({ Bucket: sit.bucket, Key: 'orders/x.json', Body: '{}' })),
      );
      const head = await failure(s3.send(new HeadBucketCommand({ Bucket: sit.evidenceBucket })));
      const evidence = await s3.send(
        new PutObjectCommand({ Bucket: sit.evidenceBucket, Key: 'runs/iam-test.txt', Body: 'ok' }),
      );

      // Assess
      expect(put).toMatchObject({ name: 'AccessDenied', status: 403 });
      expect(put.message).toContain(
        `s3:PutObject on resource: arn:aws:s3:::${sit.bucket}/orders/x.json`,
      );
      expect(head.status).toBe(403);
      expect(evidence.$metadata.httpStatusCode).toBe(200);
    });
  });

  describe('the aws CLI with keys from `aws sts assume-role`', () => {
    it('assumes the deploy role and is held to its policy', async () => {
      // Prepare
      const assumed = await aws(
        ['sts', 'assume-role', '--role-arn', sit.deployRole, '--role-session-name', 'cli'],
        operator('sandbox'),
      );
      const c = assumed.json?.Credentials;
      const keys: Keys = {
        accessKeyId: c?.AccessKeyId,
        secretAccessKey: c?.SecretAccessKey,
        sessionToken: c?.SessionToken,
      };

      // Act
      const who = await aws(['sts', 'get-caller-identity'], keys);
      const alias = await aws(
        ['lambda', 'get-alias', '--function-name', sit.functionName, '--name', 'live'],
        keys,
      );
      const other = await aws(
        [
          'lambda',
          'update-alias',
          '--function-name',
          'other-fn',
          '--name',
          'live',
          '--function-version',
          '1',
        ],
        keys,
      );
      const drop = await aws(['dynamodb', 'delete-table', '--table-name', sit.tableName], keys);
      const sqs = await aws(['sqs', 'list-queues'], keys);
      const iam = await aws(['iam', 'list-roles'], keys, 'us-east-1');
      const s3 = await aws(['s3api', 'list-objects-v2', '--bucket', sit.bucket], keys);
      const refused = await aws(
        ['sts', 'assume-role', '--role-arn', sit.deployRole, '--role-session-name', 'cli'],
        operator('sandbox-prod'),
      );

      // Assess
      expect(assumed.exitCode).toBe(0);
      expect(who.json.Arn).toBe(sessionArn(sit.deployRole, 'cli'));
      expect(alias.json.Name).toBe('live');
      expect(other.exitCode).not.toBe(0);
      expect(other.stderr).toContain('(AccessDeniedException)');
      expect(other.stderr).toContain('lambda:UpdateAlias');
      expect(drop.stderr).toContain('(AccessDeniedException)');
      expect(drop.stderr).toContain('dynamodb:DeleteTable');
      expect(sqs.stderr).toMatch(/\(AccessDenied(Exception)?\)/);
      expect(iam.stderr).toContain('(AccessDenied)');
      expect(iam.stderr).toContain('iam:ListRoles');
      expect(s3.exitCode).toBe(0); // s3:ListBucket on the orders bucket is in the policy
      expect(refused.stderr).toContain('(AccessDenied)');
      expect(refused.stderr).toContain('sts:AssumeRole');
    });

    it('the operator key still runs the same commands', async () => {
      // Act
      const drop = await aws(['iam', 'list-roles'], operator('sandbox-sit'), 'us-east-1');
      const queues = await aws(['sqs', 'list-queues'], operator('sandbox-sit'));

      // Assess
      expect(drop.exitCode).toBe(0);
      expect(queues.exitCode).toBe(0);
    });
  });
});
