import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { stateTableName } from '../../infra/state-table.js';
import { type Sandbox, startSandbox } from '../../sandbox/sandbox.js';
import { AWS_CLI } from '../support/sandbox-clients.js';

/**
 * PROD's global tables and region outages, through the aws CLI v2 and the SDK v3: replicas
 * listed in both regions, a replica's CREATING → ACTIVE → deleted lifecycle with AWS's
 * refusals, asynchronous replication both ways (put, update, delete, batch, transaction),
 * last writer wins, the ReplicationLatency metric, and a regional outage that answers 503
 * for the down region only while its writes wait to replicate.
 */

const prod = ENVIRONMENTS.prod;
const PRIMARY = prod.region;
const FAILOVER = prod.failoverRegion as string;

/** Polls until `condition` holds; the deadline is for a stuck sandbox, not a timing claim. */
const eventually = async <T>(probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('sandbox: PROD global tables and region outages', () => {
  let home: string;
  let sandbox: Sandbox;

  const ddb = (region: string, maxAttempts = 3) =>
    new DynamoDBClient({
      endpoint: sandbox.endpoint,
      region,
      credentials: { accessKeyId: 'sandbox-prod', secretAccessKey: 'sandbox' },
      maxAttempts,
    });
  const aws = (region: string, args: string[]) =>
    execa(AWS_CLI, ['--endpoint-url', sandbox.endpoint, '--output', 'json', ...args], {
      env: {
        AWS_ACCESS_KEY_ID: 'sandbox-prod',
        AWS_SECRET_ACCESS_KEY: 'sandbox',
        AWS_DEFAULT_REGION: region,
        AWS_REGION: region,
        AWS_PAGER: '',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        // One attempt: an outage's 503 is retryable, and the CLI would retry it for seconds.
        AWS_MAX_ATTEMPTS: '1',
        AWS_RETRY_MODE: 'standard',
      },
      reject: false,
    });
  const itemIn = async (region: string, table: string, key: Record<string, { S: string }>) =>
    (
      await ddb(region).send(
        new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
      )
    ).Item;
  const replication = async () =>
    (await (await fetch(`${sandbox.endpoint}/_sandbox/replication`)).json()) as {
      lagMs: number;
      pending: number;
      heldByOutage: number;
      lastLagMs?: number;
    };
  const outage = (region: string, down: boolean) =>
    fetch(`${sandbox.endpoint}/_sandbox/outage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ region, down }),
    });

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'global-tables-'));
    sandbox = await startSandbox({ home, port: 0, envs: ['prod'], tickMs: 1_000 });
  });

  afterAll(async () => {
    await sandbox?.stop();
    await rm(home, { recursive: true, force: true });
  });

  it.each([prod.tableName, prod.idempotencyTableName, stateTableName('prod')])(
    'lists %s as a global table in both regions, each naming the other',
    async (table) => {
      // Act
      const cli = await aws(PRIMARY, ['dynamodb', 'describe-table', '--table-name', table]);
      const sdk = await ddb(FAILOVER).send(new DescribeTableCommand({ TableName: table }));

      // Assess
      expect(cli.exitCode, cli.stderr).toBe(0);
      const primary = JSON.parse(cli.stdout).Table;
      expect(primary.GlobalTableVersion).toBe('2019.11.21');
      expect(primary.Replicas).toEqual([{ RegionName: FAILOVER, ReplicaStatus: 'ACTIVE' }]);
      expect(sdk.Table?.Replicas).toEqual([{ RegionName: PRIMARY, ReplicaStatus: 'ACTIVE' }]);
      expect(sdk.Table?.TableStatus).toBe('ACTIVE');
      expect(sdk.Table?.KeySchema).toEqual(primary.KeySchema);
      expect((sdk.Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName).sort()).toEqual(
        (primary.GlobalSecondaryIndexes ?? [])
          .map((g: { IndexName: string }) => g.IndexName)
          .sort(),
      );
    },
  );

  it('provisions the failover function with the primary live code, as its own versions', async () => {
    // Prepare
    const lambda = (region: string) =>
      new LambdaClient({
        endpoint: sandbox.endpoint,
        region,
        credentials: { accessKeyId: 'sandbox-prod', secretAccessKey: 'sandbox' },
      });
    const alias = (region: string) =>
      lambda(region).send(new GetAliasCommand({ FunctionName: prod.functionName, Name: 'live' }));

    // Act
    const [primary, failover] = await Promise.all([alias(PRIMARY), alias(FAILOVER)]);
    const health = await fetch(`${sandbox.failoverApiUrls.prod}/v1.0/orders/health`);

    // Assess
    expect(primary.AliasArn).toContain(`:${PRIMARY}:`);
    expect(failover.AliasArn).toBe(
      `arn:aws:lambda:${FAILOVER}:${prod.account}:function:${prod.functionName}:live`,
    );
    expect(failover.FunctionVersion).toMatch(/^\d+$/);
    expect(health.status).toBe(200);
  });

  it('creates a replica CREATING then ACTIVE with the items copied, refuses AWS-refused updates, deletes it', async () => {
    // Prepare: a table of the prod account with an item and an index, in af-south-1
    const table = 'gt-contract';
    const primary = ddb(PRIMARY);
    await primary.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'g', AttributeType: 'S' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'ByG',
            KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    await primary.send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: 'before' }, g: { S: 'x' } } }),
    );

    // Act: create the replica through the aws CLI
    const created = await aws(PRIMARY, [
      'dynamodb',
      'update-table',
      '--table-name',
      table,
      '--replica-updates',
      JSON.stringify([{ Create: { RegionName: FAILOVER } }]),
    ]);
    const whileCreating = await primary
      .send(
        new UpdateTableCommand({
          TableName: table,
          ReplicaUpdates: [{ Delete: { RegionName: FAILOVER } }],
        }),
      )
      .catch((error: Error) => error);
    const localRegion = await primary
      .send(
        new UpdateTableCommand({
          TableName: table,
          ReplicaUpdates: [{ Create: { RegionName: PRIMARY } }],
        }),
      )
      .catch((error: Error) => error);
    const active = await eventually(async () => {
      const replicas = (await primary.send(new DescribeTableCommand({ TableName: table }))).Table
        ?.Replicas;
      return replicas?.[0]?.ReplicaStatus === 'ACTIVE' ? replicas : undefined;
    });
    const replica = await ddb(FAILOVER).send(new DescribeTableCommand({ TableName: table }));
    const copied = await itemIn(FAILOVER, table, { pk: { S: 'before' } });

    // Assess
    expect(created.exitCode, created.stderr).toBe(0);
    const answer = JSON.parse(created.stdout).TableDescription;
    expect(answer.TableStatus).toBe('UPDATING');
    expect(answer.Replicas).toEqual([{ RegionName: FAILOVER, ReplicaStatus: 'CREATING' }]);
    expect(whileCreating).toMatchObject({ name: 'ResourceInUseException' });
    expect(localRegion).toMatchObject({ name: 'ValidationException' });
    expect((localRegion as Error).message).toMatch(
      /Cannot add, delete, or update the local region/,
    );
    expect(active).toEqual([{ RegionName: FAILOVER, ReplicaStatus: 'ACTIVE' }]);
    expect(replica.Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName)).toEqual(['ByG']);
    expect(copied?.g).toEqual({ S: 'x' });

    // Act: delete it
    const deleted = await aws(PRIMARY, [
      'dynamodb',
      'update-table',
      '--table-name',
      table,
      '--replica-updates',
      JSON.stringify([{ Delete: { RegionName: FAILOVER } }]),
    ]);
    await eventually(async () => {
      const described = await primary.send(new DescribeTableCommand({ TableName: table }));
      return described.Table?.Replicas === undefined ? true : undefined;
    });
    const gone = await aws(FAILOVER, ['dynamodb', 'describe-table', '--table-name', table]);

    // Assess
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    expect(gone.exitCode).not.toBe(0);
    expect(gone.stderr).toContain('ResourceNotFoundException');
  });

  it('replicates a write from af-south-1 to eu-west-1 after the lag, and publishes ReplicationLatency', async () => {
    // Prepare
    const key = { order_id: { S: 'gt-a' } };

    // Act: write with the aws CLI in the primary region, read with the SDK in the other
    const put = await aws(PRIMARY, [
      'dynamodb',
      'put-item',
      '--table-name',
      prod.tableName,
      '--item',
      JSON.stringify({ ...key, note: { S: 'from af-south-1' } }),
    ]);
    const replicated = await eventually(() => itemIn(FAILOVER, prod.tableName, key));
    const stats = await replication();
    const metric = await eventually(async () => {
      const out = await aws(PRIMARY, [
        'cloudwatch',
        'get-metric-statistics',
        '--namespace',
        'AWS/DynamoDB',
        '--metric-name',
        'ReplicationLatency',
        '--dimensions',
        `Name=TableName,Value=${prod.tableName}`,
        `Name=ReceivingRegion,Value=${FAILOVER}`,
        '--start-time',
        new Date(Date.now() - 600_000).toISOString(),
        '--end-time',
        new Date(Date.now() + 60_000).toISOString(),
        '--period',
        '60',
        '--statistics',
        'Minimum',
        'SampleCount',
      ]);
      const points = JSON.parse(out.stdout || '{}').Datapoints ?? [];
      return points.length ? points : undefined;
    });

    // Assess: asynchronous — never delivered sooner than the lag after the write
    expect(put.exitCode, put.stderr).toBe(0);
    expect(replicated.note).toEqual({ S: 'from af-south-1' });
    expect(stats.lastLagMs).toBeGreaterThanOrEqual(stats.lagMs);
    expect(Math.min(...metric.map((p: { Minimum: number }) => p.Minimum))).toBeGreaterThanOrEqual(
      stats.lagMs,
    );
  });

  it('replicates writes made in eu-west-1 back to af-south-1: update, batch, transaction, delete', async () => {
    // Prepare
    const failover = ddb(FAILOVER);
    await failover.send(
      new PutItemCommand({
        TableName: prod.tableName,
        Item: { order_id: { S: 'gt-b' }, n: { N: '1' } },
      }),
    );

    // Act
    await failover.send(
      new UpdateItemCommand({
        TableName: prod.tableName,
        Key: { order_id: { S: 'gt-b' } },
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': { N: '2' } },
      }),
    );
    await failover.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [prod.tableName]: [
            { PutRequest: { Item: { order_id: { S: 'gt-c' } } } },
            { PutRequest: { Item: { order_id: { S: 'gt-d' } } } },
          ],
        },
      }),
    );
    await failover.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: prod.tableName, Item: { order_id: { S: 'gt-e' } } } },
          { Put: { TableName: prod.idempotencyTableName, Item: { id: { S: 'gt-e' } } } },
        ],
      }),
    );
    const updated = await eventually(async () => {
      const item = await itemIn(PRIMARY, prod.tableName, { order_id: { S: 'gt-b' } });
      return item?.n?.N === '2' ? item : undefined;
    });
    const batched = await eventually(() =>
      itemIn(PRIMARY, prod.tableName, { order_id: { S: 'gt-d' } }),
    );
    const transacted = await eventually(() =>
      itemIn(PRIMARY, prod.idempotencyTableName, { id: { S: 'gt-e' } }),
    );
    await ddb(PRIMARY).send(
      new DeleteItemCommand({ TableName: prod.tableName, Key: { order_id: { S: 'gt-b' } } }),
    );
    const deleted = await eventually(async () =>
      (await itemIn(FAILOVER, prod.tableName, { order_id: { S: 'gt-b' } })) ? undefined : true,
    );

    // Assess
    expect(updated.n).toEqual({ N: '2' });
    expect(batched.order_id).toEqual({ S: 'gt-d' });
    expect(transacted.id).toEqual({ S: 'gt-e' });
    expect(deleted).toBe(true);
  });

  it('resolves concurrent writes of one item by last writer wins, in both regions', async () => {
    // Prepare
    const key = { order_id: { S: 'gt-lww' } };

    // Act: the primary writes first, the failover region second, both before either replicates
    await ddb(PRIMARY).send(
      new PutItemCommand({ TableName: prod.tableName, Item: { ...key, v: { S: 'first' } } }),
    );
    await ddb(FAILOVER).send(
      new PutItemCommand({ TableName: prod.tableName, Item: { ...key, v: { S: 'second' } } }),
    );
    await eventually(async () => ((await replication()).pending === 0 ? true : undefined));
    const [primary, failover] = await Promise.all([
      itemIn(PRIMARY, prod.tableName, key),
      itemIn(FAILOVER, prod.tableName, key),
    ]);

    // Assess
    expect(primary?.v).toEqual({ S: 'second' });
    expect(failover?.v).toEqual({ S: 'second' });
  });

  it('takes af-south-1 down: its calls and API answer 503, eu-west-1 keeps working, its writes wait', async () => {
    // Prepare
    const key = { order_id: { S: 'gt-outage' } };

    // Act
    const down = await outage(PRIMARY, true);
    const sdk = await ddb(PRIMARY, 1)
      .send(new DescribeTableCommand({ TableName: prod.tableName }))
      .catch((error: Error & { $metadata?: { httpStatusCode?: number } }) => error);
    const cli = await aws(PRIMARY, [
      'lambda',
      'get-alias',
      '--function-name',
      prod.functionName,
      '--name',
      'live',
    ]);
    const cliOther = await aws(FAILOVER, [
      'lambda',
      'get-alias',
      '--function-name',
      prod.functionName,
      '--name',
      'live',
    ]);
    const api = await fetch(`${sandbox.apiUrls.prod}/v1.0/orders/health`);
    const failoverApi = await fetch(`${sandbox.failoverApiUrls.prod}/v1.0/orders/health`);
    await ddb(FAILOVER).send(
      new PutItemCommand({ TableName: prod.tableName, Item: { ...key, v: { S: 'during' } } }),
    );
    const held = await eventually(async () => {
      const stats = await replication();
      return stats.heldByOutage > 0 ? stats : undefined;
    });
    const up = await outage(PRIMARY, false);
    const arrived = await eventually(() => itemIn(PRIMARY, prod.tableName, key));
    const unknown = await outage('mars-north-1', true);

    // Assess
    expect(down.status).toBe(200);
    expect(sdk).toMatchObject({ name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
    expect(cli.exitCode).not.toBe(0);
    expect(cli.stderr).toContain('ServiceUnavailable');
    expect(cliOther.exitCode, cliOther.stderr).toBe(0);
    expect(api.status).toBe(503);
    expect(failoverApi.status).toBe(200);
    expect(held.pending).toBeGreaterThan(0);
    expect(up.status).toBe(200);
    expect(arrived.v).toEqual({ S: 'during' });
    expect(unknown.status).toBe(400);
  });

  it('keeps replicas, an outage and the writes it holds across a restart', async () => {
    // Prepare: eu-west-1 down, a write in af-south-1 waiting for it
    const key = { order_id: { S: 'gt-restart' } };
    await outage(FAILOVER, true);
    await ddb(PRIMARY).send(
      new PutItemCommand({ TableName: prod.tableName, Item: { ...key, v: { S: 'held' } } }),
    );
    await eventually(async () => ((await replication()).heldByOutage > 0 ? true : undefined));

    // Act: restart on the same home
    await sandbox.stop();
    sandbox = await startSandbox({ home, port: 0, envs: ['prod'], tickMs: 1_000 });
    const stillDown = await fetch(`${sandbox.failoverApiUrls.prod}/v1.0/orders/health`);
    const waiting = await replication();
    await outage(FAILOVER, false);
    const arrived = await eventually(() => itemIn(FAILOVER, prod.tableName, key));
    const described = await ddb(PRIMARY).send(
      new DescribeTableCommand({ TableName: prod.tableName }),
    );

    // Assess
    expect(stillDown.status).toBe(503);
    expect(waiting.pending).toBeGreaterThan(0);
    expect(arrived.v).toEqual({ S: 'held' });
    expect(described.Table?.Replicas).toEqual([{ RegionName: FAILOVER, ReplicaStatus: 'ACTIVE' }]);
    expect(sandbox.provisionedFailover[0]?.existing).toContain(
      `function ${prod.functionName} ${FAILOVER}`,
    );
  });
});
