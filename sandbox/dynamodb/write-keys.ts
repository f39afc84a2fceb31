import { tableNameOf, type WireItem } from './local-wire.js';

/**
 * Which items a successful write touched, read from its request: what replication re-reads
 * and copies. Pure (no I/O), so every operation's shape is table-tested.
 */

/** One item a write touched. */
export interface WrittenKey {
  readonly table: string;
  /** The item's primary key, in wire JSON. */
  readonly key: WireItem;
}

/** The write operations a global table replicates (PartiQL statements are not covered). */
export const REPLICATED_WRITES = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

/** Key attributes of a table that has replicas, or undefined for a regional table. */
export type KeyAttributesOf = (table: string) => readonly string[] | undefined;

const pick = (item: WireItem | undefined, attributes: readonly string[]): WireItem | undefined => {
  if (!item) return undefined;
  const key: WireItem = {};
  for (const name of attributes) {
    const value = item[name];
    if (!value) return undefined;
    key[name] = value;
  }
  return key;
};

/**
 * The items of replicated tables that `operation` wrote, given its (successful) request.
 * Unprocessed BatchWriteItem entries are included: re-reading an item that did not change
 * copies its current state again, which is harmless.
 *
 * @example
 * writtenKeys('PutItem', { TableName: 'orders-prod', Item: { order_id: { S: 'o1' }, total: { N: '3' } } },
 *   (t) => (t === 'orders-prod' ? ['order_id'] : undefined));
 * // → [{ table: 'orders-prod', key: { order_id: { S: 'o1' } } }]
 */
export const writtenKeys = (
  operation: string,
  input: Record<string, any>,
  keyAttributesOf: KeyAttributesOf,
): WrittenKey[] => {
  const out: WrittenKey[] = [];
  /** `item` is a whole item (Put) or a key (Update, Delete): either holds the key. */
  const add = (tableName: unknown, item: WireItem | undefined) => {
    if (typeof tableName !== 'string') return;
    const table = tableNameOf(tableName);
    const attributes = keyAttributesOf(table);
    if (!attributes) return;
    const key = pick(item, attributes);
    if (key) out.push({ table, key });
  };
  switch (operation) {
    case 'PutItem':
      add(input.TableName, input.Item);
      break;
    case 'UpdateItem':
    case 'DeleteItem':
      add(input.TableName, input.Key);
      break;
    case 'BatchWriteItem':
      for (const [table, requests] of Object.entries(input.RequestItems ?? {})) {
        for (const request of (requests as any[]) ?? []) {
          if (request?.PutRequest) add(table, request.PutRequest.Item);
          else if (request?.DeleteRequest) add(table, request.DeleteRequest.Key);
        }
      }
      break;
    case 'TransactWriteItems':
      for (const entry of (input.TransactItems as any[]) ?? []) {
        if (entry?.Put) add(entry.Put.TableName, entry.Put.Item);
        else if (entry?.Update) add(entry.Update.TableName, entry.Update.Key);
        else if (entry?.Delete) add(entry.Delete.TableName, entry.Delete.Key);
      }
      break;
    default:
      break;
  }
  return out;
};

/** A stable identity for a key (attribute order does not matter). */
export const keyId = (key: WireItem): string =>
  JSON.stringify(
    Object.keys(key)
      .sort()
      .map((name) => [name, key[name]]),
  );
