import { ENVIRONMENTS, type Environment } from './environments.js';
import { stateTableName } from './state-table.js';

/**
 * Least-privilege policies for the two roles of an environment. The same documents are the
 * reference for terraform's IAM (terraform/modules/iam): each statement names the exact
 * resources the runbook touches, nothing account-wide except read-only describes.
 */

export const LAMBDA_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});

/** Deploy roles trust the CI / operator principal of the management account. */
export const trustManagement = (managementAccount = '000000000000'): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${managementAccount}:root` },
        Action: 'sts:AssumeRole',
      },
    ],
  });

const arns = (e: Environment) => {
  const base = `${e.region}:${e.account}`;
  return {
    fn: `arn:aws:lambda:${base}:function:${e.functionName}`,
    table: `arn:aws:dynamodb:${base}:table/${e.tableName}`,
    idem: `arn:aws:dynamodb:${base}:table/${e.idempotencyTableName}`,
    state: `arn:aws:dynamodb:${base}:table/${stateTableName(e.name)}`,
    bus: `arn:aws:events:${base}:event-bus/${e.eventBus}`,
    rule: `arn:aws:events:${base}:rule/${e.eventBus}/${e.eventRule}`,
    /**
     * The same rule as the CLI and the plan's `aws events describe-rule --name …` address it:
     * without `--event-bus-name`, i.e. on the default bus (where the sandbox provisions it).
     */
    defaultBusRule: `arn:aws:events:${base}:rule/${e.eventRule}`,
    dlq: `arn:aws:sqs:${base}:${e.dlq}`,
    topics: [e.notificationTopic, e.alarmTopic].map((t) => `arn:aws:sns:${base}:${t}`),
    bucket: `arn:aws:s3:::${e.bucket}`,
    evidence: `arn:aws:s3:::${e.evidenceBucket}`,
    backupPlan: `arn:aws:backup:${base}:backup-plan:*`,
    executionRole: e.executionRole,
    dashboard: `arn:aws:cloudwatch::${e.account}:dashboard/${e.dashboard}`,
  };
};

/** What `order-handler-<env>` itself may do at run time. */
export const executionRolePolicy = (e: Environment) => {
  const a = arns(e);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Orders',
        Effect: 'Allow',
        Action: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:Query',
          'dynamodb:Scan',
        ],
        Resource: [a.table, `${a.table}/index/*`, a.idem],
      },
      { Sid: 'Events', Effect: 'Allow', Action: ['events:PutEvents'], Resource: [a.bus] },
      { Sid: 'Dlq', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [a.dlq] },
      {
        Sid: 'Logs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [`arn:aws:logs:${e.region}:${e.account}:log-group:${e.logGroup}:*`],
      },
    ],
  };
};

/** What `promote` may do in the environment: deploy, shift, back up, observe. */
export const deployRolePolicy = (e: Environment) => {
  const a = arns(e);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Deploy',
        Effect: 'Allow',
        Action: [
          'lambda:GetFunction',
          'lambda:GetFunctionConfiguration',
          'lambda:UpdateFunctionCode',
          'lambda:PublishVersion',
          'lambda:ListVersionsByFunction',
          'lambda:GetAlias',
          'lambda:UpdateAlias',
          'lambda:InvokeFunction',
        ],
        Resource: [a.fn, `${a.fn}:*`],
      },
      {
        Sid: 'Backup',
        Effect: 'Allow',
        Action: [
          'dynamodb:CreateBackup',
          'dynamodb:DescribeBackup',
          'dynamodb:DescribeContinuousBackups',
          'dynamodb:DescribeTable',
        ],
        Resource: [a.table, `${a.table}/backup/*`],
      },
      {
        Sid: 'State',
        Effect: 'Allow',
        Action: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:DeleteItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
        ],
        Resource: [a.state],
      },
      {
        // Preflight and verify read these resources' settings: scoped to each of them.
        Sid: 'ObserveResources',
        Effect: 'Allow',
        Action: [
          'sqs:GetQueueUrl',
          'sqs:GetQueueAttributes',
          'events:DescribeRule',
          'events:ListTargetsByRule',
          'sns:GetTopicAttributes',
          's3:ListBucket',
        ],
        Resource: [a.dlq, a.rule, a.defaultBusRule, ...a.topics, a.bucket],
      },
      {
        // The checklists' probes: each reads one resource's settings.
        Sid: 'ChecklistResources',
        Effect: 'Allow',
        Action: [
          'iam:GetRole',
          'events:DescribeEventBus',
          'cloudwatch:GetDashboard',
          'backup:GetBackupPlan',
          'backup:ListBackupSelections',
          'backup:GetBackupSelection',
        ],
        Resource: [a.executionRole, a.bus, a.dashboard, a.backupPlan],
      },
      ...(e.upstream
        ? [
            {
              // PROD reads SIT's sign-off, SIT reads DEV's journals: through their readers.
              Sid: 'ReadUpstream',
              Effect: 'Allow',
              Action: ['sts:AssumeRole'],
              Resource: [ENVIRONMENTS[e.upstream].gateReaderRole],
            },
          ]
        : []),
      {
        // Journals, reports and checklist evidence, kept in the env's account.
        Sid: 'Evidence',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:GetObject'],
        Resource: [`${a.evidence}/*`],
      },
      {
        // These APIs take no resource ARN (AWS allows only "*"); they read, never write.
        Sid: 'ObserveAccount',
        Effect: 'Allow',
        Action: [
          'cloudwatch:GetMetricData',
          'cloudwatch:DescribeAlarms',
          'events:ListRules',
          'logs:DescribeLogGroups',
          'route53:ListHostedZonesByName',
          'route53:ListResourceRecordSets',
          'acm:ListCertificates',
          'acm:DescribeCertificate',
          'backup:ListBackupPlans',
          'dynamodb:ListBackups',
        ],
        Resource: '*',
      },
    ],
  };
};

/** The read-only role over an env's state table: the next env's sign-off check, nothing else. */
export const gateReaderPolicy = (e: Environment) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'ReadState',
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:Query'],
      Resource: [arns(e).state],
    },
  ],
});

/**
 * The downstream account may assume an env's reader: the usual cross-account delegation,
 * where the downstream account's own IAM decides who (its deploy role's policy grants
 * `sts:AssumeRole` on exactly this role; its operators may too).
 */
export const gateReaderTrust = (downstream: Environment): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${downstream.account}:root` },
        Action: 'sts:AssumeRole',
      },
    ],
  });
