import type { LambdaApi } from '../aws/lambda-api.js';
import { HEALTH_PATH } from '../checklists/api-health.js';
import { proxyEvent, proxyResult } from './proxy-event.js';

/** The service's health route as API Gateway would deliver it, for a direct invocation. */
export const healthEvent = () => proxyEvent('GET', HEALTH_PATH);

/**
 * Invokes `qualifier`'s health route directly (no API in between): healthy is a 200 with no
 * function error. `answer` says what came back otherwise (the function error or the status).
 */
export const invokeHealth = async (
  lambda: LambdaApi,
  qualifier: string,
): Promise<{ ok: boolean; answer: string }> => {
  const out = await lambda.invoke(qualifier, healthEvent());
  const status = proxyResult(out.payload).statusCode;
  return {
    ok: !out.functionError && status === 200,
    answer: out.functionError ?? String(status ?? 'nothing'),
  };
};
