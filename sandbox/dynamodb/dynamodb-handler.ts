import { readFileSync, writeFileSync } from 'node:fs';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { forwardHttp, pathWithQuery } from '../gateway/http-forward.js';
import type { SandboxResponse, ServiceHandler } from '../gateway/types.js';
import { BackupError, type BackupStore } from './backups.js';
import { type GlobalTables, ReplicaUpdateError } from './global-tables.js';
import { localAccessKey, localDynamoClient, rewriteArns } from './local-account.js';
import type { Replicator } from './replication.js';
import { REPLICATED_WRITES, writtenKeys } from './write-keys.js';

/**
 * DynamoDB: forwarded to DynamoDB Local (AWS's own engine) inside the caller's account,
 * except the backup and PITR operations DynamoDB Local lacks, which the sandbox answers,
 * and global tables (sandbox/dynamodb/global-tables.ts): replica updates answered here,
 * replicas shown in DescribeTable, and every acknowledged write to a replicated table
 * handed to the replicator (sandbox/dynamodb/replication.ts).
 */

const JSON_TYPE = 'application/x-amz-json-1.0';

/** JSON 1.0 wants epoch seconds where the SDK models hold Dates. */
const encode = (value: unknown): string =>
  JSON.stringify(value, function replacer(this: any, key: string, v: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : v;
  });

const ok = (payload: unknown): SandboxResponse => ({
  status: 200,
  headers: { 'content-type': JSON_TYPE },
  body: encode(payload),
});

