import { describe, expect, it } from 'vitest';
import { keyId, writtenKeys } from '../../sandbox/dynamodb/write-keys.js';

/** Which items a write touched, per operation, for the replication of global tables. */

const keysOf = (table: string) =>
  ({ orders: ['order_id'], state: ['pk', 'sk'] })[table] as string[] | undefined;

describe('writtenKeys', () => {
  it.each([
    [
      'PutItem keeps only the key of the whole item',
      'PutItem',
      { TableName: 'orders', Item: { order_id: { S: 'o1' }, total: { N: '3' } } },
      [{ table: 'orders', key: { order_id: { S: 'o1' } } }],
    ],
    [
      'UpdateItem by its Key (a composite key)',
      'UpdateItem',
      { TableName: 'state', Key: { pk: { S: 'lock' }, sk: { S: 'prod' } } },
      [{ table: 'state', key: { pk: { S: 'lock' }, sk: { S: 'prod' } } }],
    ],
    [
      'DeleteItem on a table named by its ARN',
      'DeleteItem',
      {
        TableName: 'arn:aws:dynamodb:af-south-1:093646564004:table/orders',
        Key: { order_id: { S: 'o2' } },
      },
      [{ table: 'orders', key: { order_id: { S: 'o2' } } }],
    ],
    [
      'BatchWriteItem puts and deletes, regional tables skipped',
      'BatchWriteItem',
      {
        RequestItems: {
          orders: [
            { PutRequest: { Item: { order_id: { S: 'a' }, x: { S: '1' } } } },
            { DeleteRequest: { Key: { order_id: { S: 'b' } } } },
          ],
          regional: [{ PutRequest: { Item: { id: { S: 'c' } } } }],
        },
      },
      [
        { table: 'orders', key: { order_id: { S: 'a' } } },
        { table: 'orders', key: { order_id: { S: 'b' } } },
      ],
    ],
    [
      'TransactWriteItems Put/Update/Delete, not ConditionCheck',
      'TransactWriteItems',
      {
        TransactItems: [
          { Put: { TableName: 'orders', Item: { order_id: { S: 'p' } } } },
          { Update: { TableName: 'orders', Key: { order_id: { S: 'u' } } } },
          { Delete: { TableName: 'state', Key: { pk: { S: 'd' }, sk: { S: 'e' } } } },
          { ConditionCheck: { TableName: 'orders', Key: { order_id: { S: 'c' } } } },
        ],
      },
      [
        { table: 'orders', key: { order_id: { S: 'p' } } },
        { table: 'orders', key: { order_id: { S: 'u' } } },
        { table: 'state', key: { pk: { S: 'd' }, sk: { S: 'e' } } },
      ],
    ],
    [
      'an item missing a key attribute is skipped',
      'PutItem',
      { TableName: 'state', Item: { pk: { S: 'only-hash' } } },
      [],
    ],
    [
      'a read is not a write',
      'GetItem',
      { TableName: 'orders', Key: { order_id: { S: 'o1' } } },
      [],
    ],
  ])('%s', (_title, operation, input, expected) => {
    // Act
    const keys = writtenKeys(operation, input, keysOf);

    // Assess
    expect(keys).toEqual(expected);
  });
});

describe('keyId', () => {
  it('names a key the same whatever the order of its attributes', () => {
    // Prepare
    const a = { pk: { S: '1' }, sk: { S: '2' } };
    const b = { sk: { S: '2' }, pk: { S: '1' } };

    // Act / Assess
    expect(keyId(a)).toBe(keyId(b));
    expect(keyId(a)).not.toBe(keyId({ pk: { S: '1' }, sk: { S: '3' } }));
  });
});
