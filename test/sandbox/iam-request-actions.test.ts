import { describe, expect, it } from 'vitest';
import type { SandboxRequest } from '../../sandbox/gateway/types.js';
import { requestActions } from '../../sandbox/iam/request-actions.js';

/** Each protocol's request mapped to IAM's action and the ARN it acts on, as AWS maps it. */

const ACCOUNT = '815856636111';
const REGION = 'eu-west-1';

const request = (
  service: string,
  init: {
    method?: string;
    path?: string;
    query?: string;
    headers?: Record<string, string>;
    body?: string | object;
  } = {},
): SandboxRequest => ({
  method: init.method ?? 'POST',
  path: init.path ?? '/',
  query: new URLSearchParams(init.query ?? ''),
  headers: init.headers ?? {},
  body: Buffer.from(typeof init.body === 'object' ? JSON.stringify(init.body) : (init.body ?? '')),
  service,
  region: REGION,
  identity: { accessKeyId: 'ASIA', account: ACCOUNT, arn: 'x', userId: 'y' },
});

const json = (service: string, target: string, body: object) =>
  request(service, { headers: { 'x-amz-target': target }, body });
const form = (service: string, body: string) =>
  request(service, {
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });

describe('requestActions', () => {
  it.each([
    [
      'Lambda UpdateAlias (REST): the function',
      request('lambda', {
        method: 'PUT',
        path: '/2015-03-31/functions/order-handler-sit/aliases/live',
      }),
      'lambda:UpdateAlias',
      `arn:aws:lambda:${REGION}:${ACCOUNT}:function:order-handler-sit`,
    ],
    [
      'Lambda Invoke with a Qualifier: the qualified ARN, action InvokeFunction',
      request('lambda', {
        path: '/2015-03-31/functions/order-handler-sit/invocations',
        query: 'Qualifier=live',
      }),
      'lambda:InvokeFunction',
      `arn:aws:lambda:${REGION}:${ACCOUNT}:function:order-handler-sit:live`,
    ],
    [
      "Lambda GetFunction by another account's ARN: that account",
      request('lambda', {
        method: 'GET',
        path: `/2015-03-31/functions/${encodeURIComponent('arn:aws:lambda:af-south-1:093646564004:function:order-handler-prod')}`,
      }),
      'lambda:GetFunction',
      'arn:aws:lambda:af-south-1:093646564004:function:order-handler-prod',
    ],
    [
      'DynamoDB Query on an index (JSON)',
      json('dynamodb', 'DynamoDB_20120810.Query', {
        TableName: 'orders-sit',
        IndexName: 'OrdersByStatus',
      }),
      'dynamodb:Query',
      `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/orders-sit/index/OrdersByStatus`,
    ],
    [
      'SQS GetQueueAttributes (query protocol) by queue URL',
      form(
        'sqs',
        `Action=GetQueueAttributes&QueueUrl=${encodeURIComponent(`http://127.0.0.1:4566/${ACCOUNT}/order-dlq-sit`)}`,
      ),
      'sqs:GetQueueAttributes',
      `arn:aws:sqs:${REGION}:${ACCOUNT}:order-dlq-sit`,
    ],
    [
      'SQS GetQueueUrl (JSON) by name',
      json('sqs', 'AmazonSQS.GetQueueUrl', { QueueName: 'order-dlq-sit' }),
      'sqs:GetQueueUrl',
      `arn:aws:sqs:${REGION}:${ACCOUNT}:order-dlq-sit`,
    ],
    [
      'EventBridge DescribeRule on a custom bus',
      json('events', 'AWSEvents.DescribeRule', { Name: 'r', EventBusName: 'order-events-sit' }),
      'events:DescribeRule',
      `arn:aws:events:${REGION}:${ACCOUNT}:rule/order-events-sit/r`,
    ],
    [
      'CloudWatch GetDashboard (JSON 1.0): the global dashboard ARN',
      json('monitoring', 'GraniteServiceVersion20100801.GetDashboard', { DashboardName: 'd' }),
      'cloudwatch:GetDashboard',
      `arn:aws:cloudwatch::${ACCOUNT}:dashboard/d`,
    ],
    [
      'IAM GetRole (query): the role',
      form('iam', 'Action=GetRole&RoleName=order-handler-sit-execution&Version=2010-05-08'),
      'iam:GetRole',
      `arn:aws:iam::${ACCOUNT}:role/order-handler-sit-execution`,
    ],
    [
      'S3 PutObject (path style)',
      request('s3', { method: 'PUT', path: '/promote-evidence-sit/runs/a%20b.json' }),
      's3:PutObject',
      'arn:aws:s3:::promote-evidence-sit/runs/a b.json',
    ],
    [
      'S3 HeadBucket: ListBucket on the bucket',
      request('s3', { method: 'HEAD', path: '/bbws-orders-sit' }),
      's3:ListBucket',
      'arn:aws:s3:::bbws-orders-sit',
    ],
    [
      'S3 PutBucketVersioning (sub-resource)',
      request('s3', { method: 'PUT', path: '/b', query: 'versioning=' }),
      's3:PutBucketVersioning',
      'arn:aws:s3:::b',
    ],
    [
      'AWS Backup ListBackupSelections: the plan',
      request('backup', { method: 'GET', path: '/backup/plans/plan-1/selections/' }),
      'backup:ListBackupSelections',
      `arn:aws:backup:${REGION}:${ACCOUNT}:backup-plan:plan-1`,
    ],
    [
      'Route 53 ListResourceRecordSets: the zone',
      request('route53', { method: 'GET', path: '/2013-04-01/hostedzone/Z123/rrset' }),
      'route53:ListResourceRecordSets',
      'arn:aws:route53:::hostedzone/Z123',
    ],
    [
      'ACM DescribeCertificate',
      json('acm', 'CertificateManager.DescribeCertificate', { CertificateArn: 'arn:aws:acm:x' }),
      'acm:DescribeCertificate',
      'arn:aws:acm:x',
    ],
  ])('%s', (_label, req, action, resource) => {
    // Act
    const mapped = requestActions(req);

    // Assess
    expect(mapped?.checks).toEqual([{ action, resource }]);
  });

  it('a DynamoDB transaction needs each item its own action on its table', () => {
    // Act
    const mapped = requestActions(
      json('dynamodb', 'DynamoDB_20120810.TransactWriteItems', {
        TransactItems: [
          { Put: { TableName: 'a' } },
          { ConditionCheck: { TableName: 'b' } },
          { Delete: { TableName: 'a' } },
        ],
      }),
    );

    // Assess
    const table = (t: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${t}`;
    expect(mapped?.checks).toEqual([
      { action: 'dynamodb:PutItem', resource: table('a') },
      { action: 'dynamodb:ConditionCheckItem', resource: table('b') },
      { action: 'dynamodb:DeleteItem', resource: table('a') },
    ]);
  });

  it('S3 CopyObject needs PutObject on the target and GetObject on the source', () => {
    // Act
    const mapped = requestActions(
      request('s3', {
        method: 'PUT',
        path: '/dst/k2',
        headers: { 'x-amz-copy-source': '/src/k1?versionId=3' },
      }),
    );

    // Assess
    expect(mapped?.checks).toEqual([
      { action: 's3:PutObject', resource: 'arn:aws:s3:::dst/k2' },
      { action: 's3:GetObject', resource: 'arn:aws:s3:::src/k1' },
    ]);
  });

  it('an unknown REST path maps to nothing (denied to role sessions, logged)', () => {
    // Act
    const mapped = requestActions(request('lambda', { method: 'PATCH', path: '/2099-01-01/x' }));

    // Assess
    expect(mapped).toBeUndefined();
  });
});
