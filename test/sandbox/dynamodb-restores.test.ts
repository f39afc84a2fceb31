import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { BackupError, BackupStore } from '../../sandbox/dynamodb/backups.js';
import { localDynamoClient } from '../../sandbox/dynamodb/local-account.js';
import { RestoreJobs } from '../../sandbox/dynamodb/restore-jobs.js';
import { ordersTableSpec } from '../../service/adapters/table-schema.js';

/**
 * The sandbox's restores against DynamoDB Local: asynchronous as in AWS (CREATING, then
 * ACTIVE with the data), and point-in-time recovery from the change log it keeps of the
 * writes it forwards — the table at T, whatever came after.
 */

const REGION = 'af-south-1';
/** An account of its own: DynamoDB Local keeps one database per access key. */
const ACCOUNT = `9${String(Date.now()).slice(-11)}`;
const TABLE = 'orders-restoretest';

type Item = Record<string, AttributeValue>;
const order = (id: string, status: string): Item => ({
  order_id: { S: id },
  customer_id: { S: 'cust_1' },
  created_at: { S: '2026-12-01T10:00:00.000Z' },
  updated_at: { S: '2026-12-01T10:00:00.000Z' },
  order_date: { S: '2026-12-01' },
  status: { S: status },
});

describe('sandbox DynamoDB restores', () => {
  let dir: string;
  let store: BackupStore;
  const client = () => localDynamoClient(inject('dynamoEndpoint'), ACCOUNT, REGION);

  /** A write as the handler forwards it: to DynamoDB Local, then into the change log. */
  const write = async (
    operation: string,
    input: Record<string, unknown>,
    command: { input: unknown },
  ) => {
    const out = await client().send(command as never);
    await store.pitr.observe(client, ACCOUNT, REGION, operation, input, JSON.stringify(out ?? {}));
  };
  const put = (item: Item) =>
    write(
      'PutItem',
      { TableName: TABLE, Item: item },
      new PutItemCommand({ TableName: TABLE, Item: item }),
    );

  const statuses = async (table: string) => {
    const out = await client().send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    return Object.fromEntries((out.Items ?? []).map((i) => [i.order_id?.S, i.status?.S]));
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandbox-restores-'));
    store = new BackupStore(dir, new RestoreJobs(50));
    await client().send(new CreateTableCommand(ordersTableSpec(TABLE)));
    await waitUntilTableExists({ client: client(), maxWaitTime: 30 }, { TableName: TABLE });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  afterAll(async () => {
    await store.restores.idle();
    await rm(dir, { recursive: true, force: true });
  });

  it('RestoreTableFromBackup answers CREATING at once, and the table is ACTIVE with the items after the copy', async () => {
    // Prepare
    await put(order('ord_b1', 'pending'));
    await put(order('ord_b2', 'shipped'));
    const backup = await store.create(client(), ACCOUNT, REGION, TABLE, 'restoretest-backup');

    // Act
    const started = await store.restore(client(), ACCOUNT, REGION, backup.BackupArn, `${TABLE}-r1`);
    const during = store.restoring(ACCOUNT, REGION, `${TABLE}-r1`);
    await store.restores.idle();
    const after = await client().send(new DescribeTableCommand({ TableName: `${TABLE}-r1` }));

    // Assess
    expect(started.TableStatus).toBe('CREATING');
    expect(started.RestoreSummary).toMatchObject({
      SourceBackupArn: backup.BackupArn,
      RestoreInProgress: true,
    });
    expect(started.GlobalSecondaryIndexes?.map((g) => [g.IndexName, g.IndexStatus])).toEqual([
      ['OrdersByCustomer', 'CREATING'],
      ['OrdersByStatus', 'CREATING'],
      ['OrdersByDate', 'CREATING'],
    ]);
    expect(during?.TableStatus).toBe('CREATING');
    expect(store.restoring(ACCOUNT, REGION, `${TABLE}-r1`)).toBeUndefined();
    expect(after.Table?.TableStatus).toBe('ACTIVE');
    expect(after.Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName)).toEqual([
      'OrdersByCustomer',
      'OrdersByStatus',
      'OrdersByDate',
    ]);
    expect(await statuses(`${TABLE}-r1`)).toEqual({ ord_b1: 'pending', ord_b2: 'shipped' });
  });

  it('refuses a restore into a table that exists, or one being restored', async () => {
    // Prepare
    const backup = await store.create(client(), ACCOUNT, REGION, TABLE, 'restoretest-backup-2');
    await store.restore(client(), ACCOUNT, REGION, backup.BackupArn, `${TABLE}-r2`);

    // Act
    const errors = await Promise.all(
      [TABLE, `${TABLE}-r2`].map((target) =>
        store.restore(client(), ACCOUNT, REGION, backup.BackupArn, target).catch((e: unknown) => e),
      ),
    );
    await store.restores.idle();

    // Assess
    for (const error of errors) {
      expect(error).toBeInstanceOf(BackupError);
      expect((error as BackupError).code).toBe('TableAlreadyExistsException');
    }
  });

  it('RestoreTableToPointInTime restores the table as it was at T, from the base and the change log', async () => {
    // Prepare: PITR on at t=1000 s with ord_b1/ord_b2 in the table; then writes on both sides of T.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
    await store.pitr.setEnabled(client(), ACCOUNT, REGION, TABLE, true, Date.now());
    vi.setSystemTime(1_001_000);
    await put(order('ord_p1', 'pending'));
    const key = { order_id: { S: 'ord_b1' } };
    const update = {
      TableName: TABLE,
      Key: key,
      UpdateExpression: 'SET #s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': { S: 'processing' } },
    };
    await write('UpdateItem', update, new UpdateItemCommand(update));
    const T = 1_002_000;
    vi.setSystemTime(1_003_000);
    await write(
      'DeleteItem',
      { TableName: TABLE, Key: key },
      new DeleteItemCommand({ TableName: TABLE, Key: key }),
    );
    const batch = {
      RequestItems: { [TABLE]: [{ PutRequest: { Item: order('ord_p2', 'shipped') } }] },
    };
    await write('BatchWriteItem', batch, new BatchWriteItemCommand(batch));
    await put(order('ord_p1', 'cancelled'));

    // Act
    await store.restoreToPointInTime(client(), ACCOUNT, REGION, {
      SourceTableName: TABLE,
      TargetTableName: `${TABLE}-at-t`,
      RestoreDateTime: T / 1000,
    });
    await store.restoreToPointInTime(client(), ACCOUNT, REGION, {
      SourceTableName: TABLE,
      TargetTableName: `${TABLE}-latest`,
      UseLatestRestorableTime: true,
    });
    vi.useRealTimers();
    await store.restores.idle();

    // Assess
    expect(await statuses(`${TABLE}-at-t`)).toEqual({
      ord_b1: 'processing',
      ord_b2: 'shipped',
      ord_p1: 'pending',
    });
    expect(await statuses(`${TABLE}-latest`)).toEqual(await statuses(TABLE));
    expect(await statuses(TABLE)).toEqual({
      ord_b2: 'shipped',
      ord_p1: 'cancelled',
      ord_p2: 'shipped',
    });
  });

  it("refuses a time outside the window, and a table without PITR, with AWS's errors", async () => {
    // Prepare
    const other = 'orders-restoretest-nopitr';
    await client().send(new CreateTableCommand(ordersTableSpec(other)));
    await waitUntilTableExists({ client: client(), maxWaitTime: 30 }, { TableName: other });

    // Act
    const early = await store
      .restoreToPointInTime(client(), ACCOUNT, REGION, {
        SourceTableName: TABLE,
        TargetTableName: `${TABLE}-early`,
        RestoreDateTime: 10,
      })
      .catch((e: unknown) => e as BackupError);
    const off = await store
      .restoreToPointInTime(client(), ACCOUNT, REGION, {
        SourceTableName: other,
        TargetTableName: `${other}-r`,
        UseLatestRestorableTime: true,
      })
      .catch((e: unknown) => e as BackupError);

    // Assess
    expect(early).toMatchObject({ code: 'InvalidRestoreTimeException' });
    expect((early as BackupError).message).toContain('RestoreDateTime must be between');
    expect(off).toMatchObject({ code: 'PointInTimeRecoveryUnavailableException' });
    expect(store.restoring(ACCOUNT, REGION, `${TABLE}-early`)).toBeUndefined();
  });

  it('turning PITR off drops the window, as in AWS', async () => {
    // Act
    await store.pitr.setEnabled(client(), ACCOUNT, REGION, TABLE, false, Date.now());
    const error = await store
      .restoreToPointInTime(client(), ACCOUNT, REGION, {
        SourceTableName: TABLE,
        TargetTableName: `${TABLE}-off`,
        UseLatestRestorableTime: true,
      })
      .catch((e: unknown) => e as BackupError);

    // Assess
    expect(error).toMatchObject({ code: 'PointInTimeRecoveryUnavailableException' });
    expect(store.pitr.window(ACCOUNT, REGION, TABLE)).toBeUndefined();
  });
});
