import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SandboxResponse, ServiceHandler } from '../gateway/types.js';
import { motoClient } from '../moto/clients.js';
import { type LambdaTargetTable, shadowQueueArn, shadowQueueName } from './lambda-targets.js';

/**
 * EventBridge: moto, except that Lambda targets are swapped for shadow SQS queues on the way
 * in (PutTargets) and swapped back on the way out (ListTargetsByRule), so callers and the
 * plan's `aws events` commands see the real function ARN.
 */
export const createEventsHandler = (options: {
  forward: ServiceHandler;
  motoEndpoint: string;
  targets: LambdaTargetTable;
}): ServiceHandler => {
  return async (request) => {
    const operation = request.headers['x-amz-target']?.split('.').pop();
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
      for (const target of input.Targets) {
        if (!String(target.Arn).startsWith('arn:aws:lambda:')) {
          targets.push(target);
          continue;
        }
        const queueName = shadowQueueName(target.Arn, input.Rule, target.Id);
        await sqs.send(
          new CreateQueueCommand({ QueueName: queueName, Attributes: { VisibilityTimeout: '1' } }),
        );
        options.targets.put({
          account,
          region,
          ruleName: input.Rule,
          busName: input.EventBusName ?? 'default',
          targetId: target.Id,
          functionArn: target.Arn,
          queueName,
          ...(target.DeadLetterConfig?.Arn ? { deadLetterArn: target.DeadLetterConfig.Arn } : {}),
          maximumRetryAttempts: target.RetryPolicy?.MaximumRetryAttempts ?? 185,
        });
        targets.push({ ...target, Arn: shadowQueueArn({ account, region, queueName }) });
      }
      return options.forward({
        ...request,
        body: Buffer.from(JSON.stringify({ ...input, Targets: targets })),
      });
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
