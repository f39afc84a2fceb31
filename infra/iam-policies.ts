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
    /** terraform's archive of the env's bus (modules/events) and the replays started from it. */
    archive: `arn:aws:events:${base}:archive/${e.eventBus}-archive`,
    replays: `arn:aws:events:${base}:replay/*`,
    topics: [e.notificationTopic, e.alarmTopic].map((t) => `arn:aws:sns:${base}:${t}`),
    bucket: `arn:aws:s3:::${e.bucket}`,
    evidence: `arn:aws:s3:::${e.evidenceBucket}`,
    backupPlan: `arn:aws:backup:${base}:backup-plan:*`,
    /** The side tables `promote restore` creates: never the live table (cli/ops/restore-names.ts). */
    restored: `arn:aws:dynamodb:${base}:table/${e.tableName}-restored-*`,
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
  // PROD's failover region: the same function and the state table's replica there.
  const f = e.failoverRegion ? arns({ ...e, region: e.failoverRegion }) : undefined;
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
        Resource: [a.fn, `${a.fn}:*`, ...(f ? [f.fn, `${f.fn}:*`] : [])],
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
        // `promote backup` counts the orders per status around each backup; `promote restore`
        // reads sampled orders back to compare: reads of the live table, nothing else.
        Sid: 'CountOrders',
        Effect: 'Allow',
        Action: ['dynamodb:Scan', 'dynamodb:GetItem'],
        Resource: [a.table],
      },
      {
        // `promote restore --backup`: only ever into a side table. AWS authorizes the call on
        // the backup, the sandbox on the target table; neither may be the live table. (A
        // restore never overwrites an existing table anyway: TableAlreadyExistsException.)
        Sid: 'RestoreBackup',
        Effect: 'Allow',
        Action: ['dynamodb:RestoreTableFromBackup'],
        Resource: [`${a.table}/backup/*`, a.restored],
      },
      {
        // `promote restore --pitr`: authorized on the source table (the live one) and the
        // side table it creates.
        Sid: 'RestorePointInTime',
        Effect: 'Allow',
        Action: ['dynamodb:RestoreTableToPointInTime'],
        Resource: [a.table, a.restored],
      },
      {
        // The side tables: the restore's copy, its validation, and `--cleanup`.
        Sid: 'RestoredTables',
        Effect: 'Allow',
        Action: [
          'dynamodb:DescribeTable',
          'dynamodb:Scan',
          'dynamodb:Query',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:DeleteTable',
        ],
        Resource: [a.restored, `${a.restored}/index/*`],
      },
      {
        // `--cleanup` lists the side tables; ListTables takes no resource ARN.
        Sid: 'ListTables',
        Effect: 'Allow',
        Action: ['dynamodb:ListTables'],
        Resource: '*',
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
        // The failover region's replica: `promote failover` locks and records there.
        Resource: [a.state, ...(f ? [f.state] : [])],
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
        // `promote dlq --redrive` reads, hides and deletes the DLQ's messages (it sends them on
        // with the grants above: Invoke, PutEvents); `promote events replay` replays the archive.
        Sid: 'EventOperations',
        Effect: 'Allow',
        Action: [
          'sqs:ReceiveMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'events:DescribeArchive',
          'events:StartReplay',
          'events:DescribeReplay',
          'events:PutEvents',
        ],
        // PutEvents: a redrive of events the service failed to publish, back onto the env's bus
        // (and, in PROD, the failover region's bus the rule forwards to).
        Resource: [a.dlq, a.archive, a.replays, a.bus, ...(f ? [f.bus] : [])],
      },
      ...(f
        ? [
            {
              // `promote failover|failback`: the region taking over must have its table ACTIVE.
              Sid: 'FailoverTable',
              Effect: 'Allow',
              Action: ['dynamodb:DescribeTable'],
              Resource: [f.table],
            },
            {
              // … then the API's failover pair is swapped: that record name only.
              Sid: 'FailoverDns',
              Effect: 'Allow',
              Action: ['route53:ChangeResourceRecordSets'],
              Resource: ['arn:aws:route53:::hostedzone/*'],
              Condition: {
                'ForAllValues:StringEquals': {
                  'route53:ChangeResourceRecordSetsNormalizedRecordNames': [e.apiDomain],
                },
              },
            },
            {
              Sid: 'FailoverDnsChange',
              Effect: 'Allow',
              Action: ['route53:GetChange'],
              Resource: ['arn:aws:route53:::change/*'],
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
