import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EventBridgePublisher } from './adapters/event-publisher.js';
import { PowertoolsIdempotencyGuard } from './adapters/idempotency.js';
import { randomIds, systemClock } from './adapters/ids.js';
import { DynamoOrderRepository } from './adapters/order-repository.js';
import { PageTokenCodec } from './adapters/page-token.js';
import { createTelemetry } from './adapters/telemetry.js';
import type { ServiceConfig } from './config.js';
import type { ServiceDeps } from './handlers/deps.js';

/** SDK clients the service uses; endpoints come from the standard chain (AWS_ENDPOINT_URL…). */
export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly eventbridge: EventBridgeClient;
  readonly sqs: SQSClient;
}

export const defaultClients = (): AwsClients => ({
  dynamodb: new DynamoDBClient({}),
  eventbridge: new EventBridgeClient({}),
  sqs: new SQSClient({}),
});

/** Builds the real adapters for a configuration. */
export const createDeps = (config: ServiceConfig, clients: AwsClients): ServiceDeps => {
  const telemetry = createTelemetry({
    service: config.serviceName,
    environment: config.environment,
    ...(process.env.AWS_LAMBDA_FUNCTION_VERSION
      ? { functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION }
      : {}),
  });
  return {
    repo: new DynamoOrderRepository(clients.dynamodb, config.tableName),
    publisher: new EventBridgePublisher(
      clients.eventbridge,
      clients.sqs,
      config.eventBusName,
      config.dlqUrl,
      telemetry.logger,
      telemetry.eventPublishFailed,
    ),
    idempotency: new PowertoolsIdempotencyGuard(clients.dynamodb, config.idempotencyTableName),
    pageTokens: new PageTokenCodec(config.paginationSecret),
    clock: systemClock,
    ids: randomIds,
    telemetry,
    version: config.version,
  };
};
