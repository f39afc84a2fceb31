import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type RestoreSummary,
  type TableDescription,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { BackupError } from './backup-error.js';

/**
 * Restores as AWS runs them: asynchronously. RestoreTableFromBackup and
 * RestoreTableToPointInTime answer at once with the new table CREATING (RestoreSummary
 * `RestoreInProgress: true`), DescribeTable keeps saying CREATING, and only after the copy
 * is the table ACTIVE with its data. Here the copy starts after `SANDBOX_RESTORE_MS`
 * (default 1 s), so clients meet — and must handle — a table that is not ready yet.
 */

export type Item = Record<string, AttributeValue>;

/** What a restore job copies: the source's shape (keys, indexes) and the items. */
export interface RestoreSpec {
  readonly source: TableDescription;
  readonly target: string;
  readonly summary: Omit<RestoreSummary, 'RestoreInProgress'>;
  /** The items the new table gets (a backup's, or the table's state at a point in time). */
  readonly items: readonly Item[];
}

/** `SANDBOX_RESTORE_MS`, or 1 s: how long a restore stays CREATING. */
export const restoreDelayMs = (env: NodeJS.ProcessEnv = process.env): number => {
  const ms = Number(env.SANDBOX_RESTORE_MS);
  return Number.isFinite(ms) && ms >= 0 && env.SANDBOX_RESTORE_MS?.trim() ? ms : 1_000;
};

const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The table as it will be, with the source's keys and indexes (what CreateTable gets). */
const tableSpec = (source: TableDescription, target: string): CreateTableCommandInput => ({
  TableName: target,
  BillingMode: 'PAY_PER_REQUEST',
  KeySchema: source.KeySchema,
  AttributeDefinitions: source.AttributeDefinitions,
  ...(source.GlobalSecondaryIndexes?.length
    ? {
        GlobalSecondaryIndexes: source.GlobalSecondaryIndexes.map((g) => ({
          IndexName: g.IndexName,
          KeySchema: g.KeySchema,
          Projection: g.Projection,
        })),
      }
    : {}),
});

/** Creates `target` in DynamoDB Local and writes `items` into it, 25 at a time. */
export const createAndFill = async (
  client: DynamoDBClient,
  source: TableDescription,
  target: string,
  items: readonly Item[],
): Promise<void> => {
  await client.send(new CreateTableCommand(tableSpec(source, target)));
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: target });
  for (let i = 0; i < items.length; i += 25) {
    let pending: Record<string, Array<{ PutRequest: { Item: Item } }>> | undefined = {
      [target]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
    };
    for (let attempt = 0; pending && Object.keys(pending).length > 0; attempt += 1) {
      if (attempt > 0) await sleep(50 * attempt);
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: pending }));
      pending = out.UnprocessedItems as typeof pending;
    }
  }
};

export class RestoreJobs {
  private readonly running = new Map<string, { table: TableDescription; done: Promise<void> }>();

  constructor(private readonly delayMs = restoreDelayMs()) {}

  private static key(account: string, region: string, table: string) {
    return `${account}/${region}/${table}`;
  }

  /** The CREATING description of a table being restored; undefined once it is done. */
  describe(account: string, region: string, table: string): TableDescription | undefined {
    return this.running.get(RestoreJobs.key(account, region, table))?.table;
  }

  /**
   * Starts a restore and returns the new table as AWS does: CREATING, no items yet. The
   * copy runs after the delay; until then DescribeTable answers with this description.
   */
  async start(
    client: DynamoDBClient,
    account: string,
    region: string,
    spec: RestoreSpec,
  ): Promise<TableDescription> {
    const { target, source } = spec;
    if (!TABLE_NAME.test(target ?? '')) {
      throw new BackupError(
        'ValidationException',
        'TargetTableName must be 3-255 of [a-zA-Z0-9_.-]',
      );
    }
    const key = RestoreJobs.key(account, region, target);
    const exists =
      this.running.has(key) ||
      (await client.send(new DescribeTableCommand({ TableName: target })).then(
        () => true,
        () => false,
      ));
    if (exists)
      throw new BackupError('TableAlreadyExistsException', `Table already exists: ${target}`);
    const now = new Date();
    const arn = `arn:aws:dynamodb:${region}:${account}:table/${target}`;
    const table: TableDescription = {
      TableName: target,
      TableArn: arn,
      TableId: randomUUID(),
      TableStatus: 'CREATING',
      CreationDateTime: now,
      KeySchema: source.KeySchema,
      AttributeDefinitions: source.AttributeDefinitions,
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
      ProvisionedThroughput: {
        ReadCapacityUnits: 0,
        WriteCapacityUnits: 0,
        NumberOfDecreasesToday: 0,
      },
      ItemCount: 0,
      TableSizeBytes: 0,
      ...(source.GlobalSecondaryIndexes?.length
        ? {
            GlobalSecondaryIndexes: source.GlobalSecondaryIndexes.map((g) => ({
              IndexName: g.IndexName,
              KeySchema: g.KeySchema,
              Projection: g.Projection,
              IndexStatus: 'CREATING',
              ItemCount: 0,
              IndexSizeBytes: 0,
              IndexArn: `${arn}/index/${g.IndexName}`,
            })),
          }
        : {}),
      RestoreSummary: { ...spec.summary, RestoreInProgress: true },
    };
    const done = sleep(this.delayMs)
      .then(() => createAndFill(client, source, target, spec.items))
      .catch(async (error: unknown) => {
        // AWS would leave a failed restore's table behind; here the half copy goes, and the
        // daemon log says why (DescribeTable then answers ResourceNotFoundException).
        process.stderr.write(
          `sandbox: restore into ${target} failed: ${(error as Error).message}\n`,
        );
        await client.send(new DeleteTableCommand({ TableName: target })).catch(() => undefined);
      })
      .finally(() => this.running.delete(key));
    this.running.set(key, { table, done });
    return table;
  }

  /** Resolves when every restore under way has finished (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.running.values()].map((j) => j.done));
  }
}
