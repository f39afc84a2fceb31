import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  ScanCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { BackupError } from './backup-error.js';
import { PitrLog } from './pitr-log.js';
import { type Item, RestoreJobs } from './restore-jobs.js';

export { BackupError } from './backup-error.js';

/** The table's ARN as the caller's account sees it (DynamoDB Local answers with its own). */
const tableArn = (account: string, region: string, table: string | undefined) =>
  `arn:aws:dynamodb:${region}:${account}:table/${table ?? ''}`;

/**
 * On-demand backups, restores and point-in-time recovery, which DynamoDB Local rejects.
 * A backup is a real snapshot: the table's description and every item, written to disk.
 * Restores run as in AWS — the new table CREATING at once, ACTIVE with the items a moment
 * later (restore-jobs.ts) — from a backup, or from the table's change log at a point in
 * time (pitr-log.ts).
 */

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

export class BackupStore {
  /** Per PITR-enabled table: its base copy and change log (beside the backups). */
  readonly pitr: PitrLog;

  constructor(
    private readonly dir: string,
    readonly restores = new RestoreJobs(),
  ) {
    this.pitr = new PitrLog(join(dir, 'pitr-log'));
  }

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
        TableArn: tableArn(account, region, backup.table.TableName),
        TableId: backup.table.TableId,
        KeySchema: backup.table.KeySchema,
        // Stored as JSON, the Date became an ISO string; the wire wants epoch seconds.
        TableCreationDateTime: new Date(backup.table.CreationDateTime ?? 0),
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
        TableArn: tableArn(account, region, b.table.TableName),
        TableId: b.table.TableId,
      }));
  }

  delete(account: string, region: string, arn: string) {
    const details = this.load(account, region, arn).details;
    rmSync(this.file(account, region, arn));
    return { ...details, BackupStatus: 'DELETED' };
  }

  /**
   * RestoreTableFromBackup: answers with the new table CREATING; the items follow
   * (restore-jobs.ts), and RestoreSummary names the backup and its time.
   */
  async restore(
    client: DynamoDBClient,
    account: string,
    region: string,
    arn: string,
    targetTable: string,
  ): Promise<TableDescription> {
    const backup = this.load(account, region, arn);
    return this.restores.start(client, account, region, {
      source: backup.table,
      target: targetTable,
      summary: {
        SourceBackupArn: arn,
        SourceTableArn: tableArn(account, region, backup.table.TableName),
        RestoreDateTime: new Date(backup.details.BackupCreationDateTime * 1000),
      },
      items: backup.items as Item[],
    });
  }

  /**
   * RestoreTableToPointInTime: the source's state at `RestoreDateTime` (or now, with
   * `UseLatestRestorableTime`) from its change log, into a new table, CREATING at first.
   */
  async restoreToPointInTime(
    client: DynamoDBClient,
    account: string,
    region: string,
    input: {
      SourceTableName?: string;
      SourceTableArn?: string;
      TargetTableName: string;
      RestoreDateTime?: number;
      UseLatestRestorableTime?: boolean;
    },
  ): Promise<TableDescription> {
    const name = input.SourceTableName ?? input.SourceTableArn?.split(':table/')[1] ?? '';
    let source: TableDescription;
    try {
      source = await describe(client, name);
    } catch (error) {
      if (!(error instanceof BackupError)) throw error;
      throw new BackupError('SourceTableNotFoundException', `Source table not found: ${name}`);
    }
    if (input.RestoreDateTime === undefined && !input.UseLatestRestorableTime) {
      throw new BackupError(
        'ValidationException',
        'Either RestoreDateTime or UseLatestRestorableTime must be given',
      );
    }
    // JSON 1.0 carries the time as epoch seconds.
    const at = input.UseLatestRestorableTime ? Date.now() : Number(input.RestoreDateTime) * 1000;
    const items = this.pitr.itemsAt(account, region, name, at);
    return this.restores.start(client, account, region, {
      source,
      target: input.TargetTableName,
      summary: { SourceTableArn: tableArn(account, region, name), RestoreDateTime: new Date(at) },
      items,
    });
  }

  /** The CREATING description of a table a restore is still copying into. */
  restoring(account: string, region: string, table: string): TableDescription | undefined {
    return this.restores.describe(account, region, table);
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
