import type { SandboxResponse } from '../gateway/types.js';
import type { CloudWatchError } from './cloudwatch-error.js';

/**
 * Both wire encodings of CloudWatch. Operations take plain input objects and return plain
 * output objects in the API's own member names, with `Date` for timestamps and `Map` for
 * map shapes; this module turns a form body into such an input and such an output into a
 * JSON 1.0 or an awsQuery XML response.
 */

export const XMLNS = 'http://monitoring.amazonaws.com/doc/2010-08-01/';

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);

type Path = Array<string | number>;

const setPath = (root: Record<string, unknown>, path: Path, value: string): void => {
  let node: Record<string | number, unknown> = root;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    const next = path[i + 1];
    const child = node[key];
    if (child === undefined || typeof child !== 'object') {
      node[key] = typeof next === 'number' ? [] : {};
    }
    node = node[key] as Record<string | number, unknown>;
  });
};

/** Sparse arrays (member.1, member.3) become dense, in index order. */
const compact = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.filter(() => true).map(compact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compact(v)]));
  }
  return value;
};

/**
 * An awsQuery form (`MetricData.member.1.Dimensions.member.2.Name=…`) as a nested input
 * object; leaves stay strings, which the input schemas coerce. `Action`/`Version` are left out.
 */
export const decodeQueryForm = (params: URLSearchParams): Record<string, unknown> => {
  const root: Record<string, unknown> = {};
  for (const [key, value] of params) {
    if (key === 'Action' || key === 'Version') continue;
    const segments = key.split('.');
    const path: Path = [];
    for (let i = 0; i < segments.length; i += 1) {
      const segment = segments[i] as string;
      const index = segments[i + 1];
      if (segment === 'member' && index !== undefined && /^\d+$/.test(index) && path.length > 0) {
        path.push(Number(index) - 1);
        i += 1;
      } else {
        path.push(segment);
      }
    }
    setPath(root, path, value);
  }
  return compact(root) as Record<string, unknown>;
};

/** Output → JSON-ready data: Dates as epoch seconds, Maps as objects, undefined dropped. */
const toJsonValue = (value: unknown): unknown => {
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof Map) {
    return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonValue(v)]));
  }
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toJsonValue(v)]),
    );
  }
  return value;
};

const toXml = (value: unknown): string => {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Map) {
    return [...value]
      .map(
        ([k, v]) => `<entry><key>${escapeXml(String(k))}</key><value>${toXml(v)}</value></entry>`,
      )
      .join('');
  }
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (value && typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  }
  return escapeXml(String(value));
};

/** A JSON 1.0 success response. */
export const jsonResponse = (output: unknown, requestId: string): SandboxResponse => ({
  status: 200,
  headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId },
  body: JSON.stringify(toJsonValue(output ?? {})),
});

/** A JSON 1.0 error, with the awsQuery code in `x-amzn-query-error` for query-compatible clients. */
export const jsonError = (error: CloudWatchError, requestId: string): SandboxResponse => ({
  status: error.status,
  headers: {
    'content-type': 'application/x-amz-json-1.0',
    'x-amzn-requestid': requestId,
    'x-amzn-query-error': `${error.code};${error.status >= 500 ? 'Receiver' : 'Sender'}`,
  },
  body: JSON.stringify({ __type: error.type, message: error.message }),
});

/** An awsQuery success response; operations without output have no `<…Result>`. */
export const xmlResponse = (
  action: string,
  output: unknown,
  requestId: string,
): SandboxResponse => ({
  status: 200,
  headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
  body:
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${XMLNS}">` +
    (output === undefined ? '' : `<${action}Result>${toXml(output)}</${action}Result>`) +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
});

/** An awsQuery `<ErrorResponse>`. */
export const xmlError = (error: CloudWatchError, requestId: string): SandboxResponse => ({
  status: error.status,
  headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
  body:
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${XMLNS}"><Error>` +
    `<Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
});
