import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  ScanCommand,
  type TableDescription,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

/**
 * On-demand backups and point-in-time-recovery settings, which DynamoDB Local rejects.
 * A backup is a real snapshot: the table's description and every item, written to disk,
 * and RestoreTableFromBackup recreates the table (keys, GSIs) and writes the items back.
 */

export class BackupError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

interface StoredBackup {
  readonly details: {
    BackupArn: string;
    BackupName: string;
    BackupSizeBytes: number;
    BackupStatus: 'AVAILABLE';
    BackupType: 'USER';
    BackupCreationDateTime: number;
  };
  readonly table: TableDescription;
  readonly items: Record<string, unknown>[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class BackupStore {
  constructor(private readonly dir: string) {}

  private scope(account: string, region: string): string {
    const dir = join(this.dir, account, region);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  private file(account: string, region: string, arn: string): string {
    const id = arn.split('/backup/')[1] ?? '';
    if (!/^[\w-]+$/.test(id))
      throw new BackupError('ValidationException', `invalid BackupArn ${arn}`);
    return join(this.scope(account, region), `${id}.json`);
  }

  private load(account: string, region: string, arn: string): StoredBackup {
    try {
      return JSON.parse(readFileSync(this.file(account, region, arn), 'utf8')) as StoredBackup;
    } catch (error) {
      if (error instanceof BackupError) throw error;
      throw new BackupError('BackupNotFoundException', `Backup not found: ${arn}`);
    }
  }

  async create(
    client: DynamoDBClient,
    account: string,
    region: string,
    tableName: string,
    backupName: string,
  ): Promise<StoredBackup['details']> {
    if (!/^[\w.-]{3,255}$/.test(backupName)) {
      throw new BackupError('ValidationException', 'BackupName must be 3-255 of [a-zA-Z0-9_.-]');
    }
    const table = await describe(client, tableName);
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, any> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: tableName,
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const now = Date.now();
    const id = `${now}-${randomBytes(4).toString('hex')}`;
    const arn = `arn:aws:dynamodb:${region}:${account}:table/${tableName}/backup/${id}`;
    const body = JSON.stringify(items);
    const backup: StoredBackup = {
      details: {
        BackupArn: arn,
        BackupName: backupName,
        BackupSizeBytes: Buffer.byteLength(body),
        BackupStatus: 'AVAILABLE',
        BackupType: 'USER',
        BackupCreationDateTime: now / 1000,
      },
      table,
      items,
    };
    writeFileSync(this.file(account, region, arn), JSON.stringify(backup));
    return backup.details;
  }

  describe(account: string, region: string, arn: string) {
    const backup = this.load(account, region, arn);
    return {
      BackupDetails: backup.details,
      SourceTableDetails: {
        TableName: backup.table.TableName,
        TableArn: backup.table.TableArn,
        TableId: backup.table.TableId,
        KeySchema: backup.table.KeySchema,
        TableCreationDateTime: backup.table.CreationDateTime,
        ItemCount: backup.items.length,
        BillingMode: 'PAY_PER_REQUEST',
      },
    };
  }

  list(account: string, region: string, tableName?: string) {
    const dir = this.scope(account, region);
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as StoredBackup)
      .filter((b) => !tableName || b.table.TableName === tableName)
      .sort((a, b) => a.details.BackupCreationDateTime - b.details.BackupCreationDateTime)
      .map((b) => ({
        ...b.details,
        TableName: b.table.TableName,
        TableArn: b.table.TableArn,
        TableId: b.table.TableId,
      }));
  }

  delete(account: string, region: string, arn: string) {
    const details = this.load(account, region, arn).details;
    rmSync(this.file(account, region, arn));
    return { ...details, BackupStatus: 'DELETED' };
  }

  async restore(
    client: DynamoDBClient,
    account: string,
    region: string,
    arn: string,
    targetTable: string,
  ): Promise<TableDescription> {
    const backup = this.load(account, region, arn);
    const source = backup.table;
    const spec: CreateTableCommandInput = {
      TableName: targetTable,
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
    };
    try {
      await client.send(new CreateTableCommand(spec));
    } catch (error) {
      if ((error as Error).name === 'ResourceInUseException') {
        throw new BackupError(
          'TableAlreadyExistsException',
          `Table already exists: ${targetTable}`,
        );
      }
      throw error;
    }
    await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: targetTable });
    for (let i = 0; i < backup.items.length; i += 25) {
      let pending: any = {
        [targetTable]: backup.items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
      };
      for (let attempt = 0; pending && Object.keys(pending).length > 0; attempt += 1) {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: pending }));
        pending = out.UnprocessedItems;
        if (attempt > 0) await sleep(50 * attempt);
      }
    }
    const restored = await describe(client, targetTable);
    return {
      ...restored,
      RestoreSummary: {
        SourceBackupArn: arn,
        SourceTableArn: source.TableArn,
        RestoreDateTime: new Date(),
        RestoreInProgress: false,
      },
    };
  }
}

const describe = async (client: DynamoDBClient, tableName: string): Promise<TableDescription> => {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (!out.Table) throw new Error('no table');
    return out.Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as Error).message === 'no table') {
      throw new BackupError('TableNotFoundException', `Table not found: ${tableName}`);
    }
    throw error;
  }
};
