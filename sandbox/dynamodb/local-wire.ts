import { forwardHttp } from '../gateway/http-forward.js';
import { localAccessKey } from './local-account.js';

/**
 * DynamoDB Local spoken on the wire (JSON 1.0), straight from the sandbox and never through
 * the gateway: replication reads and writes items this way, so a replicated write is not
 * itself seen as a write to replicate, and items travel as the exact JSON AWS uses (no SDK
 * marshalling, binary and number values untouched).
 */

/** DynamoDB Local refused the call: `code` is the `__type` after the `#`. */
export class LocalDynamoError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = code;
  }
}

/** DynamoDB's JSON 1.0 values, as they travel (`{"S": "x"}`, `{"N": "1"}`, …). */
export type WireValue = Record<string, unknown>;
export type WireItem = Record<string, WireValue>;

const amzDate = () => new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');

/**
 * Calls one DynamoDB operation in DynamoDB Local, inside `account` and `region` (DynamoDB
 * Local keeps a database per access key and region; it does not check signatures).
 *
 * @example
 * const out = await localCall(endpoint, '093646564004', 'eu-west-1', 'GetItem',
 *   { TableName: 'orders-prod', Key: { order_id: { S: 'o-1' } }, ConsistentRead: true });
 */
export const localCall = async <T = Record<string, unknown>>(
  endpoint: string,
  account: string,
  region: string,
  operation: string,
  input: unknown,
): Promise<T> => {
  const date = amzDate();
  const response = await forwardHttp(
    endpoint,
    'POST',
    '/',
    {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      'x-amz-date': date,
      authorization:
        `AWS4-HMAC-SHA256 Credential=${localAccessKey(account)}/${date.slice(0, 8)}/${region}/dynamodb/aws4_request, ` +
        'SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=sandbox',
    },
    Buffer.from(JSON.stringify(input)),
  );
  const text = response.body ? Buffer.from(response.body).toString('utf8') : '';
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (response.status >= 300) {
    const code =
      String(body.__type ?? 'InternalFailure')
        .split('#')
        .pop() ?? 'InternalFailure';
    throw new LocalDynamoError(
      code,
      String(body.message ?? body.Message ?? `DynamoDB Local answered ${response.status}`),
      response.status,
    );
  }
  return body as T;
};

/** A table name as DynamoDB accepts it: the name, or a table ARN (`…:table/<name>`). */
export const tableNameOf = (nameOrArn: string): string =>
  nameOrArn.startsWith('arn:') ? (nameOrArn.split(':table/')[1] ?? nameOrArn) : nameOrArn;

/** Unprocessed batch entries are retried this many times (DynamoDB Local rarely leaves any). */
const BATCH_RETRIES = 5;

/**
 * Reads items of one table by key, 100 a call, strongly consistent.
 *
 * @returns the items found (absent keys are deleted items).
 */
export const localBatchGet = async (
  endpoint: string,
  account: string,
  region: string,
  table: string,
  keys: readonly WireItem[],
): Promise<WireItem[]> => {
  const found: WireItem[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let request: Record<string, unknown> | undefined = {
      [table]: { Keys: keys.slice(i, i + 100), ConsistentRead: true },
    };
    for (let attempt = 0; request && Object.keys(request).length; attempt += 1) {
      if (attempt > BATCH_RETRIES)
        throw new Error(`BatchGetItem on ${table} left keys unprocessed`);
      const out: {
        Responses?: Record<string, WireItem[]>;
        UnprocessedKeys?: Record<string, unknown>;
      } = await localCall(endpoint, account, region, 'BatchGetItem', { RequestItems: request });
      found.push(...(out.Responses?.[table] ?? []));
      request = out.UnprocessedKeys;
    }
  }
  return found;
};

/** Puts and deletes in one table, 25 a call (a key at most once per call, as AWS requires). */
export const localBatchWrite = async (
  endpoint: string,
  account: string,
  region: string,
  table: string,
  requests: ReadonlyArray<
    { PutRequest: { Item: WireItem } } | { DeleteRequest: { Key: WireItem } }
  >,
): Promise<void> => {
  for (let i = 0; i < requests.length; i += 25) {
    let request: Record<string, unknown> | undefined = { [table]: requests.slice(i, i + 25) };
    for (let attempt = 0; request && Object.keys(request).length; attempt += 1) {
      if (attempt > BATCH_RETRIES)
        throw new Error(`BatchWriteItem on ${table} left items unprocessed`);
      const out: { UnprocessedItems?: Record<string, unknown> } = await localCall(
        endpoint,
        account,
        region,
        'BatchWriteItem',
        { RequestItems: request },
      );
      request = out.UnprocessedItems;
    }
  }
};
