import { orUndefined } from './not-found.js';
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

/** One value, made on first use (a client whose SDK module is imported only then). */
const once = <T>(make: () => Promise<T>): (() => Promise<T>) => {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make();
    return made;
  };
};

/**
 * Each service's SDK module loads on the first call that needs it: preflight uses them all,
 * `promote status` only CloudWatch.
 */
export const infraApi = (target: AwsTarget): InfraApi => {
  const config = target.clientConfig;
  const sqs = once(async () => new (await import('@aws-sdk/client-sqs')).SQSClient(config));
  const events = once(
    async () => new (await import('@aws-sdk/client-eventbridge')).EventBridgeClient(config),
  );
  const s3 = once(
    async () =>
      new (await import('@aws-sdk/client-s3')).S3Client({
        ...config,
        forcePathStyle: target.sandbox,
      }),
  );
  const sns = once(async () => new (await import('@aws-sdk/client-sns')).SNSClient(config));
  const logs = once(
    async () => new (await import('@aws-sdk/client-cloudwatch-logs')).CloudWatchLogsClient(config),
  );
  const cloudwatch = once(
    async () => new (await import('@aws-sdk/client-cloudwatch')).CloudWatchClient(config),
  );
  const { account, region } = target.env;
  return {
    queue: (name) =>
      orUndefined(async () => {
        const { GetQueueUrlCommand, GetQueueAttributesCommand } = await import(
          '@aws-sdk/client-sqs'
        );
        const client = await sqs();
        const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
        const { Attributes: a = {} } = await client.send(
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
        const { DescribeRuleCommand, ListTargetsByRuleCommand } = await import(
          '@aws-sdk/client-eventbridge'
        );
        const client = await events();
        const rule = await client.send(new DescribeRuleCommand({ Name: name }));
        const targets = await client.send(new ListTargetsByRuleCommand({ Rule: name }));
        return {
          name,
          state: rule.State ?? 'UNKNOWN',
          ...(rule.EventPattern ? { eventPattern: rule.EventPattern } : {}),
          targetArns: (targets.Targets ?? []).map((t) => t.Arn ?? ''),
        };
      }),
    async ruleNames(prefix) {
      const { ListRulesCommand } = await import('@aws-sdk/client-eventbridge');
      const out = await (await events()).send(new ListRulesCommand({ NamePrefix: prefix }));
      return (out.Rules ?? []).map((r) => r.Name ?? '');
    },
    async bucketExists(name) {
      const { HeadBucketCommand } = await import('@aws-sdk/client-s3');
      const client = await s3();
      return (
        (await orUndefined(() => client.send(new HeadBucketCommand({ Bucket: name })))) !==
        undefined
      );
    },
    async topicExists(name) {
      const { GetTopicAttributesCommand } = await import('@aws-sdk/client-sns');
      const client = await sns();
      const arn = `arn:aws:sns:${region}:${account}:${name}`;
      return (
        (await orUndefined(() => client.send(new GetTopicAttributesCommand({ TopicArn: arn })))) !==
        undefined
      );
    },
    async logGroupExists(name) {
      const { DescribeLogGroupsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
      const out = await (await logs()).send(
        new DescribeLogGroupsCommand({ logGroupNamePrefix: name }),
      );
      return (out.logGroups ?? []).some((g) => g.logGroupName === name);
    },
    async alarmsInAlarm() {
      const { DescribeAlarmsCommand } = await import('@aws-sdk/client-cloudwatch');
      const out = await (await cloudwatch()).send(
        new DescribeAlarmsCommand({ StateValue: 'ALARM' }),
      );
      return (out.MetricAlarms ?? []).map((a) => ({
        name: a.AlarmName ?? '',
        reason: a.StateReason ?? '',
      }));
    },
  };
};
