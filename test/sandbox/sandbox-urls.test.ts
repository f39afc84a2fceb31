import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsCommand,
  ListTopicsCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { type Sandbox, startSandbox } from '../../sandbox/sandbox.js';

/**
 * Every URL the sandbox hands out leads back to its gateway, never to moto's own port:
 * queue URLs in SQS's JSON protocol (SDK v3) and query/XML protocol (the aws CLI), and
 * whatever else moto would build from its address. A queue URL then works through the
 * gateway for its own account — also when the client sends its calls to the queue URL's
 * host, as SDK v3 does when the endpoint comes from AWS_ENDPOINT_URL — and is refused as a
 * queue that does not exist for another account's key.
 */

const sit = ENVIRONMENTS.sit;
const prod = ENVIRONMENTS.prod;
const ROOT = join(import.meta.dirname, '..', '..');

const keyOf = (key: string) => ({ accessKeyId: key, secretAccessKey: 'sandbox' });

/** Every loopback origin (`http://127.0.0.1:<port>`) a value mentions. */
const loopbackOrigins = (value: unknown): string[] => [
  ...new Set(JSON.stringify(value).match(/https?:\/\/(?:127\.0\.0\.1|localhost):\d+/g) ?? []),
];

/** The aws CLIs on this machine: Debian's v2 (SQS over query/XML) and `which aws`. */
const awsClis = (): Array<{ bin: string; version: string }> => {
  const found = new Map<string, { bin: string; version: string }>();
  for (const bin of ['/usr/bin/aws', 'aws']) {
    if (bin.startsWith('/') && !existsSync(bin)) continue;
    try {
      const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim().split(' ')[0];
      if (version && !found.has(version)) found.set(version, { bin, version });
    } catch {
      // not installed
    }
  }
  return [...found.values()];
};

/**
 * SDK v3 in a child process whose only endpoint setting is AWS_ENDPOINT_URL (the standard
 * credential chain reads the key from the environment), as the CLI runs in AWS. No variable
 * of this process leaks into it.
 */
