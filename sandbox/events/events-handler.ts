import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SandboxResponse, ServiceHandler } from '../gateway/types.js';
import { motoClient } from '../moto/clients.js';
import { createArchiveOperations } from './archive-handler.js';
import { eventsStateOf, queuesOfTarget } from './events-state.js';
import {
  type LambdaTarget,
  type LambdaTargetTable,
  shadowQueueArn,
  shadowQueueName,
} from './lambda-targets.js';

/**
 * EventBridge: moto, except that
 * - Lambda targets are swapped for shadow SQS queues on the way in (PutTargets) and swapped
 *   back on the way out (ListTargetsByRule), so callers and the plan's `aws events` commands
 *   see the real function ARN;
 * - archives keep their events and replays run in the sandbox (archive-handler.ts).
 */
export const createEventsHandler = (options: {
  forward: ServiceHandler;
  motoEndpoint: string;
  targets: LambdaTargetTable;
  log?: (line: string) => void;
}): ServiceHandler => {
  const state = eventsStateOf(options.targets, options.motoEndpoint);
  const archives = createArchiveOperations({
    forward: options.forward,
    motoEndpoint: options.motoEndpoint,
    ...(state.stateDir ? { stateDir: state.stateDir } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  return async (request) => {
    const operation = request.headers['x-amz-target']?.split('.').pop();
    const served = await archives(operation, request);
    if (served) return served;
    if (operation === 'PutTargets') {
      const input = JSON.parse(request.body.toString('utf8')) as {
        Rule: string;
        EventBusName?: string;
        Targets: Array<Record<string, any>>;
      };
      const { account } = request.identity;
      const region = request.region;
      const sqs = motoClient(SQSClient, options.motoEndpoint, account, region);
      const targets = [];
      const registered: LambdaTarget[] = [];
      for (const target of input.Targets) {
        if (!String(target.Arn).startsWith('arn:aws:lambda:')) {
          targets.push(target);
          continue;
        }
        const queueName = shadowQueueName(target.Arn, input.Rule, target.Id);
        await sqs.send(
          new CreateQueueCommand({ QueueName: queueName, Attributes: { VisibilityTimeout: '1' } }),
        );
        const lambdaTarget: LambdaTarget = {
          account,
          region,
          ruleName: input.Rule,
          busName: input.EventBusName?.split('/').pop() ?? 'default',
          targetId: target.Id,
          functionArn: target.Arn,
          queueName,
          ...(target.DeadLetterConfig?.Arn ? { deadLetterArn: target.DeadLetterConfig.Arn } : {}),
          maximumRetryAttempts: target.RetryPolicy?.MaximumRetryAttempts ?? 185,
          maximumEventAgeSeconds: target.RetryPolicy?.MaximumEventAgeInSeconds ?? 86_400,
        };
        options.targets.put(lambdaTarget);
        registered.push(lambdaTarget);
        targets.push({ ...target, Arn: shadowQueueArn({ account, region, queueName }) });
      }
      const response = await options.forward({
        ...request,
        body: Buffer.from(JSON.stringify({ ...input, Targets: targets })),
      });
      // Provisioning re-registers every target at start, before the sandbox says it is up:
      // the messages kept across the restart are back before anyone can look for them.
      for (const target of registered) {
        for (const queue of queuesOfTarget(target)) await state.queues.restore(queue);
      }
      return response;
    }
    const response = await options.forward(request);
    if (operation === 'ListTargetsByRule' && response.status === 200 && response.body) {
      const out = JSON.parse(response.body.toString()) as { Targets?: Array<Record<string, any>> };
      for (const target of out.Targets ?? []) {
        const real = options.targets.byShadowArn(String(target.Arn));
        if (real) target.Arn = real.functionArn;
      }
      return { ...response, body: JSON.stringify(out) } satisfies SandboxResponse;
    }
    return response;
  };
};
