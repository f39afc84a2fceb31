import {
  DescribeBackupCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListBackupsCommand,
  RestoreTableFromBackupCommand,
  RestoreTableToPointInTimeCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { PromoteError } from '../../cli/errors.js';
import type { RunJournal } from '../../cli/journal/run-journal.js';
import { restoreApi } from '../../cli/ops/restore-api.js';
import { type RestoreFlowInput, runRestore } from '../../cli/ops/restore-flow.js';
import { documentClientOf } from '../../cli/ops/table-counts.js';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { journalFor, targetFor } from './promote-fixtures.js';

/**
 * `promote restore`'s flow against faked DynamoDB: the side table CREATING then ACTIVE,
 * validated against the journaled counts; timeouts; refusals before anything is created.
 */

const ddb = mockClient(DynamoDBClient);
const doc = mockClient(DynamoDBDocumentClient);

const prod = ENVIRONMENTS.prod;
const SIDE = 'orders-prod-restored-20261201T203015Z';
const BACKUP_ARN = `arn:aws:dynamodb:af-south-1:${prod.account}:table/orders-prod/backup/01`;
const TAKEN = new Date('2026-12-01T20:00:00Z');

const gsi = (name: string, hash: string, range: string, status = 'ACTIVE') => ({
  IndexName: name,
  IndexStatus: status as 'ACTIVE',
  KeySchema: [
    { AttributeName: hash, KeyType: 'HASH' as const },
    { AttributeName: range, KeyType: 'RANGE' as const },
  ],
});

const table = (name: string, status: string, indexStatus = 'ACTIVE'): TableDescription => ({
  TableName: name,
  TableStatus: status as 'ACTIVE',
  KeySchema: [{ AttributeName: 'order_id', KeyType: 'HASH' }],
  GlobalSecondaryIndexes: [
    gsi('OrdersByCustomer', 'customer_id', 'created_at', indexStatus),
    gsi('OrdersByStatus', 'status', 'updated_at', indexStatus),
    gsi('OrdersByDate', 'order_date', 'created_at', indexStatus),
  ],
});

const order = (id: string, status: string) => ({
  order_id: id,
  customer_id: 'cust_1',
  created_at: '2026-12-01T19:00:00.000Z',
  order_date: '2026-12-01',
  currency: 'ZAR',
  status,
  version: 1,
  status_history: [],
});
const ORDERS = [order('ord_1', 'pending'), order('ord_2', 'pending'), order('ord_3', 'shipped')];

/** A journal of the backup step with counts for BACKUP_ARN. */
const backupRun = (byStatus: Record<string, number>, tolerance = 0): RunJournal => {
  const journal = journalFor('prod', ['backup']);
  journal.backups.push({
    arn: BACKUP_ARN,
    name: 'orders-prod-on-demand-20261201-200000',
    status: 'AVAILABLE',
    counts: {
      byStatus,
      total: Object.values(byStatus).reduce((a, b) => a + b, 0),
      countedAt: TAKEN.toISOString(),
      tolerance,
    },
  });
  return journal;
};

/** DescribeTable: live ACTIVE; the side table answers `sideStates` in turn, then the last. */
const describeTables = (...sideStates: TableDescription[]) => {
  let i = 0;
  ddb.on(DescribeTableCommand).callsFake((input: { TableName: string }) => {
    if (input.TableName === 'orders-prod') return { Table: table('orders-prod', 'ACTIVE') };
    const next = sideStates[Math.min(i, sideStates.length - 1)];
    i += 1;
    if (!next) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
    return { Table: next };
  });
};

const backupExists = () => {
  ddb.on(ListBackupsCommand).resolves({
    BackupSummaries: [
      {
        BackupArn: `${BACKUP_ARN}-old`,
        BackupStatus: 'AVAILABLE',
        BackupCreationDateTime: new Date('2026-11-01T00:00:00Z'),
      },
      { BackupArn: BACKUP_ARN, BackupStatus: 'AVAILABLE', BackupCreationDateTime: TAKEN },
      {
        BackupArn: `${BACKUP_ARN}-new`,
        BackupStatus: 'CREATING',
        BackupCreationDateTime: new Date('2026-12-01T21:00:00Z'),
      },
    ],
  });
  ddb.on(DescribeBackupCommand).resolves({
    BackupDescription: {
      BackupDetails: {
        BackupArn: BACKUP_ARN,
        BackupName: 'orders-prod-on-demand-20261201-200000',
        BackupStatus: 'AVAILABLE',
        BackupType: 'USER',
        BackupCreationDateTime: TAKEN,
        BackupSizeBytes: 100,
      },
      SourceTableDetails: { TableName: 'orders-prod', ItemCount: 3 } as never,
    },
  });
  ddb
    .on(RestoreTableFromBackupCommand)
    .resolves({ TableDescription: table(SIDE, 'CREATING', 'CREATING') });
};

const sideHolds = (items: ReadonlyArray<Record<string, unknown>>, live = items) => {
  doc.on(ScanCommand).resolves({
    Items: items.map((o) => ({
      order_id: o.order_id,
      status: o.status,
      created_at: o.created_at,
    })),
  });
  doc.on(GetCommand).callsFake((input: { TableName: string; Key: { order_id: string } }) => {
    const from = input.TableName === SIDE ? items : live;
    return { Item: from.find((o) => o.order_id === input.Key.order_id) };
  });
};

const flow = (overrides: Partial<RestoreFlowInput> = {}): RestoreFlowInput => {
  const target = targetFor('prod');
  let clock = 0;
  return {
    api: restoreApi(target),
    doc: documentClientOf(target),
    env: prod,
    request: { backup: 'latest' },
    target: SIDE,
    runs: async () => [backupRun({ pending: 2, shipped: 1 })],
    timeoutMs: 60_000,
    progress: vi.fn(),
    wait: {
      sleep: vi.fn(async (ms: number) => {
        clock += ms;
      }),
      now: () => clock,
    },
    ...overrides,
  };
};

const rejection = async (run: Promise<unknown>): Promise<PromoteError> => {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PromoteError);
  return error as PromoteError;
};

