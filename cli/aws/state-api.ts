import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { stateTableName } from '../../infra/state-table.js';
import type { AwsTarget } from './target.js';

/** One item of the environment's `promote-state-<env>` table. */
export interface StateItem {
  readonly pk: string;
  readonly sk: string;
  readonly [attribute: string]: unknown;
}

/**
 * The state table (lock + run journals), shared by laptops and CI runners. Conditional
 * writes are the whole point: `put` with a condition is how the lock is taken.
 */
export interface StateApi {
  readonly tableName: string;
  get(pk: string, sk: string): Promise<StateItem | undefined>;
  /** Resolves false when `condition` failed (someone else got there first). */
  put(
    item: StateItem,
    condition?: { expression: string; values?: Record<string, unknown> },
  ): Promise<boolean>;
  delete(
    pk: string,
    sk: string,
    condition?: { expression: string; values?: Record<string, unknown> },
  ): Promise<boolean>;
  /** Newest first. */
  query(pk: string, limit: number): Promise<StateItem[]>;
}

type Condition = { expression: string; values?: Record<string, unknown> };

const conditionParams = (condition: Condition | undefined) =>
  condition
    ? {
        ConditionExpression: condition.expression,
        ...(condition.values ? { ExpressionAttributeValues: condition.values } : {}),
      }
    : {};

const conditional = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

export const stateApi = (target: AwsTarget): StateApi => {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(target.clientConfig), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const TableName = stateTableName(target.env.name);
  return {
    tableName: TableName,
    async get(pk, sk) {
      const out = await doc.send(
        new GetCommand({ TableName, Key: { pk, sk }, ConsistentRead: true }),
      );
      return out.Item as StateItem | undefined;
    },
    async put(item, condition) {
      try {
        await doc.send(
          new PutCommand({
            TableName,
            Item: item,
            ...conditionParams(condition),
          }),
        );
        return true;
      } catch (error) {
        if (conditional(error)) return false;
        throw error;
      }
    },
    async delete(pk, sk, condition) {
      try {
        await doc.send(
          new DeleteCommand({
            TableName,
            Key: { pk, sk },
            ...conditionParams(condition),
          }),
        );
        return true;
      } catch (error) {
        if (conditional(error)) return false;
        throw error;
      }
    },
    async query(pk, limit) {
      const out = await doc.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (out.Items ?? []) as StateItem[];
    },
  };
};
