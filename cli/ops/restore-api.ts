import {
  type BackupSummary,
  DeleteTableCommand,
  DescribeBackupCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type KeySchemaElement,
  ListBackupsCommand,
  ListTablesCommand,
  RestoreTableFromBackupCommand,
  RestoreTableToPointInTimeCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { AwsTarget } from '../aws/target.js';
import type { IndexShape } from './restore-validation.js';

/**
 * The DynamoDB control-plane calls of `promote restore`, and nothing else: the narrow
 * surface its tests fake and its IAM statement grants (infra/iam-policies.ts § Restore).
 */

/** A table as a restore looks at it. */
export interface TableShape {
  readonly name: string;
  /** CREATING while a restore copies data, then ACTIVE. */
  readonly status: string;
  /** The key attributes, hash first. */
  readonly keyNames: readonly string[];
  readonly indexes: ReadonlyArray<IndexShape & { readonly status: string }>;
  readonly restoreInProgress?: boolean;
  /** The moment the data is from (RestoreSummary of a restored table). */
  readonly restoreDateTime?: Date;
}

/** A backup as ListBackups / DescribeBackup show it. */
export interface BackupShape {
  readonly arn: string;
  readonly name: string;
  readonly status: string;
  /** `USER`, `SYSTEM` or `AWS_BACKUP`. */
  readonly type?: string;
  readonly createdAt?: Date;
  readonly tableName?: string;
  /** DescribeBackup's SourceTableDetails.ItemCount (approximate in AWS). */
  readonly itemCount?: number;
}

/** PITR of a table and, when on, the moments it can restore. */
export interface PitrWindow {
  readonly enabled: boolean;
  readonly earliest?: Date;
  readonly latest?: Date;
}

export interface RestoreApi {
  describeTable(name: string): Promise<TableShape | undefined>;
  /** Every backup of `table` of every type, newest first. */
  listBackups(table: string): Promise<BackupShape[]>;
  describeBackup(arn: string): Promise<BackupShape>;
  pitrWindow(table: string): Promise<PitrWindow>;
  restoreFromBackup(arn: string, target: string): Promise<TableShape>;
  restoreToPointInTime(source: string, target: string, at: Date | 'latest'): Promise<TableShape>;
  /** Tables whose name starts with `prefix`. */
  listTables(prefix: string): Promise<string[]>;
  deleteTable(name: string): Promise<void>;
}

const keysOf = (schema: readonly KeySchemaElement[] | undefined): string[] =>
  [...(schema ?? [])]
    .sort((a, b) => (a.KeyType === b.KeyType ? 0 : a.KeyType === 'HASH' ? -1 : 1))
    .map((k) => `${k.AttributeName} ${k.KeyType}`);

/** The shape of a TableDescription (also what the restore calls answer with). */
export const tableShape = (t: TableDescription, name = t.TableName ?? ''): TableShape => ({
  name,
  status: t.TableStatus ?? 'UNKNOWN',
  keyNames: keysOf(t.KeySchema).map((k) => k.split(' ')[0] as string),
  indexes: (t.GlobalSecondaryIndexes ?? []).map((g) => ({
    name: g.IndexName ?? '',
    keys: keysOf(g.KeySchema),
    status: g.IndexStatus ?? 'UNKNOWN',
  })),
  ...(t.RestoreSummary?.RestoreInProgress !== undefined
    ? { restoreInProgress: t.RestoreSummary.RestoreInProgress }
    : {}),
  ...(t.RestoreSummary?.RestoreDateTime
    ? { restoreDateTime: t.RestoreSummary.RestoreDateTime }
    : {}),
});

const backupShape = (b: BackupSummary): BackupShape => ({
  arn: b.BackupArn ?? '',
  name: b.BackupName ?? '',
  status: b.BackupStatus ?? 'UNKNOWN',
  ...(b.BackupType ? { type: b.BackupType } : {}),
  ...(b.BackupCreationDateTime ? { createdAt: b.BackupCreationDateTime } : {}),
  ...(b.TableName ? { tableName: b.TableName } : {}),
});

const notFound = (error: unknown) =>
  ['ResourceNotFoundException', 'TableNotFoundException'].includes((error as Error).name);

export const restoreApi = (
  target: Pick<AwsTarget, 'clientConfig'>,
  client = new DynamoDBClient(target.clientConfig),
): RestoreApi => ({
  async describeTable(name) {
    try {
      const out = await client.send(new DescribeTableCommand({ TableName: name }));
      return out.Table ? tableShape(out.Table, name) : undefined;
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
  },
  async listBackups(table) {
    const all: BackupShape[] = [];
    let start: string | undefined;
    do {
      const out = await client.send(
        new ListBackupsCommand({
          TableName: table,
          // USER (the backup step's), SYSTEM and AWS_BACKUP (an hourly plan's), all of them.
          BackupType: 'ALL',
          ...(start ? { ExclusiveStartBackupArn: start } : {}),
        }),
      );
      all.push(...(out.BackupSummaries ?? []).map(backupShape));
      start = out.LastEvaluatedBackupArn;
    } while (start);
    return all.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  },
  async describeBackup(arn) {
    const out = await client.send(new DescribeBackupCommand({ BackupArn: arn }));
    const d = out.BackupDescription;
    const source = d?.SourceTableDetails;
    return {
      ...backupShape({ ...d?.BackupDetails, BackupArn: d?.BackupDetails?.BackupArn ?? arn }),
      ...(source?.TableName ? { tableName: source.TableName } : {}),
      ...(source?.ItemCount !== undefined ? { itemCount: source.ItemCount } : {}),
    };
  },
  async pitrWindow(table) {
    const out = await client.send(new DescribeContinuousBackupsCommand({ TableName: table }));
    const pitr = out.ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
    return {
      enabled: pitr?.PointInTimeRecoveryStatus === 'ENABLED',
      ...(pitr?.EarliestRestorableDateTime ? { earliest: pitr.EarliestRestorableDateTime } : {}),
      ...(pitr?.LatestRestorableDateTime ? { latest: pitr.LatestRestorableDateTime } : {}),
    };
  },
  async restoreFromBackup(arn, targetTable) {
    const out = await client.send(
      new RestoreTableFromBackupCommand({ BackupArn: arn, TargetTableName: targetTable }),
    );
    return tableShape(out.TableDescription ?? {}, targetTable);
  },
  async restoreToPointInTime(source, targetTable, at) {
    const out = await client.send(
      new RestoreTableToPointInTimeCommand({
        SourceTableName: source,
        TargetTableName: targetTable,
        ...(at === 'latest' ? { UseLatestRestorableTime: true } : { RestoreDateTime: at }),
      }),
    );
    return tableShape(out.TableDescription ?? {}, targetTable);
  },
  async listTables(prefix) {
    const names: string[] = [];
    let start: string | undefined;
    do {
      const out = await client.send(
        new ListTablesCommand({ ...(start ? { ExclusiveStartTableName: start } : {}) }),
      );
      names.push(...(out.TableNames ?? []).filter((n) => n.startsWith(prefix)));
      start = out.LastEvaluatedTableName;
    } while (start);
    return names.sort();
  },
  async deleteTable(name) {
    await client.send(new DeleteTableCommand({ TableName: name }));
  },
});