const sdkWithEnvEndpoint = async (
  endpoint: string,
  key: string,
  region: string,
  queueUrl?: string,
) => {
  const script = `
    import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
    const sqs = new SQSClient({});
    const out = {};
    try {
      const url = process.env.QUEUE_URL ||
        (await sqs.send(new GetQueueUrlCommand({ QueueName: process.env.QUEUE_NAME }))).QueueUrl;
      out.url = url;
      const attrs = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
      );
      out.arn = attrs.Attributes?.QueueArn;
    } catch (error) {
      out.error = { name: error.name, code: error.Code, message: error.message };
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const result = await execa(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    extendEnv: false,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: key,
      AWS_SECRET_ACCESS_KEY: 'sandbox',
      AWS_REGION: region,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      QUEUE_NAME: sit.dlq,
      ...(queueUrl ? { QUEUE_URL: queueUrl } : {}),
    },
    reject: false,
    timeout: 60_000,
  });
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as {
    url?: string;
    arn?: string;
    error?: { name: string; code?: string; message: string };
  };
};

describe('sandbox URLs point at the gateway', () => {
  let home: string;
  let sandbox: Sandbox;
  let sitSqs: SQSClient;
  let prodSqs: SQSClient;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'sandbox-urls-'));
    sandbox = await startSandbox({ home, port: 0, envs: ['sit', 'prod'] });
    sitSqs = new SQSClient({
      endpoint: sandbox.endpoint,
      region: sit.region,
      credentials: keyOf('sandbox-sit'),
    });
    prodSqs = new SQSClient({
      endpoint: sandbox.endpoint,
      region: sit.region,
      credentials: keyOf('sandbox-prod'),
    });
  });

  afterAll(async () => {
    await sandbox?.stop();
  });

  it('SDK v3 (endpoint set): GetQueueUrl, CreateQueue and ListQueues answer gateway URLs', async () => {
    // Act
    const got = await sitSqs.send(new GetQueueUrlCommand({ QueueName: sit.dlq }));
    const created = await sitSqs.send(new CreateQueueCommand({ QueueName: 'urls-created' }));
    const listed = await sitSqs.send(new ListQueuesCommand({}));
    const sources = await sitSqs.send(
      new ListDeadLetterSourceQueuesCommand({ QueueUrl: got.QueueUrl }),
    );

    // Assess
    expect(got.QueueUrl).toBe(`${sandbox.endpoint}/${sit.account}/${sit.dlq}`);
    expect(created.QueueUrl).toBe(`${sandbox.endpoint}/${sit.account}/urls-created`);
    expect(listed.QueueUrls).toContain(got.QueueUrl);
    expect(listed.QueueUrls).toContain(created.QueueUrl);
    expect(loopbackOrigins([got, created, listed, sources])).toEqual([sandbox.endpoint]);
  });

  it('SDK v3 (endpoint set): a queue URL works for its account and does not exist for another', async () => {
    // Prepare: a queue of the same name in both accounts, so only the URL's account differs
    const sitQueue = await sitSqs.send(new CreateQueueCommand({ QueueName: 'urls-shared' }));
    const prodQueue = await prodSqs.send(new CreateQueueCommand({ QueueName: 'urls-shared' }));
    const sitDlq = await sitSqs.send(new GetQueueUrlCommand({ QueueName: sit.dlq }));

    // Act
    const own = await sitSqs.send(
      new GetQueueAttributesCommand({ QueueUrl: sitDlq.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const foreign = await prodSqs
      .send(new GetQueueAttributesCommand({ QueueUrl: sitQueue.QueueUrl, AttributeNames: ['All'] }))
      .then(
        () => undefined,
        (error: Error & { Code?: string }) => error,
      );

    // Assess
    expect(own.Attributes?.QueueArn).toBe(`arn:aws:sqs:${sit.region}:${sit.account}:${sit.dlq}`);
    expect(prodQueue.QueueUrl).toBe(`${sandbox.endpoint}/${prod.account}/urls-shared`);
    expect(foreign?.name).toBe('QueueDoesNotExist');
    expect(foreign?.Code ?? foreign?.name).toMatch(
      /AWS\.SimpleQueueService\.NonExistentQueue|QueueDoesNotExist/,
    );
  });

  it('SDK v3 with only AWS_ENDPOINT_URL: later calls go to the queue URL, i.e. the gateway', async () => {
    // Act
    const own = await sdkWithEnvEndpoint(sandbox.endpoint, 'sandbox-sit', sit.region);
    const foreign = await sdkWithEnvEndpoint(
      sandbox.endpoint,
      'sandbox-prod',
      prod.region,
      own.url,
    );

    // Assess
    expect(own.error).toBeUndefined();
    expect(new URL(own.url ?? '').origin).toBe(sandbox.endpoint);
    expect(own.arn).toBe(`arn:aws:sqs:${sit.region}:${sit.account}:${sit.dlq}`);
    expect(foreign.error?.name).toBe('QueueDoesNotExist');
  });

  const clis = awsClis();

  it.each(clis)(
    'aws CLI $version: queue URLs name the gateway, accounts stay apart',
    async ({ bin }) => {
      // Prepare
      const aws = async (args: string[], key: string, endpoint = sandbox.endpoint) => {
        const result = await execa(bin, ['--endpoint-url', endpoint, '--output', 'json', ...args], {
          extendEnv: false,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            AWS_ACCESS_KEY_ID: key,
            AWS_SECRET_ACCESS_KEY: 'sandbox',
            AWS_DEFAULT_REGION: sit.region,
            AWS_PAGER: '',
            AWS_CONFIG_FILE: '/dev/null',
            AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          },
          reject: false,
          timeout: 60_000,
        });
        return {
          exitCode: result.exitCode,
          stderr: result.stderr,
          json: result.exitCode === 0 && result.stdout ? JSON.parse(result.stdout) : undefined,
        };
      };

      // Act
      const got = await aws(['sqs', 'get-queue-url', '--queue-name', sit.dlq], 'sandbox-sit');
      const url = got.json?.QueueUrl as string;
      // The same name in both accounts: only the URL's account tells them apart.
      const created = await aws(['sqs', 'create-queue', '--queue-name', 'urls-cli'], 'sandbox-sit');
      await aws(['sqs', 'create-queue', '--queue-name', 'urls-cli'], 'sandbox-prod');
      const createdUrl = created.json?.QueueUrl as string;
      const listed = await aws(['sqs', 'list-queues'], 'sandbox-sit');
      const attrs = (queueUrl: string) => [
        'sqs',
        'get-queue-attributes',
        '--queue-url',
        queueUrl,
        '--attribute-names',
        'All',
      ];
      const own = await aws(attrs(url), 'sandbox-sit');
      const foreign = await aws(attrs(createdUrl), 'sandbox-prod');
      // A client addressing the queue URL itself (the call's path is /<account>/<queue>).
      const atUrl = await aws(attrs(url), 'sandbox-sit', url);
      const foreignAtUrl = await aws(attrs(createdUrl), 'sandbox-prod', createdUrl);

      // Assess
      expect(got.exitCode, got.stderr).toBe(0);
      expect(url).toBe(`${sandbox.endpoint}/${sit.account}/${sit.dlq}`);
      expect(createdUrl).toBe(`${sandbox.endpoint}/${sit.account}/urls-cli`);
      expect(loopbackOrigins(listed.json)).toEqual([sandbox.endpoint]);
      expect(own.exitCode, own.stderr).toBe(0);
      expect(own.json.Attributes.QueueArn).toBe(
        `arn:aws:sqs:${sit.region}:${sit.account}:${sit.dlq}`,
      );
      expect(foreign.exitCode).not.toBe(0);
      expect(foreign.stderr).toMatch(/AWS\.SimpleQueueService\.NonExistentQueue|QueueDoesNotExist/);
      expect(atUrl.exitCode, atUrl.stderr).toBe(0);
      expect(atUrl.json.Attributes.QueueArn).toBe(own.json.Attributes.QueueArn);
      expect(foreignAtUrl.exitCode).not.toBe(0);
      expect(foreignAtUrl.stderr).toMatch(
        /AWS\.SimpleQueueService\.NonExistentQueue|QueueDoesNotExist/,
      );
    },
  );

  it('no other answer carries moto’s address: SNS subscriptions, S3 Location, the function’s DLQ_URL', async () => {
    // Prepare
    const config = {
      endpoint: sandbox.endpoint,
      region: sit.region,
      credentials: keyOf('sandbox-sit'),
    };
    const sns = new SNSClient(config);
    const queueArn = `arn:aws:sqs:${sit.region}:${sit.account}:${sit.dlq}`;
    const topicArn = `arn:aws:sns:${sit.region}:${sit.account}:${sit.alarmTopic}`;

    // Act
    const subscribed = await sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }),
    );
    const answers = [
      subscribed,
      await sns.send(new ListTopicsCommand({})),
      await sns.send(new ListSubscriptionsCommand({})),
      await sns.send(
        new GetSubscriptionAttributesCommand({ SubscriptionArn: subscribed.SubscriptionArn }),
      ),
      await new S3Client({ ...config, forcePathStyle: true }).send(
        new CreateBucketCommand({
          Bucket: 'urls-bucket',
          CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
        }),
      ),
    ];
    const fn = await new LambdaClient(config).send(
      new GetFunctionCommand({ FunctionName: sit.functionName }),
    );

    // Assess
    expect(loopbackOrigins(answers).filter((o) => o !== sandbox.endpoint)).toEqual([]);
    expect(fn.Configuration?.Environment?.Variables?.DLQ_URL).toBe(
      `${sandbox.endpoint}/${sit.account}/${sit.dlq}`,
    );
    expect(loopbackOrigins(fn).filter((o) => o !== sandbox.endpoint)).toEqual([]);
  });

  it('after a restart on another port, stored queue URLs name the new gateway', async () => {
    // Act
    const before = sandbox.endpoint;
    await sandbox.stop();
    sandbox = await startSandbox({ home, port: 0, envs: ['sit', 'prod'] });
    const config = {
      endpoint: sandbox.endpoint,
      region: sit.region,
      credentials: keyOf('sandbox-sit'),
    };
    const fn = await new LambdaClient(config).send(
      new GetFunctionCommand({ FunctionName: sit.functionName }),
    );
    const got = await new SQSClient(config).send(new GetQueueUrlCommand({ QueueName: sit.dlq }));

    // Assess
    expect(sandbox.endpoint).not.toBe(before);
    expect(got.QueueUrl).toBe(`${sandbox.endpoint}/${sit.account}/${sit.dlq}`);
    expect(fn.Configuration?.Environment?.Variables?.DLQ_URL).toBe(got.QueueUrl);
  });
});
