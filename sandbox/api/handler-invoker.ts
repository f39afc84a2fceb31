import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { EnvName } from '../../infra/environments.js';
import type { ApiInvoker } from './invoker.js';

/** Any Lambda-style handler: the order service's router is one. */
export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface HandlerInvokerOptions {
  /** Reported as `executedVersion`; `$LATEST` unless told. */
  readonly executedVersion?: string;
  /** Function name in the context; `order-handler-<env>` unless told. */
  readonly functionName?: (env: EnvName) => string;
}

const context = (env: EnvName, functionName: string, version: string): Context =>
  ({
    awsRequestId: randomUUID(),
    functionName,
    functionVersion: version,
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}:live`,
    memoryLimitInMB: '512',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `sandbox/${env}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

/**
 * An {@link ApiInvoker} that runs a handler in this process, with Lambda's payload
 * semantics: the event goes through JSON (so the handler never sees objects the front
 * built), and a throw becomes `functionError: 'Unhandled'` with Lambda's error document.
 * Used where the full runtime (isolation, versions, aliases) is not wanted, e.g. tests.
 */
export const handlerInvoker = (
  handlerFor: (env: EnvName) => LambdaHandler,
  options: HandlerInvokerOptions = {},
): ApiInvoker => {
  const version = options.executedVersion ?? '$LATEST';
  return async ({ env, payload }) => {
    const name = options.functionName?.(env) ?? `order-handler-${env}`;
    try {
      const event: unknown = JSON.parse(payload.toString('utf8'));
      const result = await handlerFor(env)(event, context(env, name, version));
      // Lambda serialises `undefined` as `null`.
      const body = JSON.stringify(result ?? null);
      return { statusCode: 200, payload: Buffer.from(body), executedVersion: version };
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      const document = { errorType: e.name, errorMessage: e.message, trace: [] as string[] };
      return {
        statusCode: 200,
        payload: Buffer.from(JSON.stringify(document)),
        functionError: 'Unhandled',
        executedVersion: version,
      };
    }
  };
};
