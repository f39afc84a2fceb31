import { randomUUID } from 'node:crypto';

/**
 * An API Gateway REST proxy event, as the service's router reads it, for invoking one
 * version directly (warm-up, the canary's judgement of the candidate itself). Claims are
 * what a Cognito authorizer would have put there: strings, groups comma-joined.
 */
export const proxyEvent = (
  method: string,
  path: string,
  options: { body?: unknown; claims?: Record<string, string> } = {},
) => ({
  resource: path,
  path,
  httpMethod: method,
  headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
  multiValueHeaders: {},
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  pathParameters: null,
  stageVariables: null,
  body: options.body === undefined ? null : JSON.stringify(options.body),
  isBase64Encoded: false,
  requestContext: {
    requestId: `promote-${randomUUID()}`,
    requestTimeEpoch: Date.now(),
    httpMethod: method,
    path,
    stage: 'v1',
    ...(options.claims ? { authorizer: { claims: options.claims } } : {}),
  },
});

/** The proxy result a function returns: status and parsed JSON body (undefined if none). */
export const proxyResult = (
  payload: string,
): { statusCode?: number; body?: Record<string, unknown> } => {
  try {
    const result = JSON.parse(payload) as { statusCode?: number; body?: string };
    const body = result.body ? (JSON.parse(result.body) as Record<string, unknown>) : undefined;
    return {
      ...(result.statusCode ? { statusCode: result.statusCode } : {}),
      ...(body ? { body } : {}),
    };
  } catch {
    return {};
  }
};
