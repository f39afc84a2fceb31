import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsTarget } from '../aws/target.js';

/**
 * Reads of a whole orders table: a paginated Scan that fetches only the attributes asked
 * for, and the count of items per order status built on it. Used by the backup step (the
 * live table around a backup) and by `promote restore` (the side table it restored).
 */

/** An item as the document client returns it. */
export type Item = Record<string, unknown>;

/** The attribute the counts group by, and the bucket of items without it. */
export const STATUS_ATTRIBUTE = 'status';
export const NO_STATUS = '(none)';

export interface ScanOptions {
  /** Strongly consistent pages (twice the read units): every write acknowledged is seen. */
  readonly consistent?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * Calls `onItem` for every item of `table`, page by page, with only `attributes` read (a
 * projection: less to transfer, though DynamoDB charges the read by the item's full size).
 *
 * @example
 * await scanTable(doc, 'orders-prod', ['order_id', 'status'], (item) => seen.push(item));
 */
export const scanTable = async (
  doc: DynamoDBDocumentClient,
  table: string,
  attributes: readonly string[],
  onItem: (item: Item) => void,
  options: ScanOptions = {},
): Promise<void> => {
  // Placeholders, because `status` (and many more) are DynamoDB reserved words.
  const names = Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a]));
  let startKey: Item | undefined;
  do {
    options.signal?.throwIfAborted();
    const page = await doc.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: Object.keys(names).join(', '),
        ExpressionAttributeNames: names,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        ...(options.consistent ? { ConsistentRead: true } : {}),
      }),
    );
    for (const item of page.Items ?? []) onItem(item);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
};

/** Items per status and in all. */
export interface StatusCounts {
  readonly byStatus: Readonly<Record<string, number>>;
  readonly total: number;
}

/** The status bucket an item counts in. */
export const statusOf = (item: Item): string => {
  const value = item[STATUS_ATTRIBUTE];
  return typeof value === 'string' && value ? value : NO_STATUS;
};

/** Adds one item to running counts (mutable, for scans). */
export const countInto = (counts: Record<string, number>, item: Item): void => {
  const status = statusOf(item);
  counts[status] = (counts[status] ?? 0) + 1;
};

/** Sums a per-status record. */
export const totalOf = (byStatus: Readonly<Record<string, number>>): number =>
  Object.values(byStatus).reduce((a, b) => a + b, 0);

/** A document client for `target` (the counts read plain values, not attribute maps). */
export const documentClientOf = (target: Pick<AwsTarget, 'clientConfig'>): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(new DynamoDBClient(target.clientConfig));