const fail = (status: number, code: string, message: string): SandboxResponse => ({
  status,
  headers: { 'content-type': JSON_TYPE, 'x-amzn-errortype': code },
  body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${code}`, message }),
});

type PitrState = Record<string, { enabled: boolean; since: number }>;

export const createDynamoDbHandler = (options: {
  endpoint: string;
  backups: BackupStore;
  pitrPath: string;
  /** Global tables; without them every table is regional. */
  globalTables?: { readonly tables: GlobalTables; readonly replicator: Replicator };
}): ServiceHandler => {
  const global = options.globalTables;
  const readPitr = (): PitrState => {
    try {
      return JSON.parse(readFileSync(options.pitrPath, 'utf8')) as PitrState;
    } catch {
      return {};
    }
  };

  return async (request) => {
    const { account } = request.identity;
    const region = request.region;
    const operation = request.headers['x-amz-target']?.split('.').pop() ?? '';
    const client = () => localDynamoClient(options.endpoint, account, region);
    let input: any = {};
    try {
      input = request.body.length ? JSON.parse(request.body.toString('utf8')) : {};
    } catch {
      return fail(400, 'SerializationException', 'request body is not valid JSON');
    }
    try {
      switch (operation) {
        case 'CreateBackup':
          return ok({
            BackupDetails: await options.backups.create(
              client(),
              account,
              region,
              input.TableName,
              input.BackupName,
            ),
          });
        case 'DescribeBackup':
          return ok({
            BackupDescription: options.backups.describe(account, region, input.BackupArn),
          });
        case 'ListBackups':
          return ok({ BackupSummaries: options.backups.list(account, region, input.TableName) });
        case 'DeleteBackup':
          return ok({
            BackupDescription: {
              BackupDetails: options.backups.delete(account, region, input.BackupArn),
            },
          });
        case 'RestoreTableFromBackup':
          return ok({
            TableDescription: await options.backups.restore(
              client(),
              account,
              region,
              input.BackupArn,
              input.TargetTableName,
            ),
          });
        case 'RestoreTableToPointInTime':
          return ok({
            TableDescription: await options.backups.restoreToPointInTime(
              client(),
              account,
              region,
              input,
            ),
          });
        case 'DescribeTable': {
          // A restore still copying: CREATING, as AWS reports it (sandbox/dynamodb/restore-jobs.ts).
          const restoring = options.backups.restoring(
            account,
            region,
            String(input.TableName ?? ''),
          );
          if (restoring) return ok({ Table: restoring });
          break;
        }
        case 'DescribeContinuousBackups':
        case 'UpdateContinuousBackups': {
          // The table must exist, as in AWS.
          await client().send(new DescribeTableCommand({ TableName: input.TableName }));
          const key = `${account}/${region}/${input.TableName}`;
          const state = readPitr();
          if (operation === 'UpdateContinuousBackups') {
            const enabled = Boolean(
              input.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled,
            );
            state[key] = { enabled, since: Date.now() };
            writeFileSync(options.pitrPath, JSON.stringify(state));
            // PITR's own record of the table (base + change log): sandbox/dynamodb/pitr-log.ts.
            await options.backups.pitr.setEnabled(
              client(),
              account,
              region,
              input.TableName,
              enabled,
              state[key].since,
            );
          }
          const pitr = state[key];
          return ok({
            ContinuousBackupsDescription: {
              ContinuousBackupsStatus: 'ENABLED',
              PointInTimeRecoveryDescription: pitr?.enabled
                ? {
                    PointInTimeRecoveryStatus: 'ENABLED',
                    EarliestRestorableDateTime: pitr.since / 1000,
                    LatestRestorableDateTime: Date.now() / 1000,
                  }
                : { PointInTimeRecoveryStatus: 'DISABLED' },
            },
          });
        }
        case 'UpdateTable':
          if (global && input.ReplicaUpdates) {
            return ok({
              TableDescription: await global.tables.updateReplicas(account, region, input),
            });
          }
          global?.tables.assertNotInFlight(account, String(input.TableName ?? ''));
          break;
        case 'DeleteTable':
          global?.tables.assertNotInFlight(account, String(input.TableName ?? ''));
          break;
        default:
          break;
      }
    } catch (error) {
      if (error instanceof BackupError) return fail(error.status, error.code, error.message);
      if (error instanceof ReplicaUpdateError) return fail(error.status, error.code, error.message);
      if ((error as Error).name === 'ResourceNotFoundException') {
        return fail(400, 'TableNotFoundException', `Table not found: ${input.TableName}`);
      }
      throw error;
    }
    // Everything else: DynamoDB Local, signed as this account (it does not verify signatures).
    const headers = { ...request.headers };
    if (headers.authorization) {
      headers.authorization = headers.authorization.replace(
        /Credential=[^/]+\//,
        `Credential=${localAccessKey(account)}/`,
      );
    }
    const response = await forwardHttp(
      options.endpoint,
      request.method,
      pathWithQuery(request.path, request.query),
      headers,
      request.body,
    );
    const body = response.body ? Buffer.from(response.body) : Buffer.alloc(0);
    // The CRC32 header would no longer match after rewriting ARNs.
    const { 'x-amz-crc32': _crc, ...rest } = response.headers ?? {};
    let text = rewriteArns(body.toString('utf8'), account, region);
    if (global && response.status === 200) {
      if (REPLICATED_WRITES.has(operation)) {
        // Acknowledged by DynamoDB Local, hence persisted in this region: now it may travel.
        const keys = writtenKeys(operation, input, global.tables.keyAttributesOf(account, region));
        if (keys.length) global.replicator.enqueue(account, region, keys);
      } else if (
        operation === 'DescribeTable' &&
        global.tables.isGlobal(account, region, String(input.TableName ?? ''))
      ) {
        const described = JSON.parse(text) as { Table?: Record<string, unknown> };
        if (described.Table) {
          global.tables.decorate(account, region, described.Table);
          text = JSON.stringify(described);
        }
      } else if (operation === 'DeleteTable') {
        global.tables.onTableDeleted(account, region, String(input.TableName ?? ''));
      }
    }
    // Writes to tables with PITR on go into their change log (sandbox/dynamodb/pitr-log.ts).
    if (response.status === 200)
      await options.backups.pitr.observe(client, account, region, operation, input, text);
    return { ...response, headers: rest, body: text };
  };
};
