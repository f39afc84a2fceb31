import { type LocalDynamoError, localBatchWrite, localCall, type WireItem } from './local-wire.js';

/**
 * A replica's table in its region, made from the source table's description as AWS makes
 * it: the same keys, attribute definitions, indexes, billing mode and TTL, then every item
 * of the source copied over (AWS backfills a new replica of a table that has data).
 */

/** Keys of a table's description a CreateTable of its replica takes over. */
export const replicaSpec = (table: string, d: Record<string, any>): Record<string, unknown> => {
  const provisioned =
    (d.BillingModeSummary?.BillingMode ?? 'PROVISIONED') === 'PROVISIONED' &&
    Number(d.ProvisionedThroughput?.ReadCapacityUnits ?? 0) > 0;
  const throughput = (pt: any) => ({
    ReadCapacityUnits: pt?.ReadCapacityUnits,
    WriteCapacityUnits: pt?.WriteCapacityUnits,
  });
  return {
    TableName: table,
    KeySchema: d.KeySchema,
    AttributeDefinitions: d.AttributeDefinitions,
    BillingMode: provisioned ? 'PROVISIONED' : 'PAY_PER_REQUEST',
    ...(provisioned ? { ProvisionedThroughput: throughput(d.ProvisionedThroughput) } : {}),
    ...(d.GlobalSecondaryIndexes?.length
      ? {
          GlobalSecondaryIndexes: d.GlobalSecondaryIndexes.map((g: any) => ({
            IndexName: g.IndexName,
            KeySchema: g.KeySchema,
            Projection: g.Projection,
            ...(provisioned ? { ProvisionedThroughput: throughput(g.ProvisionedThroughput) } : {}),
          })),
        }
      : {}),
    ...(d.LocalSecondaryIndexes?.length
      ? {
          LocalSecondaryIndexes: d.LocalSecondaryIndexes.map((l: any) => ({
            IndexName: l.IndexName,
            KeySchema: l.KeySchema,
            Projection: l.Projection,
          })),
        }
      : {}),
  };
};

/**
 * Creates the replica of `description` (the source's DescribeTable) in `target` and copies
 * the source's items into it. Idempotent: an existing replica table is filled again.
 */
export const buildReplicaTable = async (
  endpoint: string,
  account: string,
  source: string,
  target: string,
  description: Record<string, any>,
): Promise<void> => {
  const table = String(description.TableName);
  const call = <T>(region: string, operation: string, input: unknown) =>
    localCall<T>(endpoint, account, region, operation, input);
  await call(target, 'CreateTable', replicaSpec(table, description)).catch((error) => {
    if ((error as LocalDynamoError).code !== 'ResourceInUseException') throw error;
  });
  const ttl = await call<{ TimeToLiveDescription?: Record<string, any> }>(
    source,
    'DescribeTimeToLive',
    { TableName: table },
  );
  if (ttl.TimeToLiveDescription?.TimeToLiveStatus === 'ENABLED') {
    await call(target, 'UpdateTimeToLive', {
      TableName: table,
      TimeToLiveSpecification: {
        Enabled: true,
        AttributeName: ttl.TimeToLiveDescription.AttributeName,
      },
    }).catch(() => undefined); // already enabled (a resumed copy)
  }
  let start: WireItem | undefined;
  do {
    const page = await call<{ Items?: WireItem[]; LastEvaluatedKey?: WireItem }>(source, 'Scan', {
      TableName: table,
      ConsistentRead: true,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    await localBatchWrite(
      endpoint,
      account,
      target,
      table,
      (page.Items ?? []).map((Item) => ({ PutRequest: { Item } })),
    );
    start = page.LastEvaluatedKey;
  } while (start);
};
