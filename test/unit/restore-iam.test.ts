import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { deployRolePolicy } from '../../infra/iam-policies.js';
import type { SandboxRequest } from '../../sandbox/gateway/types.js';
import { IamAuthorizer } from '../../sandbox/iam/authorizer.js';
import type { RolePolicyStore } from '../../sandbox/iam/policy-store.js';

/**
 * The deploy role's grants for `promote backup` / `promote restore`, evaluated as the
 * sandbox evaluates a role session's requests (the same simulator): every call the commands
 * make is allowed, and nothing lets the role restore over or delete a table the env runs on.
 */

const prod = ENVIRONMENTS.prod;
const ROLE = prod.deployRole;
const SIDE = 'orders-prod-restored-20261201T203015Z';
const BACKUP = `arn:aws:dynamodb:${prod.region}:${prod.account}:table/orders-prod/backup/01`;

const authorizer = new IamAuthorizer({
  policies: {
    role: async () => ({
      arn: ROLE,
      account: prod.account,
      name: 'order-lambda-deploy-prod',
      identityPolicies: [{ name: 'deploy', policy: deployRolePolicy(prod) }],
    }),
    invalidate: () => {},
  } as unknown as RolePolicyStore,
});

const call = (operation: string, body: object): SandboxRequest => ({
  method: 'POST',
  path: '/',
  query: new URLSearchParams(),
  headers: { 'x-amz-target': `DynamoDB_20120810.${operation}` },
  body: Buffer.from(JSON.stringify(body)),
  service: 'dynamodb',
  region: prod.region,
  identity: {
    accessKeyId: 'ASIADEPLOY',
    account: prod.account,
    arn: `arn:aws:sts::${prod.account}:assumed-role/order-lambda-deploy-prod/restore`,
    userId: 'AROA:restore',
    roleArn: ROLE,
  },
});

describe('deploy role: backup and restore', () => {
  it.each([
    ['count the live table', 'Scan', { TableName: 'orders-prod' }],
    ['read a sampled order from live', 'GetItem', { TableName: 'orders-prod', Key: {} }],
    ['list the backups', 'ListBackups', { TableName: 'orders-prod' }],
    ['describe a backup', 'DescribeBackup', { BackupArn: BACKUP }],
    ['read the PITR window', 'DescribeContinuousBackups', { TableName: 'orders-prod' }],
    [
      'restore a backup into a side table',
      'RestoreTableFromBackup',
      { BackupArn: BACKUP, TargetTableName: SIDE },
    ],
    [
      'restore a point in time into a side table',
      'RestoreTableToPointInTime',
      { SourceTableName: 'orders-prod', TargetTableName: SIDE },
    ],
    ['watch the side table', 'DescribeTable', { TableName: SIDE }],
    ['scan the side table', 'Scan', { TableName: SIDE }],
    ['read back a sampled order', 'GetItem', { TableName: SIDE, Key: {} }],
    ['list tables for --cleanup', 'ListTables', {}],
    ['delete a side table', 'DeleteTable', { TableName: SIDE }],
  ])('may %s (%s)', async (_what, operation, body) => {
    // Act
    const denied = await authorizer.authorize(call(operation, body));

    // Assess
    expect(denied).toBeUndefined();
  });

  it.each([
    [
      'restore over the live table',
      'RestoreTableFromBackup',
      { BackupArn: BACKUP, TargetTableName: 'orders-prod' },
    ],
    ['delete the live table', 'DeleteTable', { TableName: 'orders-prod' }],
    ['delete the idempotency table', 'DeleteTable', { TableName: 'orders-prod-idempotency' }],
    ['write into live', 'PutItem', { TableName: 'orders-prod', Item: {} }],
    [
      'restore into a table of another name',
      'RestoreTableFromBackup',
      { BackupArn: BACKUP, TargetTableName: 'orders-prod-copy' },
    ],
  ])('may not %s (%s)', async (_what, operation, body) => {
    // Act
    const denied = await authorizer.authorize(call(operation, body));

    // Assess
    expect(denied?.status).toBe(400);
    expect(String(denied?.body)).toContain('AccessDenied');
  });
});
