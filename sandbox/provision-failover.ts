import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeTableCommand,
  DynamoDBClient,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Environment } from '../infra/environments.js';
import { executionRolePolicy, LAMBDA_TRUST } from '../infra/iam-policies.js';
import { stateTableName } from '../infra/state-table.js';
import {
  type ProvisionResult,
  provisionLedger,
  provisionOrderRule,
  publishLive,
} from './provision.js';
import { provisionArchive } from './provision-archive.js';

/**
 * PROD's failover region, as terraform builds it (terraform/main.tf: function_failover,
 * events_failover, api_failover, and the replicas of terraform/modules/data and
 * terraform/modules/state), with the same names:
 * - `order-handler-prod` with the primary's live code (same CodeSha256) and environment
 *   (but this region's DLQ), its own regional execution role
 *   (`order-handler-prod-execution-<region>`), a published version and alias `live`;
 * - the DLQ, the event bus, the rule and its target (the region's `live`), the bus's
 *   archive (sandbox/provision-archive.ts), the two SNS topics, the log group;
 * - replicas of `orders-prod`, `orders-prod-idempotency` and `promote-state-prod` (global
 *   tables, point-in-time recovery on the orders and state replicas).
 * No alarms and no dashboard: terraform's monitoring module is the primary region's only.
 * Version numbers are the region's own, as in AWS. Idempotent, like provision.ts.
 */

export interface FailoverOptions {
  /** The gateway. */
  readonly endpoint: string;
  /** The baseline package, when the primary's live code is not in the code store. */
  readonly zip: () => Promise<Buffer>;
  /** The package whose CodeSha256 (base64) this is, if the sandbox has it. */
  readonly codeFor?: (codeSha256: string) => Promise<Buffer | undefined>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** terraform/modules/function: PROD's failover function has a role of its own per region. */
export const failoverExecutionRole = (env: Environment, region: string): string =>
  `${env.executionRole}-${region}`;

/** The tables of an environment that are global tables in PROD (data + state modules). */
export const replicatedTables = (env: Environment): string[] => [
  env.tableName,
  env.idempotencyTableName,
  stateTableName(env.name),
];

export const provisionFailoverRegion = async (
  env: Environment,
  options: FailoverOptions,
): Promise<ProvisionResult> => {
  const region = env.failoverRegion;
  if (!region) return { env: env.name, created: [], existing: [] };
  const credentials = { accessKeyId: `sandbox-${env.name}`, secretAccessKey: 'sandbox' };
  const config = { endpoint: options.endpoint, region, credentials };
  const primary = { ...config, region: env.region };
  const { created, existing, step } = provisionLedger(`${env.name} ${region}`);

  // Replicas first: they are created in the background while the rest is provisioned.
  const dynamodb = new DynamoDBClient(primary);
  const replicasIn = async (table: string) =>
    (await dynamodb.send(new DescribeTableCommand({ TableName: table }))).Table?.Replicas ?? [];
  await Promise.all(
    replicatedTables(env).map(async (table) => {
      if ((await replicasIn(table)).some((r) => r.RegionName === region)) {
        existing.push(`replica ${table} ${region}`);
        return;
      }
      await dynamodb.send(
        new UpdateTableCommand({
          TableName: table,
          ReplicaUpdates: [{ Create: { RegionName: region } }],
        }),
      );
      created.push(`replica ${table} ${region}`);
    }),
  );

  const roleArn = failoverExecutionRole(env, region);
  const roleName = roleArn.split('/').pop() ?? roleArn;
  const iam = new IAMClient({ ...config, region: 'us-east-1' });
  const sqs = new SQSClient(config);
  const sns = new SNSClient(config);
  const [, dlqUrl] = await Promise.all([
    (async () => {
      await step(`role ${roleName}`, () =>
        iam.send(
          new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: LAMBDA_TRUST }),
        ),
      );
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: roleName,
          PolicyName: 'order-handler',
          PolicyDocument: JSON.stringify(executionRolePolicy({ ...env, region })),
        }),
      );
    })(),
    sqs
      .send(
        new CreateQueueCommand({
          QueueName: env.dlq,
          Attributes: { MessageRetentionPeriod: '1209600' },
        }),
      )
      .then((out) => out.QueueUrl),
    Promise.all(
      [env.alarmTopic, env.notificationTopic].map((Name) =>
        sns.send(new CreateTopicCommand({ Name })),
      ),
    ),
    step(`log group ${env.logGroup} ${region}`, () =>
      new CloudWatchLogsClient(config).send(
        new CreateLogGroupCommand({ logGroupName: env.logGroup }),
      ),
    ),
    step(`event bus ${env.eventBus} ${region}`, () =>
      new EventBridgeClient(config).send(new CreateEventBusCommand({ Name: env.eventBus })),
    ),
  ]);
  created.push(
    `queue ${env.dlq} ${region}`,
    `topics ${env.alarmTopic}, ${env.notificationTopic} ${region}`,
  );
  const dlqArn = (
    await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
    )
  ).Attributes?.QueueArn;

  const lambda = new LambdaClient(config);
  let functionVersion: string | undefined;
  const exists = await lambda.send(new GetFunctionCommand({ FunctionName: env.functionName })).then(
    () => true,
    () => false,
  );
  if (exists) {
    existing.push(`function ${env.functionName} ${region}`);
  } else {
    // The primary's live release: the same bytes and settings, this region's DLQ.
    const live = await new LambdaClient(primary).send(
      new GetFunctionConfigurationCommand({ FunctionName: env.functionName, Qualifier: env.alias }),
    );
    const zip =
      (live.CodeSha256 && (await options.codeFor?.(live.CodeSha256))) || (await options.zip());
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: env.functionName,
        Runtime: live.Runtime ?? 'nodejs20.x',
        Handler: live.Handler ?? 'index.handler',
        Role: roleArn,
        Code: { ZipFile: zip },
        Timeout: live.Timeout ?? 30,
        MemorySize: live.MemorySize ?? 512,
        Description: live.Description ?? 'sandbox initial version',
        Environment: {
          Variables: { ...(live.Environment?.Variables ?? {}), DLQ_URL: dlqUrl ?? '' },
        },
      }),
    );
    functionVersion = await publishLive(lambda, env);
    created.push(`function ${env.functionName} ${region} v${functionVersion} + alias ${env.alias}`);
  }

  const events = new EventBridgeClient(config);
  await provisionOrderRule(events, env, region, dlqArn);
  created.push(`rule ${env.eventRule} ${region}`);
  // terraform's events module (events_failover) archives the failover bus too.
  await provisionArchive(env, config, step);

  // The replicas were created meanwhile; PITR is on for the orders and state replicas, as
  // terraform's replica blocks ask.
  const active = async () =>
    (await Promise.all(replicatedTables(env).map(replicasIn))).every((list) =>
      list.some((r) => r.RegionName === region && r.ReplicaStatus === 'ACTIVE'),
    );
  for (let attempt = 0; !(await active()); attempt += 1) {
    if (attempt >= 300)
      throw new Error(`provisioning ${env.name} ${region}: replicas not ACTIVE after 30 s`);
    await sleep(100);
  }
  const replicaClient = new DynamoDBClient(config);
  for (const table of [env.tableName, stateTableName(env.name)]) {
    await replicaClient.send(
      new UpdateContinuousBackupsCommand({
        TableName: table,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
  }
  return {
    env: `${env.name} (${region})`,
    created,
    existing,
    ...(functionVersion ? { functionVersion } : {}),
  };
};
