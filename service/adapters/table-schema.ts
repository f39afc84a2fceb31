import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The orders table and its three GSIs, as one typed spec shared by the tests, the sandbox
 * and (by name) terraform, so that every environment has the same shape.
 */
export const ORDER_INDEXES = {
  byCustomer: 'OrdersByCustomer',
  byStatus: 'OrdersByStatus',
  byDate: 'OrdersByDate',
} as const;

const gsi = (name: string, hash: string, range: string) => ({
  IndexName: name,
  KeySchema: [
    { AttributeName: hash, KeyType: 'HASH' as const },
    { AttributeName: range, KeyType: 'RANGE' as const },
  ],
  Projection: { ProjectionType: 'ALL' as const },
});

export const ordersTableSpec = (tableName: string): CreateTableCommandInput => ({
  TableName: tableName,
  BillingMode: 'PAY_PER_REQUEST',
  KeySchema: [{ AttributeName: 'order_id', KeyType: 'HASH' }],
  AttributeDefinitions: [
    { AttributeName: 'order_id', AttributeType: 'S' },
    { AttributeName: 'customer_id', AttributeType: 'S' },
    { AttributeName: 'created_at', AttributeType: 'S' },
    { AttributeName: 'status', AttributeType: 'S' },
    { AttributeName: 'updated_at', AttributeType: 'S' },
    { AttributeName: 'order_date', AttributeType: 'S' },
  ],
  GlobalSecondaryIndexes: [
    gsi(ORDER_INDEXES.byCustomer, 'customer_id', 'created_at'),
    gsi(ORDER_INDEXES.byStatus, 'status', 'updated_at'),
    gsi(ORDER_INDEXES.byDate, 'order_date', 'created_at'),
  ],
});

/** Idempotency records (Powertools layout: `id` key, `expiration` TTL attribute). */
export const idempotencyTableSpec = (tableName: string): CreateTableCommandInput => ({
  TableName: tableName,
  BillingMode: 'PAY_PER_REQUEST',
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
});

/** Name of the idempotency table that belongs to an orders table. */
export const idempotencyTableName = (ordersTable: string): string => `${ordersTable}-idempotency`;
