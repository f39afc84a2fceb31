import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AwsTarget } from './target.js';

/** The DLQ as the plan's Step 6 reads it (`get-queue-attributes --attribute-names All`). */
export interface QueueInfo {
  readonly url: string;
  readonly arn: string;
  readonly visible: number;
  readonly inFlight: number;
  readonly retentionSeconds: number;
}

export interface RuleInfo {
  readonly name: string;
  readonly state: string;
  readonly eventPattern?: string;
  readonly targetArns: readonly string[];
}

/**
 * The read-only checks of the plan's infrastructure checklist and Step 6, one call per
 * question; "not found" is an answer (undefined / false), other errors propagate.
 */
export interface InfraApi {
  queue(name: string): Promise<QueueInfo | undefined>;
  rule(name: string): Promise<RuleInfo | undefined>;
  /** Names of rules starting with a prefix (`aws events list-rules --name-prefix order`). */
  ruleNames(prefix: string): Promise<string[]>;
  bucketExists(name: string): Promise<boolean>;
  topicExists(name: string): Promise<boolean>;
  logGroupExists(name: string): Promise<boolean>;
  /** Alarms of this account/region currently in ALARM. */
  alarmsInAlarm(): Promise<{ name: string; reason: string }[]>;
}

const notFound = (error: unknown) =>
  /NotFound|NonExistent|NoSuch|does not exist|404/i.test(
    `${(error as Error).name} ${(error as Error).message} ${(error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? ''}`,
  );

const orUndefined = async <T>(action: () => Promise<T>): Promise<T | undefined> => {
  try {
    return await action();
  } catch (error) {
    if (notFound(error)) return undefined;
    throw error;
  }
};

export const infraApi = (target: AwsTarget): InfraApi => {
  const config = target.clientConfig;
  const sqs = new SQSClient(config);
  const events = new EventBridgeClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: target.sandbox });
  const sns = new SNSClient(config);
  const logs = new CloudWatchLogsClient(config);
  const cloudwatch = new CloudWatchClient(config);
  const { account, region } = target.env;
  return {
    queue: (name) =>
      orUndefined(async () => {
        const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
        const { Attributes: a = {} } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }),
        );
        return {
          url: QueueUrl ?? '',
          arn: a.QueueArn ?? '',
          visible: Number(a.ApproximateNumberOfMessages ?? 0),
          inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
          retentionSeconds: Number(a.MessageRetentionPeriod ?? 0),
        };
      }),
    rule: (name) =>
      orUndefined(async () => {
        const rule = await events.send(new DescribeRuleCommand({ Name: name }));
        const targets = await events.send(new ListTargetsByRuleCommand({ Rule: name }));
        return {
          name,
          state: rule.State ?? 'UNKNOWN',
          ...(rule.EventPattern ? { eventPattern: rule.EventPattern } : {}),
          targetArns: (targets.Targets ?? []).map((t) => t.Arn ?? ''),
        };
      }),
    async ruleNames(prefix) {
      const out = await events.send(new ListRulesCommand({ NamePrefix: prefix }));
      return (out.Rules ?? []).map((r) => r.Name ?? '');
    },
    async bucketExists(name) {
      return (
        (await orUndefined(() => s3.send(new HeadBucketCommand({ Bucket: name })))) !== undefined
      );
    },
    async topicExists(name) {
      const arn = `arn:aws:sns:${region}:${account}:${name}`;
      return (
        (await orUndefined(() => sns.send(new GetTopicAttributesCommand({ TopicArn: arn })))) !==
        undefined
      );
    },
    async logGroupExists(name) {
      const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
      return (out.logGroups ?? []).some((g) => g.logGroupName === name);
    },
    async alarmsInAlarm() {
      const out = await cloudwatch.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }));
      return (out.MetricAlarms ?? []).map((a) => ({
        name: a.AlarmName ?? '',
        reason: a.StateReason ?? '',
      }));
    },
  };
};
