import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetAliasCommand, LambdaClient, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type GuardianRecord,
  HEARTBEAT_PK,
  type Heartbeat,
  heartbeatKey,
} from '../infra/guardian.js';
import type { AlarmState, AliasState } from './decide.js';

/**
 * The guardian's whole AWS surface, narrow on purpose (it is what the execution role
 * allows): alias `live` read and moved conditionally, the heartbeat and the records in the
 * state table, the plan's alarm states.
 */
export interface GuardianPorts {
  getAlias(): Promise<AliasState>;
  /**
   * Puts the alias on `version` with no weights, only if it is still at `revisionId`.
   * Resolves false when it was not (someone changed it since it was read).
   */
  restoreAlias(version: string, revisionId: string | undefined): Promise<boolean>;
  getHeartbeat(): Promise<Heartbeat | undefined>;
  putRecord(record: GuardianRecord): Promise<void>;
  /** Marks the heartbeat of `runId` restored; false when a newer run's heartbeat is there. */
  markRestored(runId: string, guardian: NonNullable<Heartbeat['guardian']>): Promise<boolean>;
  alarms(names: readonly string[]): Promise<AlarmState[]>;
}

export interface PortsConfig {
  readonly region: string;
  readonly functionName: string;
  readonly alias: string;
  readonly stateTable: string;
  readonly stateTableRegion: string;
}

const isCondition = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

export const awsPorts = (config: PortsConfig): GuardianPorts => {
  const lambda = new LambdaClient({ region: config.region });
  const cloudwatch = new CloudWatchClient({ region: config.region });
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: config.stateTableRegion }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const TableName = config.stateTable;
  const key = heartbeatKey(config.region);
  return {
    async getAlias() {
      const out = await lambda.send(
        new GetAliasCommand({ FunctionName: config.functionName, Name: config.alias }),
      );
      return {
        version: out.FunctionVersion ?? '',
        weights: { ...(out.RoutingConfig?.AdditionalVersionWeights ?? {}) },
        ...(out.RevisionId ? { revisionId: out.RevisionId } : {}),
      };
    },
    async restoreAlias(version, revisionId) {
      try {
        await lambda.send(
          new UpdateAliasCommand({
            FunctionName: config.functionName,
            Name: config.alias,
            FunctionVersion: version,
            RoutingConfig: { AdditionalVersionWeights: {} },
            ...(revisionId ? { RevisionId: revisionId } : {}),
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'PreconditionFailedException') return false;
        throw error;
      }
    },
    async getHeartbeat() {
      const out = await doc.send(new GetCommand({ TableName, Key: key, ConsistentRead: true }));
      const item = out.Item as Heartbeat | undefined;
      return item?.pk === HEARTBEAT_PK ? item : undefined;
    },
    async putRecord(record) {
      await doc.send(new PutCommand({ TableName, Item: record }));
    },
    async markRestored(runId, guardian) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName,
            Key: key,
            UpdateExpression: 'SET phase = :restored, guardian = :guardian',
            // Only the run the guardian judged: a newer run's heartbeat is never touched.
            ConditionExpression: 'runId = :runId',
            ExpressionAttributeValues: {
              ':restored': 'restored',
              ':guardian': guardian,
              ':runId': runId,
            },
          }),
        );
        return true;
      } catch (error) {
        if (isCondition(error)) return false;
        throw error;
      }
    },
    async alarms(names) {
      if (names.length === 0) return [];
      const out = await cloudwatch.send(
        new DescribeAlarmsCommand({ AlarmNames: [...names], AlarmTypes: ['MetricAlarm'] }),
      );
      return (out.MetricAlarms ?? []).map((a) => {
        const since = a.StateTransitionedTimestamp ?? a.StateUpdatedTimestamp;
        return {
          name: a.AlarmName ?? '',
          state: a.StateValue ?? 'INSUFFICIENT_DATA',
          ...(since ? { since: new Date(since).toISOString() } : {}),
        };
      });
    },
  };
};
