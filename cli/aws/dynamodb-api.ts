import {
  CreateBackupCommand,
  DescribeBackupCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { AwsTarget } from './target.js';

export interface TableInfo {
  readonly name: string;
  readonly status: string;
  readonly gsis: readonly string[];
  readonly itemCount?: number;
}

export interface BackupInfo {
  readonly arn: string;
  readonly name: string;
  readonly status: string;
  readonly sizeBytes?: number;
}

/** The DynamoDB calls of preflight and backup, on the environment's orders table. */
export interface DynamoDbApi {
  describeTable(name?: string): Promise<TableInfo | undefined>;
  pitrEnabled(): Promise<boolean>;
  createBackup(name: string): Promise<BackupInfo>;
  describeBackup(arn: string): Promise<BackupInfo>;
}

export const dynamoDbApi = (
  target: AwsTarget,
  client = new DynamoDBClient(target.clientConfig),
): DynamoDbApi => {
  const TableName = target.env.tableName;
  return {
    async describeTable(name = TableName) {
      try {
        const out = await client.send(new DescribeTableCommand({ TableName: name }));
        const t = out.Table ?? {};
        return {
          name,
          status: t.TableStatus ?? 'UNKNOWN',
          gsis: (t.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName ?? ''),
          ...(t.ItemCount !== undefined ? { itemCount: t.ItemCount } : {}),
        };
      } catch (error) {
        if ((error as Error).name === 'ResourceNotFoundException') return undefined;
        throw error;
      }
    },
    async pitrEnabled() {
      const out = await client.send(new DescribeContinuousBackupsCommand({ TableName }));
      return (
        out.ContinuousBackupsDescription?.PointInTimeRecoveryDescription
          ?.PointInTimeRecoveryStatus === 'ENABLED'
      );
    },
    async createBackup(name) {
      const out = await client.send(new CreateBackupCommand({ TableName, BackupName: name }));
      const d = out.BackupDetails;
      return {
        arn: d?.BackupArn ?? '',
        name: d?.BackupName ?? name,
        status: d?.BackupStatus ?? 'CREATING',
      };
    },
    async describeBackup(arn) {
      const out = await client.send(new DescribeBackupCommand({ BackupArn: arn }));
      const d = out.BackupDescription?.BackupDetails;
      return {
        arn,
        name: d?.BackupName ?? '',
        status: d?.BackupStatus ?? 'UNKNOWN',
        ...(d?.BackupSizeBytes !== undefined ? { sizeBytes: d.BackupSizeBytes } : {}),
      };
    },
  };
};
