import { randomBytes } from 'node:crypto';
import {
  CloudWatchClient,
  PutDashboardCommand,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateTableCommand,
  DynamoDBClient,
  UpdateContinuousBackupsCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetFunctionCommand,
  LambdaClient,
  PublishVersionCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { planAlarms } from '../infra/alarms.js';
import { dashboardBody } from '../infra/dashboard.js';
import { ENVIRONMENTS, type Environment } from '../infra/environments.js';
import {
  deployRolePolicy,
  executionRolePolicy,
  gateReaderPolicy,
  gateReaderTrust,
  LAMBDA_TRUST,
  trustManagement,
} from '../infra/iam-policies.js';
import { stateTableSpec } from '../infra/state-table.js';
import { idempotencyTableSpec, ordersTableSpec } from '../service/adapters/table-schema.js';
import { provisionBackups, provisionDnsAndCertificate } from './provision-dns-backup.js';
import { provisionGuardian } from './provision-guardian.js';

/**
 * Creates one environment's resources in the sandbox, through the gateway like any client,
 * with the names terraform uses. Every step tolerates "already exists", so provisioning is
 * idempotent and `promote sandbox up` can run it on every start.
 */

export interface ProvisionResult {
  readonly env: string;
  readonly created: string[];
  readonly existing: string[];
  readonly functionVersion?: string;
}

const ALREADY =
  /AlreadyExists|ResourceInUse|ResourceConflict|EntityAlreadyExists|BucketAlreadyOwnedByYou|already exists/i;

/**
 * What a provisioning pass created and found already there, and `step`, which runs one
 * creation and files it under the one or the other: an "already exists" refusal means a
 * restart found the resource, anything else fails the start naming `where` and the step.
 */
export const provisionLedger = (where: string) => {
  const created: string[] = [];
  const existing: string[] = [];
  const step = async (name: string, action: () => Promise<unknown>): Promise<void> => {
    try {
      await action();
      created.push(name);
    } catch (error) {
      const text = `${(error as Error).name} ${(error as Error).message}`;
      if (!ALREADY.test(text)) throw new Error(`provisioning ${where}: ${name}: ${text}`);
      existing.push(name);
    }
  };
  return { created, existing, step };
};

/** Upstream event types the order rule delivers to the function (see service/handlers/events.ts). */
export const UPSTREAM_PATTERN = {
  'detail-type': ['payment.succeeded', 'payment.failed', 'shipment.delivered'],
};

/** Publishes `$LATEST` as the first version and points alias `live` at it; its number. */
export const publishLive = async (
  lambda: LambdaClient,
  env: Environment,
): Promise<string | undefined> => {
  const version = await lambda.send(new PublishVersionCommand({ FunctionName: env.functionName }));
  await lambda.send(
    new CreateAliasCommand({
      FunctionName: env.functionName,
      Name: env.alias,
      FunctionVersion: version.Version,
    }),
  );
  return version.Version;
};

/**
 * The order rule and its target, the function's `live` alias in `region` (retries, DLQ).
 * Upstream services publish on the default bus; the plan checks `list-rules --name-prefix order`.
 */
export const provisionOrderRule = async (
  events: EventBridgeClient,
  env: Environment,
  region: string,
  dlqArn: string | undefined,
): Promise<void> => {
  await events.send(
    new PutRuleCommand({
      Name: env.eventRule,
      EventPattern: JSON.stringify(UPSTREAM_PATTERN),
      State: 'ENABLED',
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: env.eventRule,
      Targets: [
        {
          Id: 'order-handler',
          Arn: `arn:aws:lambda:${region}:${env.account}:function:${env.functionName}:${env.alias}`,
          ...(dlqArn ? { DeadLetterConfig: { Arn: dlqArn } } : {}),
          RetryPolicy: { MaximumRetryAttempts: 2 },
        },
      ],
    }),
  );
};

export const provisionEnvironment = async (
  env: Environment,
  options: { endpoint: string; zip: () => Promise<Buffer>; serviceVersion: string },
): Promise<ProvisionResult> => {
  const config = {
    endpoint: options.endpoint,
    region: env.region,
    credentials: { accessKeyId: `sandbox-${env.name}`, secretAccessKey: 'sandbox' },
  };
  const { created, existing, step } = provisionLedger(env.name);

  const iam = new IAMClient({ ...config, region: 'us-east-1' });
  const roleName = (arn: string) => arn.split('/').pop() ?? arn;
  await step(`role ${roleName(env.executionRole)}`, () =>
    iam.send(
      new CreateRoleCommand({
        RoleName: roleName(env.executionRole),
        AssumeRolePolicyDocument: LAMBDA_TRUST,
      }),
    ),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName(env.executionRole),
      PolicyName: 'order-handler',
      PolicyDocument: JSON.stringify(executionRolePolicy(env)),
    }),
  );
  await step(`role ${roleName(env.deployRole)}`, () =>
    iam.send(
      new CreateRoleCommand({
        RoleName: roleName(env.deployRole),
        AssumeRolePolicyDocument: trustManagement(),
      }),
    ),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName(env.deployRole),
      PolicyName: 'promote',
      PolicyDocument: JSON.stringify(deployRolePolicy(env)),
    }),
  );

  // An env read by the next one (DEV by SIT, SIT by PROD) gets the read-only reader role.
  const downstream = Object.values(ENVIRONMENTS).find((d) => d.upstream === env.name);
  if (downstream) {
    const reader = roleName(env.gateReaderRole);
    await step(`role ${reader}`, () =>
      iam.send(
        new CreateRoleCommand({
          RoleName: reader,
          AssumeRolePolicyDocument: gateReaderTrust(downstream),
        }),
      ),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: reader,
        PolicyName: 'read-signoffs',
        PolicyDocument: JSON.stringify(gateReaderPolicy(env)),
      }),
    );
  }

  const dynamodb = new DynamoDBClient(config);
  for (const spec of [
    ordersTableSpec(env.tableName),
    idempotencyTableSpec(env.idempotencyTableName),
    stateTableSpec(env.name),
  ]) {
    await step(`table ${spec.TableName}`, () => dynamodb.send(new CreateTableCommand(spec)));
    await waitUntilTableExists(
      { client: dynamodb, maxWaitTime: 30 },
      { TableName: spec.TableName },
    );
  }
  // The plan requires point-in-time recovery on the orders table (§ Data Migration).
  await dynamodb.send(
    new UpdateContinuousBackupsCommand({
      TableName: env.tableName,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    }),
  );
  await dynamodb
    .send(
      new UpdateTimeToLiveCommand({
        TableName: env.idempotencyTableName,
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiration' },
      }),
    )
    .catch(() => undefined); // already enabled

  const s3 = new S3Client({ ...config, forcePathStyle: true });
  for (const bucket of [env.bucket, env.evidenceBucket]) {
    await step(`bucket ${bucket}`, () =>
      s3.send(
        new CreateBucketCommand({
          Bucket: bucket,
          ...(env.region === 'us-east-1'
            ? {}
            : { CreateBucketConfiguration: { LocationConstraint: env.region as never } }),
        }),
      ),
    );
  }
  // Evidence is versioned, as terraform makes it: an overwritten report keeps its history.
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: env.evidenceBucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );

  const sqs = new SQSClient(config);
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: env.dlq,
      Attributes: { MessageRetentionPeriod: '1209600' },
    }),
  );
  created.push(`queue ${env.dlq}`);
  const dlqArn = (
    await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
    )
  ).Attributes?.QueueArn;

  const sns = new SNSClient(config);
  const alarmTopic = await sns.send(new CreateTopicCommand({ Name: env.alarmTopic }));
  await sns.send(new CreateTopicCommand({ Name: env.notificationTopic }));
  created.push(`topics ${env.alarmTopic}, ${env.notificationTopic}`);

  const logs = new CloudWatchLogsClient(config);
  await step(`log group ${env.logGroup}`, () =>
    logs.send(new CreateLogGroupCommand({ logGroupName: env.logGroup })),
  );

  const events = new EventBridgeClient(config);
  await step(`event bus ${env.eventBus}`, () =>
    events.send(new CreateEventBusCommand({ Name: env.eventBus })),
  );

  const lambda = new LambdaClient(config);
  let functionVersion: string | undefined;
  const exists = await lambda.send(new GetFunctionCommand({ FunctionName: env.functionName })).then(
    () => true,
    () => false,
  );
  if (exists) {
    existing.push(`function ${env.functionName}`);
  } else {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: env.functionName,
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: env.executionRole,
        Code: { ZipFile: await options.zip() },
        Timeout: 30,
        MemorySize: 512,
        Description: `sandbox initial version (${options.serviceVersion})`,
        Environment: {
          Variables: {
            ENVIRONMENT: env.name,
            TABLE_NAME: env.tableName,
            IDEMPOTENCY_TABLE_NAME: env.idempotencyTableName,
            EVENT_BUS_NAME: env.eventBus,
            DLQ_URL: dlq.QueueUrl ?? '',
            SERVICE_VERSION: options.serviceVersion,
            PAGINATION_TOKEN_SECRET: randomBytes(24).toString('hex'),
            POWERTOOLS_SERVICE_NAME: 'order-service',
          },
        },
      }),
    );
    functionVersion = await publishLive(lambda, env);
    created.push(`function ${env.functionName} v${functionVersion} + alias ${env.alias}`);
  }

  await provisionOrderRule(events, env, env.region, dlqArn);
  created.push(`rule ${env.eventRule}`);
  await (await import('./provision-archive.js')).provisionArchive(env, config, step);

  const cloudwatch = new CloudWatchClient(config);
  for (const alarm of planAlarms(env)) {
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: alarm.name,
        AlarmDescription: `${alarm.planName}: ${alarm.description}`,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: alarm.threshold,
        EvaluationPeriods: alarm.evaluationPeriods,
        TreatMissingData: 'notBreaching',
        AlarmActions: alarmTopic.TopicArn ? [alarmTopic.TopicArn] : [],
        Metrics: [
          ...alarm.metrics.map((m) => ({
            Id: m.id,
            ReturnData: !alarm.expression,
            MetricStat: {
              Metric: {
                Namespace: m.namespace,
                MetricName: m.metricName,
                Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })),
              },
              Period: alarm.periodSeconds,
              Stat: m.stat,
            },
          })),
          ...(alarm.expression
            ? [{ Id: 'expr', Expression: alarm.expression, ReturnData: true }]
            : []),
        ],
      }),
    );
  }
  created.push(`${planAlarms(env).length} alarms`);
  await cloudwatch.send(
    new PutDashboardCommand({
      DashboardName: env.dashboard,
      DashboardBody: JSON.stringify(dashboardBody(env)),
    }),
  );
  created.push(`dashboard ${env.dashboard}`);

  // What the plan's checklists read beyond the function: the API's DNS name and certificate,
  // and the hourly backups of the order tables (terraform/modules/api, terraform/modules/data).
  await provisionDnsAndCertificate(env, config, { created, existing });
  await provisionBackups(env, config, step, { created, existing });
  await provisionGuardian(env, config, step, { created, existing });
  return { env: env.name, created, existing, ...(functionVersion ? { functionVersion } : {}) };
};
