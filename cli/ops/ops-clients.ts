import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsTarget } from '../aws/target.js';
import type { RedriveClients } from './dlq-redrive.js';

/**
 * The SDK clients of the events operations, for one target (sandbox or AWS, same code): in
 * the env's region, or — for a rule's target elsewhere (PROD's failover bus) — in its own.
 */
export const opsClients = (
  target: AwsTarget,
): RedriveClients & { eventsHere: EventBridgeClient } => {
  const made = new Map<string, unknown>();
  const inRegion = <C>(Ctor: new (config: AwsTarget['clientConfig']) => C, region: string): C => {
    const key = `${Ctor.name}/${region}`;
    let client = made.get(key) as C | undefined;
    if (!client) {
      client = new Ctor({ ...target.clientConfig, region });
      made.set(key, client);
    }
    return client;
  };
  const home = target.env.region;
  return {
    sqs: inRegion(SQSClient, home),
    sqsIn: (region) => inRegion(SQSClient, region),
    lambda: (region) => inRegion(LambdaClient, region),
    events: (region) => inRegion(EventBridgeClient, region),
    eventsHere: inRegion(EventBridgeClient, home),
  };
};
