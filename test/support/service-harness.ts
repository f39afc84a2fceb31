import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { inject } from 'vitest';
import { ORDER_EVENT_SOURCE } from '../../service/adapters/event-publisher.js';
import {
  idempotencyTableName,
  idempotencyTableSpec,
  ordersTableSpec,
} from '../../service/adapters/table-schema.js';
import type { ServiceConfig } from '../../service/config.js';
import type { ServiceDeps } from '../../service/handlers/deps.js';
import type { HttpResponse } from '../../service/http/problem.js';
import { createRouter } from '../../service/router.js';
import { createDeps } from '../../service/wiring.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const region = 'eu-west-1';

/** A caller as the API Gateway authorizer would describe them. */
export interface Caller {
  sub: string;
  customerId?: string;
  admin?: boolean;
}

export const customer = (customerId: string): Caller => ({ sub: `sub-${customerId}`, customerId });
export const admin: Caller = { sub: 'sub-admin-1', admin: true };

/** A REST API proxy event, shaped like API Gateway's with a Cognito authorizer. */
export const apiEvent = (
  method: string,
  path: string,
  options: {
    caller?: Caller;
    body?: unknown;
    rawBody?: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
): APIGatewayProxyEvent => {
  const claims = options.caller
    ? {
        sub: options.caller.sub,
        ...(options.caller.customerId ? { 'custom:customer_id': options.caller.customerId } : {}),
        ...(options.caller.admin ? { 'cognito:groups': 'admin' } : {}),
      }
    : undefined;
  return {
    httpMethod: method,
    path,
    resource: '/v1.0/orders/{proxy+}',
    headers: { 'content-type': 'application/json', ...(options.headers ?? {}) },
    multiValueHeaders: {},
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    isBase64Encoded: false,
    body: options.rawBody ?? (options.body === undefined ? null : JSON.stringify(options.body)),
    requestContext: {
      requestId: randomUUID(),
      ...(claims ? { authorizer: { claims } } : {}),
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
};

export interface ApiResult {
  status: number;
  headers: Record<string, string>;
  body: any;
}

export interface ServiceHarness {
  readonly deps: ServiceDeps;
  readonly config: ServiceConfig;
  readonly dynamodb: DynamoDBClient;
  /** Invokes the router with an API Gateway event and parses the JSON answer. */
  call(event: APIGatewayProxyEvent): Promise<ApiResult>;
  /** Invokes the router with any event (EventBridge, malformed…). */
  invoke(event: unknown): Promise<unknown>;
  /** Drains the queue that the test rule copies every `bbws.orders` event into. */
  publishedEvents(): Promise<Array<{ 'detail-type': string; detail: any }>>;
  dlqDepth(): Promise<number>;
}

const lambdaContext = (): Context =>
  ({
    awsRequestId: randomUUID(),
    functionName: 'order-handler-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:order-handler-test',
    memoryLimitInMB: '512',
    getRemainingTimeInMillis: () => 30_000,
  }) as unknown as Context;

/**
 * A real service instance for one test file: its own orders + idempotency tables in
 * DynamoDB Local and its own bus, rule, capture queue and DLQ in moto.
 */
export const createServiceHarness = async (
  overrides: { eventBusName?: string } = {},
): Promise<ServiceHarness> => {
  const suffix = randomUUID().slice(0, 8);
  const dynamodb = new DynamoDBClient({ endpoint: inject('dynamoEndpoint'), region, credentials });
  const moto = { endpoint: inject('motoEndpoint'), region, credentials };
  const eventbridge = new EventBridgeClient(moto);
  const sqs = new SQSClient(moto);

  const tableName = `orders-test-${suffix}`;
  await dynamodb.send(new CreateTableCommand(ordersTableSpec(tableName)));
  await dynamodb.send(
    new CreateTableCommand(idempotencyTableSpec(idempotencyTableName(tableName))),
  );

  const busName = `order-events-${suffix}`;
  await eventbridge.send(new CreateEventBusCommand({ Name: busName }));
  const capture = await sqs.send(new CreateQueueCommand({ QueueName: `capture-${suffix}` }));
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `order-dlq-${suffix}` }));
  const captureArn = (
    await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: capture.QueueUrl, AttributeNames: ['QueueArn'] }),
    )
  ).Attributes?.QueueArn;
  await eventbridge.send(
    new PutRuleCommand({
      Name: `capture-${suffix}`,
      EventBusName: busName,
      EventPattern: JSON.stringify({ source: [ORDER_EVENT_SOURCE] }),
    }),
  );
  await eventbridge.send(
    new PutTargetsCommand({
      Rule: `capture-${suffix}`,
      EventBusName: busName,
      Targets: [{ Id: 'capture', Arn: captureArn }],
    }),
  );

  const config: ServiceConfig = {
    environment: 'test',
    tableName,
    idempotencyTableName: idempotencyTableName(tableName),
    eventBusName: overrides.eventBusName ?? busName,
    dlqUrl: dlq.QueueUrl,
    version: 'test-version',
    paginationSecret: 'test-pagination-secret-0123456789',
    serviceName: 'order-service',
  };
  const deps = createDeps(config, { dynamodb, eventbridge, sqs });
  const router = createRouter(deps);

  const drain = async (queueUrl: string | undefined) => {
    const bodies: any[] = [];
    for (;;) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 300,
        }),
      );
      if (!out.Messages?.length) return bodies;
      for (const m of out.Messages) bodies.push(JSON.parse(m.Body ?? '{}'));
    }
  };

  return {
    deps,
    config,
    dynamodb,
    async call(event) {
      const res = (await router(event, lambdaContext())) as HttpResponse;
      return { status: res.statusCode, headers: res.headers, body: JSON.parse(res.body) };
    },
    invoke: (event) => router(event, lambdaContext()),
    publishedEvents: () => drain(capture.QueueUrl),
    async dlqDepth() {
      const out = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: dlq.QueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
    },
  };
};
