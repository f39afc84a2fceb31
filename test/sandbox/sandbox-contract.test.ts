import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { guardianNames } from '../../infra/guardian.js';
import { loadSandboxKeys } from '../../sandbox/api/jwt.js';
import {
  MissingPrerequisite,
  startDynamoDbLocal,
  startMoto,
} from '../../sandbox/engines/local-engines.js';
import { type Sandbox, startSandbox } from '../../sandbox/sandbox.js';
import { AWS_CLI } from '../support/sandbox-clients.js';

/**
 * The sandbox as its users meet it: one endpoint, real SDK v3 clients and the real aws CLI
 * running the plan's own verify commands, accounts kept apart, the API fronts, weighted
 * alias routing with per-version metrics, faults, alarms, and a restart that keeps state.
 */

const sit = ENVIRONMENTS.sit;
const prod = ENVIRONMENTS.prod;

const clientConfig = (endpoint: string, key: string, region: string) => ({
  endpoint,
  region,
  credentials: { accessKeyId: key, secretAccessKey: 'sandbox' },
});

describe('sandbox contract (SDK v3 + aws CLI against one endpoint)', () => {
  let home: string;
  let sandbox: Sandbox;
  let lambda: LambdaClient;
  let newVersion = '';

  const aws = async (args: string[], key = 'sandbox-sit', region = sit.region) => {
    const result = await execa(AWS_CLI, ['--endpoint-url', sandbox.endpoint, ...args], {
      env: {
        AWS_ACCESS_KEY_ID: key,
        AWS_SECRET_ACCESS_KEY: 'sandbox',
        AWS_DEFAULT_REGION: region,
        AWS_REGION: region,
        AWS_PAGER: '',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
      reject: false,
    });
    return {
      exitCode: result.exitCode,
      stderr: result.stderr,
      json: result.stdout ? JSON.parse(result.stdout) : undefined,
    };
  };

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'sandbox-contract-'));
    sandbox = await startSandbox({ home, port: 0, envs: ['sit', 'prod'], tickMs: 500 });
    lambda = new LambdaClient(clientConfig(sandbox.endpoint, 'sandbox-sit', sit.region));
    // A second published version, so the alias has something to shift to.
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: sit.functionName,
        Description: 'contract test v2',
      }),
    );
    await waitUntilFunctionUpdatedV2(
      { client: lambda, maxWaitTime: 30 },
      { FunctionName: sit.functionName },
    );
    newVersion =
      (await lambda.send(new PublishVersionCommand({ FunctionName: sit.functionName }))).Version ??
      '';
  });

  afterAll(async () => {
    await sandbox?.stop();
  });

  it('provisions sit and prod with function version 1 behind alias live', async () => {
    // Act
    const fn = await lambda.send(
      new GetFunctionCommand({ FunctionName: sit.functionName, Qualifier: 'live' }),
    );

    // Assess
    expect(fn.Configuration?.Version).toBe('1');
    expect(newVersion).toBe('2');
    expect(sandbox.provisioned.map((p) => p.env)).toEqual(['sit', 'prod']);
  });

  it('aws sts get-caller-identity answers with the account of the key', async () => {
    // Act
    const sitIdentity = await aws(['sts', 'get-caller-identity']);
    const prodIdentity = await aws(['sts', 'get-caller-identity'], 'sandbox-prod', prod.region);

    // Assess
    expect(sitIdentity.exitCode).toBe(0);
    expect(sitIdentity.json.Account).toBe(sit.account);
    expect(prodIdentity.json.Account).toBe(prod.account);
  });

  it('AssumeRole from the management key into the sit deploy role lands in sit', async () => {
    // Prepare
    const sts = new STSClient(clientConfig(sandbox.endpoint, 'sandbox', sit.region));

    // Act
    const assumed = await sts.send(
      new AssumeRoleCommand({ RoleArn: sit.deployRole, RoleSessionName: 'contract' }),
    );
    const asRole = new STSClient({
      endpoint: sandbox.endpoint,
      region: sit.region,
      credentials: {
        accessKeyId: assumed.Credentials?.AccessKeyId ?? '',
        secretAccessKey: assumed.Credentials?.SecretAccessKey ?? '',
        sessionToken: assumed.Credentials?.SessionToken ?? '',
      },
    });
    const identity = await asRole.send(new GetCallerIdentityCommand({}));

    // Assess
    expect(identity.Account).toBe(sit.account);
    expect(identity.Arn).toContain('assumed-role/order-lambda-deploy-sit/contract');
  });

  it("runs the plan's Step 6 verify commands through the aws CLI", async () => {
    // Act
    const list = await aws(['lambda', 'list-functions']);
    const fn = await aws(['lambda', 'get-function', '--function-name', sit.functionName]);
    const env = await aws([
      'lambda',
      'get-function-configuration',
      '--function-name',
      sit.functionName,
      '--query',
      'Environment',
    ]);
    const rules = await aws(['events', 'list-rules', '--name-prefix', 'order']);
    const queue = await aws(['sqs', 'get-queue-url', '--queue-name', sit.dlq]);
    const attributes = await aws([
      'sqs',
      'get-queue-attributes',
      '--queue-url',
      queue.json?.QueueUrl ?? 'missing',
      '--attribute-names',
      'All',
    ]);

    // Assess
    expect(list.json.Functions.map((f: { FunctionName: string }) => f.FunctionName)).toEqual([
      sit.functionName,
    ]);
    expect(fn.json.Configuration.Runtime).toBe('nodejs20.x');
    expect(env.json.Variables.TABLE_NAME).toBe(sit.tableName);
    expect(rules.json.Rules.map((r: { Name: string }) => r.Name)).toContain(sit.eventRule);
    expect(queue.json.QueueUrl).toContain(sit.dlq);
    expect(attributes.json.Attributes.ApproximateNumberOfMessages).toBe('0');
    expect(attributes.json.Attributes.QueueArn).toContain(`${sit.account}:${sit.dlq}`);
  });

  it('aws dynamodb create-backup makes a real backup of orders-sit', async () => {
    // Act
    const backup = await aws([
      'dynamodb',
      'create-backup',
      '--table-name',
      sit.tableName,
      '--backup-name',
      'orders-sit-pre-deployment-20261128-101500',
    ]);
    const described = await aws([
      'dynamodb',
      'describe-backup',
      '--backup-arn',
      backup.json?.BackupDetails?.BackupArn ?? 'missing',
    ]);

    // Assess
    expect(backup.exitCode).toBe(0);
    expect(backup.json.BackupDetails.BackupArn).toContain(
      `arn:aws:dynamodb:${sit.region}:${sit.account}:table/${sit.tableName}/backup/`,
    );
    expect(described.json.BackupDescription.BackupDetails.BackupStatus).toBe('AVAILABLE');
  });

  it('keeps accounts apart: a sit key sees neither prod function nor prod table', async () => {
    // Prepare
    const sitInProdRegion = new LambdaClient(
      clientConfig(sandbox.endpoint, 'sandbox-sit', prod.region),
    );
    const dynamo = new DynamoDBClient(clientConfig(sandbox.endpoint, 'sandbox-sit', prod.region));

    // Act
    const fn = await sitInProdRegion
      .send(new GetFunctionCommand({ FunctionName: prod.functionName }))
      .catch((e: Error) => e);
    const table = await dynamo
      .send(new DescribeTableCommand({ TableName: prod.tableName }))
      .catch((e: Error) => e);
    const cliList = await aws(['lambda', 'list-functions'], 'sandbox-prod', prod.region);

    // Assess
    expect((fn as Error).name).toBe('ResourceNotFoundException');
    expect((table as Error).name).toBe('ResourceNotFoundException');
    expect(
      cliList.json.Functions.map((f: { FunctionName: string }) => f.FunctionName).sort(),
    ).toEqual([prod.functionName, guardianNames(prod).functionName].sort());
  });

  it('aws lambda update-alias --routing-config splits invocations by weight, with per-version metrics', async () => {
    // Prepare
    const shift = await aws([
      'lambda',
      'update-alias',
      '--function-name',
      sit.functionName,
      '--name',
      'live',
      '--function-version',
      '1',
      '--routing-config',
      // as typed in a shell, where the plan's quotes around the key are removed
      `AdditionalVersionWeights={${newVersion}=0.3}`,
    ]);
    const started = Date.now();

    // Act
    const executed: Record<string, number> = {};
    const health = JSON.stringify({
      resource: '/v1.0/orders/health',
      path: '/v1.0/orders/health',
      httpMethod: 'GET',
      headers: {},
      requestContext: { requestId: 'contract' },
    });
    for (let i = 0; i < 300; i += 1) {
      const out = await lambda.send(
        new InvokeCommand({
          FunctionName: sit.functionName,
          Qualifier: 'live',
          Payload: Buffer.from(health),
        }),
      );
      const version = out.ExecutedVersion ?? '?';
      executed[version] = (executed[version] ?? 0) + 1;
    }
    const cloudwatch = new CloudWatchClient(
      clientConfig(sandbox.endpoint, 'sandbox-sit', sit.region),
    );
    const query = (version: string) => ({
      Id: `v${version}`,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/Lambda',
          MetricName: 'Invocations',
          Dimensions: [
            { Name: 'FunctionName', Value: sit.functionName },
            { Name: 'ExecutedVersion', Value: version },
          ],
        },
        Period: 3600,
        Stat: 'Sum',
      },
    });
    const data = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(started - 3_600_000),
        EndTime: new Date(Date.now() + 60_000),
        MetricDataQueries: [
          query('1'),
          query(newVersion),
          {
            Id: 'p95',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/Lambda',
                MetricName: 'Duration',
                Dimensions: [{ Name: 'FunctionName', Value: sit.functionName }],
              },
              Period: 3600,
              Stat: 'p95',
            },
          },
        ],
      }),
    );
    const sum = (id: string) =>
      (data.MetricDataResults?.find((r) => r.Id === id)?.Values ?? []).reduce((a, b) => a + b, 0);

    // Assess: 30% ± 8 points over 300 draws is > 3 standard deviations wide.
    expect(shift.exitCode).toBe(0);
    expect(shift.json.RoutingConfig.AdditionalVersionWeights[newVersion]).toBe(0.3);
    expect(Object.keys(executed).sort()).toEqual(['1', newVersion].sort());
    const share = (executed[newVersion] ?? 0) / 300;
    expect(share).toBeGreaterThan(0.22);
    expect(share).toBeLessThan(0.38);
    expect(sum('v1')).toBeGreaterThanOrEqual(executed['1'] ?? 0);
    expect(sum(`v${newVersion}`)).toBeGreaterThanOrEqual(executed[newVersion] ?? 0);
    expect(sum('p95')).toBeGreaterThan(0);
  });

  it('a fault on one version fails that version only, and its alarm goes to ALARM', async () => {
    // Prepare
    await lambda.send(
      new UpdateAliasCommand({
        FunctionName: sit.functionName,
        Name: 'live',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: {} },
      }),
    );
    sandbox.faults.set({
      account: sit.account,
      functionName: sit.functionName,
      version: newVersion,
      errorRate: 1,
    });
    const cloudwatch = new CloudWatchClient(
      clientConfig(sandbox.endpoint, 'sandbox-sit', sit.region),
    );
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'contract-canary-errors',
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [
          { Name: 'FunctionName', Value: sit.functionName },
          { Name: 'ExecutedVersion', Value: newVersion },
        ],
        Statistic: 'Sum',
        Period: 1,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      }),
    );
    const invoke = (qualifier: string) =>
      lambda.send(
        new InvokeCommand({
          FunctionName: sit.functionName,
          Qualifier: qualifier,
          Payload: Buffer.from('{"httpMethod":"GET","path":"/v1.0/orders/health"}'),
        }),
      );

    // Act
    const stable = await invoke('1');
    const faulty = await invoke(newVersion);
    let state = '';
    for (let i = 0; i < 40 && state !== 'ALARM'; i += 1) {
      await invoke(newVersion);
      await new Promise((r) => setTimeout(r, 250));
      const alarms = await cloudwatch.send(
        new DescribeAlarmsCommand({ AlarmNames: ['contract-canary-errors'] }),
      );
      state = alarms.MetricAlarms?.[0]?.StateValue ?? '';
    }
    sandbox.faults.clear({ account: sit.account, functionName: sit.functionName });

    // Assess
    expect(stable.FunctionError).toBeUndefined();
    expect(faulty.FunctionError).toBe('Unhandled');
    expect(state).toBe('ALARM');
  });

  it('serves the API per environment with the JWT authorizer, through alias live', async () => {
    // Prepare
    const keys = await loadSandboxKeys(sandbox.paths.keys);
    const token = await keys.mintToken({ env: 'sit', customerId: 'cust_test_001' });
    const body = {
      customer_id: 'cust_test_001',
      items: [{ product_id: 'prod_001', quantity: 2, price: 29.99 }],
      total: 59.98,
      currency: 'USD',
    };

    // Act
    const created = await fetch(`${sandbox.apiUrls.sit}/v1.0/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const order = (await created.json()) as { order_id: string; total: number };
    const onProd = await fetch(`${sandbox.apiUrls.prod}/v1.0/orders/${order.order_id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const anonymous = await fetch(`${sandbox.apiUrls.sit}/v1.0/orders/${order.order_id}`);

    // Assess
    expect(created.status).toBe(201);
    expect(order.total).toBe(59.98);
    expect(onProd.status).toBe(401);
    expect(anonymous.status).toBe(401);
  });

  it('delivers upstream EventBridge events to the function (payment.succeeded confirms)', async () => {
    // Prepare
    const keys = await loadSandboxKeys(sandbox.paths.keys);
    const token = await keys.mintToken({ env: 'sit', customerId: 'cust_evt_001' });
    const created = await fetch(`${sandbox.apiUrls.sit}/v1.0/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        customer_id: 'cust_evt_001',
        items: [{ product_id: 'prod_002', quantity: 1, price: 10 }],
        total: 10,
        currency: 'USD',
      }),
    });
    const { order_id: id } = (await created.json()) as { order_id: string };
    const events = new EventBridgeClient(clientConfig(sandbox.endpoint, 'sandbox-sit', sit.region));

    // Act
    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'payments',
            DetailType: 'payment.succeeded',
            Detail: JSON.stringify({ order_id: id, customer_id: 'cust_evt_001' }),
          },
        ],
      }),
    );
    let status = '';
    for (let i = 0; i < 60 && status !== 'confirmed'; i += 1) {
      await new Promise((r) => setTimeout(r, 250));
      const res = await fetch(`${sandbox.apiUrls.sit}/v1.0/orders/${id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      status = ((await res.json()) as { status: string }).status;
    }

    // Assess
    expect(status).toBe('confirmed');
  });

  it('keeps table data and function versions across a restart', async () => {
    // Prepare
    const keys = await loadSandboxKeys(sandbox.paths.keys);
    const token = await keys.mintToken({ env: 'sit', customerId: 'cust_restart_001' });
    const created = await fetch(`${sandbox.apiUrls.sit}/v1.0/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        customer_id: 'cust_restart_001',
        items: [{ product_id: 'prod_003', quantity: 3, price: 1.5 }],
        total: 4.5,
        currency: 'USD',
      }),
    });
    const { order_id: id } = (await created.json()) as { order_id: string };

    // Act
    await sandbox.stop();
    sandbox = await startSandbox({ home, port: 0, envs: ['sit', 'prod'], tickMs: 500 });
    lambda = new LambdaClient(clientConfig(sandbox.endpoint, 'sandbox-sit', sit.region));
    const again = await fetch(`${sandbox.apiUrls.sit}/v1.0/orders/${id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const v2 = await lambda.send(
      new GetFunctionCommand({ FunctionName: sit.functionName, Qualifier: newVersion }),
    );

    // Assess
    expect(again.status).toBe(200);
    expect(((await again.json()) as { total: number }).total).toBe(4.5);
    expect(v2.Configuration?.Version).toBe(newVersion);
    expect(v2.Configuration?.Description).toBe('contract test v2');
  });
});

describe('missing prerequisites', () => {
  it('say what to install instead of a stack trace', async () => {
    // Prepare: a PATH with neither java nor python3
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      // Act
      const dynamo = await startDynamoDbLocal().catch((e: Error) => e);
      const moto = await startMoto().catch((e: Error) => e);

      // Assess
      expect(dynamo).toBeInstanceOf(MissingPrerequisite);
      expect((dynamo as Error).message).toMatch(/Java 17\+ is needed .*apt-get install/);
      expect(moto).toBeInstanceOf(MissingPrerequisite);
      expect((moto as Error).message).toMatch(/pip install 'moto\[server\]'/);
    } finally {
      process.env.PATH = path;
    }
  });
});
