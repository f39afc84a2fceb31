import { validateHeaderName, validateHeaderValue } from 'node:http';
import { z } from 'zod';
import { type ApiInvokeResult, THROTTLED_STATUS } from './invoker.js';

/** An HTTP answer ready to write: header pairs (repeats allowed) and the body bytes. */
export interface FrontResponse {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
  /**
   * Why the gateway answered itself, for the access log (`function_error`,
   * `malformed_response`, `throttled`…); absent when the function's answer went through.
   */
  readonly gatewayError?: string;
}

/** API Gateway's own error answers: a JSON body with just `message`. */
export const gatewayResponse = (
  status: number,
  message: string,
  reason: string,
): FrontResponse => ({
  status,
  headers: [['content-type', 'application/json']],
  body: Buffer.from(JSON.stringify({ message })),
  gatewayError: reason,
});

export const GATEWAY_RESPONSES = {
  notFound: () => gatewayResponse(404, 'Not Found', 'not_found'),
  unauthorized: () => gatewayResponse(401, 'Unauthorized', 'unauthorized'),
  tooLarge: () => gatewayResponse(413, 'Request Too Long', 'body_too_large'),
  throttled: () => gatewayResponse(429, 'Too Many Requests', 'throttled'),
  functionError: () => gatewayResponse(502, 'Internal server error', 'function_error'),
  malformed: () => gatewayResponse(502, 'Internal server error', 'malformed_response'),
  invokeFailed: () => gatewayResponse(502, 'Internal server error', 'invoke_failed'),
  timedOut: () => gatewayResponse(504, 'Endpoint request timed out', 'integration_timeout'),
  internal: () => gatewayResponse(500, 'Internal server error', 'front_error'),
} as const;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** The proxy result contract; anything else is API Gateway's "Malformed Lambda proxy response". */
const proxyResultSchema = z.looseObject({
  statusCode: z
    .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
    .pipe(z.number().int().min(100).max(599)),
  headers: z.record(z.string(), scalar).nullish(),
  multiValueHeaders: z.record(z.string(), z.array(scalar)).nullish(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().nullish(),
});

/** Framing headers are the front's to set; letting the function set them would corrupt the stream. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

/**
 * Merges `headers` and `multiValueHeaders` as API Gateway documents: both contribute, and
 * for a name present in both only the multi-value entries survive.
 */
const mergeHeaders = (result: z.output<typeof proxyResultSchema>): Array<[string, string]> => {
  const pairs: Array<[string, string]> = [];
  const multi = new Set<string>();
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    multi.add(name.toLowerCase());
    for (const value of values) pairs.push([name, String(value)]);
  }
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    if (!multi.has(name.toLowerCase())) pairs.push([name, String(value)]);
  }
  return pairs.filter(([name]) => !FRAMING.has(name.toLowerCase()));
};

/** False when Node would refuse to write the header (bad name, CR/LF in the value…). */
const writable = ([name, value]: readonly [string, string]): boolean => {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
};

const parseJson = (payload: Buffer): unknown => {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
};

/**
 * Turns what the invoke returned into the HTTP answer, the way a REST proxy integration
 * does: throttling → 429, a function error or a result outside the contract → 502, else the
 * function's status, headers and body (base64-decoded when it says so).
 */
export const mapInvokeResult = (result: ApiInvokeResult): FrontResponse => {
  if (result.statusCode === THROTTLED_STATUS) return GATEWAY_RESPONSES.throttled();
  if (result.statusCode < 200 || result.statusCode > 299) return GATEWAY_RESPONSES.invokeFailed();
  if (result.functionError) return GATEWAY_RESPONSES.functionError();
  const parsed = proxyResultSchema.safeParse(parseJson(result.payload));
  if (!parsed.success) return GATEWAY_RESPONSES.malformed();
  const headers = mergeHeaders(parsed.data);
  if (!headers.every(writable)) return GATEWAY_RESPONSES.malformed();
  if (!headers.some(([name]) => name.toLowerCase() === 'content-type')) {
    // API Gateway's default for a proxy answer that names no type.
    headers.push(['content-type', 'application/json']);
  }
  const text = parsed.data.body ?? '';
  const body = parsed.data.isBase64Encoded
    ? Buffer.from(text, 'base64')
    : Buffer.from(text, 'utf8');
  return { status: parsed.data.statusCode, headers, body };
};