beforeEach(() => {
  ddb.reset();
  doc.reset();
});

describe('runRestore from a backup', () => {
  it('restores the newest AVAILABLE backup, waits through CREATING, and validates against the journaled counts', async () => {
    // Prepare
    backupExists();
    describeTables(
      undefined as never,
      table(SIDE, 'CREATING', 'CREATING'),
      table(SIDE, 'ACTIVE', 'CREATING'),
      table(SIDE, 'ACTIVE'),
    );
    sideHolds(ORDERS);
    const input = flow();

    // Act
    const outcome = await runRestore(input);

    // Assess
    const restore = ddb.commandCalls(RestoreTableFromBackupCommand)[0]?.args[0].input;
    expect(restore).toEqual({ BackupArn: BACKUP_ARN, TargetTableName: SIDE });
    expect(outcome.validation.verdict).toBe('validated');
    expect(outcome.expected.source).toBe('journal');
    expect(outcome.validation.counts).toEqual({ byStatus: { pending: 2, shipped: 1 }, total: 3 });
    expect(outcome.validation.samples.map((s) => s.outcome)).toEqual(['same', 'same', 'same']);
    expect(outcome.validation.checks.map((c) => [c.name, c.ok])).toEqual([
      ['item count per status', true],
      ['global secondary indexes', true],
      ['sampled orders read back', true],
      ['no order newer than the restore point', true],
    ]);
    expect(input.progress).toHaveBeenCalledWith(
      expect.stringContaining('indexes OrdersByCustomer'),
    );
    expect(input.progress).toHaveBeenCalledWith(expect.stringContaining(`${SIDE} ACTIVE after`));
    expect(input.wait?.sleep).toHaveBeenCalledTimes(2);
  });

  it('is not validated when the side table holds other counts than the backup step saw', async () => {
    // Prepare
    backupExists();
    describeTables(undefined as never, table(SIDE, 'ACTIVE'));
    sideHolds(ORDERS.slice(0, 2));

    // Act
    const outcome = await runRestore(flow());

    // Assess
    const counts = outcome.validation.checks.find((c) => c.name === 'item count per status');
    expect(outcome.validation.verdict).toBe('failed');
    expect(counts?.ok).toBe(false);
    expect(counts?.detail).toContain('shipped 0 ≠ 1');
  });

  it('a backup the CLI did not count is checked against DescribeBackup, which never fails it', async () => {
    // Prepare
    backupExists();
    describeTables(undefined as never, table(SIDE, 'ACTIVE'));
    sideHolds(ORDERS.slice(0, 2));

    // Act
    const outcome = await runRestore(flow({ runs: async () => [] }));

    // Assess
    const counts = outcome.validation.checks.find((c) => c.name === 'item count per status');
    expect(outcome.expected.source).toBe('describe-backup');
    expect(counts).toMatchObject({ ok: false, blocking: false });
    expect(outcome.validation.verdict).toBe('validated');
  });

  it('an order changed in a way that cannot be fails the sample check', async () => {
    // Prepare
    backupExists();
    describeTables(undefined as never, table(SIDE, 'ACTIVE'));
    sideHolds(ORDERS, [
      { ...ORDERS[0]!, customer_id: 'cust_9', version: 2 },
      ORDERS[1]!,
      ORDERS[2]!,
    ]);

    // Act
    const outcome = await runRestore(flow());

    // Assess
    const samples = outcome.validation.checks.find((c) => c.name === 'sampled orders read back');
    expect(outcome.validation.verdict).toBe('failed');
    expect(samples?.detail).toContain('order_id=ord_1: customer_id differ from live');
  });

  it('stops at --timeout while the table is still CREATING, naming the table and nothing validated', async () => {
    // Prepare
    backupExists();
    describeTables(undefined as never, table(SIDE, 'CREATING', 'CREATING'));
    const input = flow({ timeoutMs: 10_000 });

    // Act
    const error = await rejection(runRestore(input));

    // Assess
    expect(error.code).toBe('RESTORE_TIMEOUT');
    expect(error.exitCode).toBe(10);
    expect(error.message).toContain(`${SIDE} still CREATING after 10s`);
    expect(error.hint).toContain(`--cleanup ${SIDE}`);
    expect(doc.commandCalls(ScanCommand)).toHaveLength(0);
  });

  it('fails when the table vanishes while restoring', async () => {
    // Prepare
    backupExists();
    describeTables(undefined as never, table(SIDE, 'CREATING'), undefined as never);

    // Act
    const error = await rejection(runRestore(flow()));

    // Assess
    expect(error.code).toBe('RESTORE_FAILED');
    expect(error.message).toContain('is gone');
  });

  it('refuses the live table as target before calling DynamoDB at all', async () => {
    // Act
    const error = await rejection(runRestore(flow({ target: 'orders-prod' })));

    // Assess
    expect(error.code).toBe('RESTORE_TARGET_IS_LIVE');
    expect(error.exitCode).toBe(2);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('refuses a target that exists, without restoring', async () => {
    // Prepare
    backupExists();
    describeTables(table(SIDE, 'ACTIVE'));

    // Act
    const error = await rejection(runRestore(flow()));

    // Assess
    expect(error.code).toBe('RESTORE_TARGET_EXISTS');
    expect(ddb.commandCalls(RestoreTableFromBackupCommand)).toHaveLength(0);
  });

  it('refuses a backup of another table', async () => {
    // Prepare
    backupExists();
    describeTables(undefined as never);
    ddb.on(DescribeBackupCommand).resolves({
      BackupDescription: {
        BackupDetails: { BackupArn: 'arn:x', BackupName: 'x', BackupStatus: 'AVAILABLE' } as never,
        SourceTableDetails: { TableName: 'orders-sit' } as never,
      },
    });

    // Act
    const error = await rejection(runRestore(flow({ request: { backup: 'arn:x' } })));

    // Assess
    expect(error.code).toBe('RESTORE_WRONG_TABLE');
    expect(ddb.commandCalls(RestoreTableFromBackupCommand)).toHaveLength(0);
  });
});

describe('runRestore to a point in time', () => {
  const window = (earliest: string, latest: string) =>
    ddb.on(DescribeContinuousBackupsCommand).resolves({
      ContinuousBackupsDescription: {
        ContinuousBackupsStatus: 'ENABLED',
        PointInTimeRecoveryDescription: {
          PointInTimeRecoveryStatus: 'ENABLED',
          EarliestRestorableDateTime: new Date(earliest),
          LatestRestorableDateTime: new Date(latest),
        },
      },
    });

  it('refuses a time outside the restorable window without restoring', async () => {
    // Prepare
    describeTables(undefined as never);
    window('2026-12-01T10:00:00Z', '2026-12-01T20:00:00Z');

    // Act
    const error = await rejection(
      runRestore(flow({ request: { pitr: new Date('2026-12-01T09:00:00Z') } })),
    );

    // Assess
    expect(error.code).toBe('RESTORE_TIME_OUTSIDE_WINDOW');
    expect(ddb.commandCalls(RestoreTableToPointInTimeCommand)).toHaveLength(0);
  });

  it('restores to the time, checks that no order is newer, and has no counts to bind', async () => {
    // Prepare
    describeTables(undefined as never, table(SIDE, 'ACTIVE'));
    window('2026-12-01T10:00:00Z', '2026-12-01T20:00:00Z');
    ddb
      .on(RestoreTableToPointInTimeCommand)
      .resolves({ TableDescription: table(SIDE, 'CREATING') });
    sideHolds([
      ...ORDERS,
      { ...order('ord_4', 'pending'), created_at: '2026-12-01T19:30:00.000Z' },
    ]);
    const at = new Date('2026-12-01T19:00:00Z');

    // Act
    const outcome = await runRestore(flow({ request: { pitr: at } }));

    // Assess
    const call = ddb.commandCalls(RestoreTableToPointInTimeCommand)[0]?.args[0].input;
    expect(call).toMatchObject({
      SourceTableName: 'orders-prod',
      TargetTableName: SIDE,
      RestoreDateTime: at,
    });
    expect(outcome.source).toEqual({ kind: 'pitr', table: 'orders-prod', at: at.toISOString() });
    expect(outcome.expected.source).toBe('none');
    const newer = outcome.validation.checks.find(
      (c) => c.name === 'no order newer than the restore point',
    );
    expect(newer?.ok).toBe(false);
    expect(outcome.validation.verdict).toBe('failed');
  });

  it('refuses when PITR is off', async () => {
    // Prepare
    describeTables(undefined as never);
    ddb.on(DescribeContinuousBackupsCommand).resolves({
      ContinuousBackupsDescription: {
        ContinuousBackupsStatus: 'ENABLED',
        PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'DISABLED' },
      },
    });

    // Act
    const error = await rejection(runRestore(flow({ request: { pitr: 'latest' } })));

    // Assess
    expect(error.code).toBe('RESTORE_PITR_DISABLED');
    expect(error.exitCode).toBe(3);
  });

  it("maps DynamoDB's InvalidRestoreTimeException to the CLI's code", async () => {
    // Prepare
    describeTables(undefined as never);
    window('2026-12-01T10:00:00Z', '2026-12-01T20:00:00Z');
    ddb.on(RestoreTableToPointInTimeCommand).rejects(
      Object.assign(new Error('RestoreDateTime must be between …'), {
        name: 'InvalidRestoreTimeException',
      }),
    );

    // Act
    const error = await rejection(
      runRestore(flow({ request: { pitr: new Date('2026-12-01T19:00:00Z') } })),
    );

    // Assess
    expect(error.code).toBe('RESTORE_TIME_OUTSIDE_WINDOW');
    expect(error.message).toContain('restoring orders-prod into');
  });
});
