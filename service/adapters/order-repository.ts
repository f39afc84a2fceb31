import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Order } from '../domain/order.js';
import type { OrderStatus } from '../domain/status-machine.js';
import { ORDER_INDEXES } from './table-schema.js';

/** DynamoDB's opaque pagination cursor. */
export type PageKey = Record<string, unknown>;

/** Which index a list request reads and what it filters on. Values are bound, never spliced. */
export interface OrderQuery {
  readonly customerId?: string;
  readonly status?: OrderStatus;
  readonly date?: string;
  readonly limit: number;
  readonly startKey?: PageKey;
}

export interface OrderPage {
  readonly orders: Order[];
  readonly nextKey?: PageKey;
}

/**
 * Persistence of the order aggregate. Every mutating call is a single conditional write,
 * so concurrent writers cannot lose each other's updates.
 */
export interface OrderRepository {
  get(orderId: string): Promise<Order | undefined>;
  /** Fails with `VersionConflict` if the id is taken. */
  create(order: Order): Promise<void>;
  /** Writes `next` only if the stored version is still `expectedVersion`. */
  replace(next: Order, expectedVersion: number): Promise<void>;
  /** Deletes only if the version and status still match; resolves false if they do not. */
  delete(order: Order, allowed: readonly OrderStatus[]): Promise<boolean>;
  list(query: OrderQuery): Promise<OrderPage>;
  /** Cheap reachability probe for the health endpoint. */
  ping(): Promise<void>;
}

/** Thrown when a conditional write lost a race; callers re-read and retry or report 409. */
export class VersionConflict extends Error {
  constructor(readonly orderId: string) {
    super(`order ${orderId} was changed concurrently`);
    this.name = 'VersionConflict';
  }
}

const rethrowConflict = (orderId: string) => (error: unknown) => {
  if (error instanceof ConditionalCheckFailedException) throw new VersionConflict(orderId);
  throw error;
};

/** The DynamoDB implementation over the real SDK v3 document client. */
export class DynamoOrderRepository implements OrderRepository {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  async get(orderId: string): Promise<Order | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { order_id: orderId },
        ConsistentRead: true,
      }),
    );
    return out.Item as Order | undefined;
  }

  async create(order: Order): Promise<void> {
    await this.doc
      .send(
        new PutCommand({
          TableName: this.tableName,
          Item: order,
          ConditionExpression: 'attribute_not_exists(order_id)',
        }),
      )
      .catch(rethrowConflict(order.order_id));
  }

  async replace(next: Order, expectedVersion: number): Promise<void> {
    await this.doc
      .send(
        new PutCommand({
          TableName: this.tableName,
          Item: next,
          ConditionExpression: '#v = :expected',
          ExpressionAttributeNames: { '#v': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      )
      .catch(rethrowConflict(next.order_id));
  }

  async delete(order: Order, allowed: readonly OrderStatus[]): Promise<boolean> {
    const statusValues = Object.fromEntries(allowed.map((s, i) => [`:s${i}`, s]));
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { order_id: order.order_id },
          ConditionExpression: `#v = :expected AND #st IN (${Object.keys(statusValues).join(', ')})`,
          ExpressionAttributeNames: { '#v': 'version', '#st': 'status' },
          ExpressionAttributeValues: { ':expected': order.version, ...statusValues },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async list(query: OrderQuery): Promise<OrderPage> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const filters: string[] = [];
    const filterOn = (attr: string, value: string | undefined) => {
      if (value === undefined) return;
      names[`#f_${attr}`] = attr;
      values[`:f_${attr}`] = value;
      filters.push(`#f_${attr} = :f_${attr}`);
    };
    const common = {
      TableName: this.tableName,
      Limit: query.limit,
      ExclusiveStartKey: query.startKey,
    };
    let command: QueryCommand | ScanCommand;
    // The most selective key picks the index; the remaining criteria become filters.
    if (query.customerId !== undefined) {
      filterOn('status', query.status);
      filterOn('order_date', query.date);
      command = this.query(common, ORDER_INDEXES.byCustomer, 'customer_id', query.customerId);
    } else if (query.status !== undefined) {
      filterOn('order_date', query.date);
      command = this.query(common, ORDER_INDEXES.byStatus, 'status', query.status);
    } else if (query.date !== undefined) {
      command = this.query(common, ORDER_INDEXES.byDate, 'order_date', query.date);
    } else {
      command = new ScanCommand(common);
    }
    if (filters.length > 0) {
      command.input.FilterExpression = filters.join(' AND ');
      command.input.ExpressionAttributeNames = {
        ...command.input.ExpressionAttributeNames,
        ...names,
      };
      command.input.ExpressionAttributeValues = {
        ...command.input.ExpressionAttributeValues,
        ...values,
      };
    }
    const out = await this.doc.send(command as QueryCommand);
    return {
      orders: (out.Items ?? []) as Order[],
      ...(out.LastEvaluatedKey ? { nextKey: out.LastEvaluatedKey } : {}),
    };
  }

  private query(
    common: { TableName: string; Limit: number; ExclusiveStartKey?: PageKey },
    index: string,
    attr: string,
    value: string,
  ): QueryCommand {
    return new QueryCommand({
      ...common,
      IndexName: index,
      KeyConditionExpression: '#k = :k',
      ExpressionAttributeNames: { '#k': attr },
      ExpressionAttributeValues: { ':k': value },
      // Newest first: the sort key of every index is a timestamp.
      ScanIndexForward: false,
    });
  }

  async ping(): Promise<void> {
    await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { order_id: '__health__' } }),
    );
  }
}
