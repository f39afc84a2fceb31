import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ENVIRONMENTS, type EnvName } from '../../infra/environments.js';
import type { SandboxClaims } from './jwt.js';
import type { ResourceMatch } from './resources.js';

/** The REST API's stage; the plan's URLs hide it behind the custom domain mapping. */
export const STAGE = 'v1';

/** What the front knows about one HTTP request when it hands it to the function. */
export interface FrontRequest {
  readonly env: EnvName;
  readonly method: string;
  /** Path as received (percent-encoded), without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Node's `rawHeaders`: name, value, name, value… with the client's casing. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly match: ResourceMatch;
  readonly requestId: string;
  readonly sourceIp: string;
  readonly localPort: number;
  readonly receivedAt: Date;
  /** Present when the authorizer accepted a token. */
  readonly claims?: SandboxClaims;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** `Wed Feb 07 14:14:14 UTC 2024`: how the REST Cognito authorizer renders time claims. */
const cognitoDate = (epochSeconds: number): string => {
  const d = new Date(epochSeconds * 1000);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${time} UTC ${d.getUTCFullYear()}`;
};

const TIME_CLAIMS = new Set(['exp', 'iat', 'auth_time', 'nbf']);

/**
 * A REST API Cognito authorizer flattens every claim to a string: arrays comma-joined
 * (`cognito:groups: "admin,ops"`), times as dates. Reproducing that keeps a service that
 * assumes JSON types from passing here and failing in AWS.
 */
export const authorizerClaims = (claims: SandboxClaims): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) out[name] = value.map(String).join(',');
    else if (TIME_CLAIMS.has(name) && typeof value === 'number') out[name] = cognitoDate(value);
    else if (typeof value === 'object') out[name] = JSON.stringify(value);
    else out[name] = String(value);
  }
  return out;
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text bodies travel as strings; anything that is not valid UTF-8 as base64. */
const encodeBody = (body: Buffer): { body: string | null; isBase64Encoded: boolean } => {
  if (body.length === 0) return { body: null, isBase64Encoded: false };
  try {
    return { body: utf8.decode(body), isBase64Encoded: false };
  } catch {
    return { body: body.toString('base64'), isBase64Encoded: true };
  }
};

const traceId = (at: Date): string =>
  `Root=1-${Math.floor(at.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;

/**
 * Headers as API Gateway forwards them: the client's casing kept, a repeated header's last
 * value in `headers` and all of them in `multiValueHeaders`, plus the edge's X-Forwarded-*
 * and trace headers.
 */
const headersOf = (request: FrontRequest) => {
  let pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    pairs.push([request.rawHeaders[i] ?? '', request.rawHeaders[i + 1] ?? '']);
  }
  const named = (lower: string) => pairs.filter(([name]) => name.toLowerCase() === lower);
  // The edge appends the address it saw to whatever chain the client already sent.
  const chain = named('x-forwarded-for').map(([, value]) => value);
  pairs = pairs.filter(([name]) => name.toLowerCase() !== 'x-forwarded-for');
  pairs.push(['X-Forwarded-For', [...chain, request.sourceIp].join(', ')]);
  if (named('x-forwarded-proto').length === 0) pairs.push(['X-Forwarded-Proto', 'http']);
  if (named('x-forwarded-port').length === 0) {
    pairs.push(['X-Forwarded-Port', String(request.localPort)]);
  }
  if (named('x-amzn-trace-id').length === 0) {
    pairs.push(['X-Amzn-Trace-Id', traceId(request.receivedAt)]);
  }
  // Repeats of one header under different casings share the first casing seen.
  const casing = new Map<string, string>();
  const multi: Record<string, string[]> = {};
  for (const [name, value] of pairs) {
    const key = casing.get(name.toLowerCase()) ?? name;
    casing.set(name.toLowerCase(), key);
    multi[key] = [...(multi[key] ?? []), value];
  }
  const single: Record<string, string> = {};
  for (const [name, values] of Object.entries(multi)) single[name] = values.at(-1) ?? '';
  return { headers: single, multiValueHeaders: multi };
};

/** REST APIs send null, not `{}`, when there is no query string. */
const queryOf = (query: URLSearchParams) => {
  const multi: Record<string, string[]> = {};
  for (const [name, value] of query) multi[name] = [...(multi[name] ?? []), value];
  const names = Object.keys(multi);
  if (names.length === 0) {
    return { queryStringParameters: null, multiValueQueryStringParameters: null };
  }
  const single: Record<string, string> = {};
  for (const name of names) single[name] = multi[name]?.at(-1) ?? '';
  return { queryStringParameters: single, multiValueQueryStringParameters: multi };
};

/** Builds the REST API (payload format 1.0) proxy event for one request. */
export const buildProxyEvent = (request: FrontRequest): APIGatewayProxyEvent => {
  const environment = ENVIRONMENTS[request.env];
  const { headers, multiValueHeaders } = headersOf(request);
  const userAgent = request.rawHeaders.find(
    (_, i, all) => i % 2 === 1 && all[i - 1]?.toLowerCase() === 'user-agent',
  );
  const claims = request.claims ? authorizerClaims(request.claims) : undefined;
  return {
    resource: request.match.resource,
    path: request.path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    ...queryOf(request.query),
    pathParameters: request.match.pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: environment.account,
      apiId: `sandbox-${request.env}`,
      resourceId: request.match.resource,
      resourcePath: request.match.resource,
      stage: STAGE,
      requestId: request.requestId,
      extendedRequestId: request.requestId,
      requestTime: request.receivedAt.toISOString(),
      requestTimeEpoch: request.receivedAt.getTime(),
      httpMethod: request.method,
      path: request.path,
      protocol: 'HTTP/1.1',
      domainName: environment.apiDomain,
      domainPrefix: environment.apiDomain.split('.')[0] ?? environment.apiDomain,
      identity: {
        sourceIp: request.sourceIp,
        userAgent: userAgent ?? null,
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        user: null,
        userArn: null,
      },
      // Unauthenticated resources (health) carry no authorizer block at all.
      ...(claims ? { authorizer: { claims } } : {}),
    } as APIGatewayProxyEvent['requestContext'],
    ...encodeBody(request.body),
  };
};
