import { xmlError } from '../gateway/query-protocol.js';
import type { SandboxRequest, SandboxResponse } from '../gateway/types.js';

/**
 * moto builds URLs from the address it was called on — its own loopback port, e.g. SQS's
 * `http://127.0.0.1:<moto port>/<account>/<queue>`. A client given such a URL (SDK v3 sends
 * later SQS calls to the queue URL's host when no endpoint is set in code) would go around
 * the gateway, its account mapping and its credentials. These helpers put the gateway's
 * address in moto's place, and keep a queue URL of one account from reaching another's.
 */

const escapeRegExp = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Matches moto's origin (as `127.0.0.1:<port>` or `localhost:<port>`), port not a prefix. */
export const motoOriginPattern = (motoEndpoint: string): RegExp => {
  const { hostname, port } = new URL(motoEndpoint);
  const hosts = new Set([hostname, '127.0.0.1', 'localhost']);
  const alternatives = [...hosts].map(escapeRegExp).join('|');
  return new RegExp(`https?://(?:${alternatives}):${escapeRegExp(port)}(?!\\d)`, 'g');
};

/** Bodies that are documents (JSON, XML, text), not user bytes such as S3 objects. */
const TEXTUAL = /json|xml|text|x-www-form-urlencoded/i;

/**
 * Rewrites moto's origin to `publicOrigin` in the response's headers (S3 `Location`, …) and,
 * except for S3 (whose bodies are objects: user data), in textual bodies — SQS queue URLs in
 * JSON (SDK v3, AWS JSON 1.0) and XML (the aws CLI's query protocol), Lambda environment
 * variables holding a queue URL, anything else that embeds it.
 */
export const rewriteMotoOrigin = (
  response: SandboxResponse,
  pattern: RegExp,
  publicOrigin: string,
  service: string,
): SandboxResponse => {
  let changed = false;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    const next = value.replace(pattern, publicOrigin);
    changed ||= next !== value;
    headers[name] = next;
  }
  let body = response.body;
  const contentType = response.headers?.['content-type'] ?? '';
  if (body !== undefined && service !== 's3' && (contentType === '' || TEXTUAL.test(contentType))) {
    const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
    const next = text.replace(pattern, publicOrigin);
    if (next !== text) {
      changed = true;
      body = Buffer.from(next, 'utf8');
    }
  }
  return changed ? { ...response, headers, ...(body !== undefined ? { body } : {}) } : response;
};

/**
 * Queue URLs the sandbox handed out in an earlier life: the loopback origin of a moto or a
 * gateway that no longer listens there (moto's port changes on every start). Only URLs of
 * the queue shape `<origin>/<12-digit account>/…` are matched.
 */
const LOOPBACK_QUEUE_ORIGIN = /https?:\/\/(?:127\.0\.0\.1|localhost):\d+(?=\/\d{12}\/)/g;

/** For the journal's replay: stored queue URLs (e.g. a function's DLQ_URL) → the gateway. */
export const rewriteStoredQueueUrls = (body: Buffer, publicOrigin: string): Buffer => {
  const text = body.toString('utf8');
  if (!text.includes('://')) return body;
  const next = text.replace(LOOPBACK_QUEUE_ORIGIN, publicOrigin);
  return next === text ? body : Buffer.from(next, 'utf8');
};

const QUEUE_PATH = /^\/(\d{12})\/[^/]+\/?$/;

/** The account a queue URL names, if the value is a URL of the `/<account>/<queue>` shape. */
const accountOfQueueUrl = (value: unknown): string | undefined => {
  if (typeof value !== 'string' || !/^https?:\/\//.test(value)) return undefined;
  try {
    return QUEUE_PATH.exec(new URL(value).pathname)?.[1];
  } catch {
    return undefined;
  }
};

/** Every account an SQS request addresses by queue URL: in the path, or as `QueueUrl`. */
export const queueAccountsOf = (request: SandboxRequest): string[] => {
  const accounts: string[] = [];
  const inPath = QUEUE_PATH.exec(request.path)?.[1];
  if (inPath) accounts.push(inPath);
  let queueUrl: unknown;
  if (request.headers['x-amz-target']) {
    try {
      queueUrl = (JSON.parse(request.body.toString('utf8') || '{}') as { QueueUrl?: unknown })
        .QueueUrl;
    } catch {
      queueUrl = undefined;
    }
  } else {
    const form = (request.headers['content-type'] ?? '').startsWith(
      'application/x-www-form-urlencoded',
    )
      ? new URLSearchParams(request.body.toString('utf8'))
      : new URLSearchParams();
    queueUrl = form.get('QueueUrl') ?? request.query.get('QueueUrl') ?? undefined;
  }
  const inParam = accountOfQueueUrl(queueUrl);
  if (inParam) accounts.push(inParam);
  return accounts;
};

const NO_QUEUE = 'The specified queue does not exist or you do not have access to it.';

/**
 * What SQS answers when a queue URL names another account the caller has no access to:
 * `QueueDoesNotExist` (AWS JSON 1.0, with the query-compatible code) or
 * `AWS.SimpleQueueService.NonExistentQueue` (query/XML).
 */
export const nonExistentQueue = (request: SandboxRequest): SandboxResponse => {
  if (request.headers['x-amz-target']) {
    return {
      status: 400,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender',
      },
      body: JSON.stringify({
        __type: 'com.amazonaws.sqs#QueueDoesNotExist',
        message: NO_QUEUE,
      }),
    };
  }
  return xmlError(
    400,
    'AWS.SimpleQueueService.NonExistentQueue',
    NO_QUEUE,
    'http://queue.amazonaws.com/doc/2012-11-05/',
  );
};
