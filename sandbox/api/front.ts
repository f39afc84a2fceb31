import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EnvName } from '../../infra/environments.js';
import { type AccessLog, openAccessLog } from './access-log.js';
import { type ApiInvokeResult, type ApiInvoker, isThrottleError } from './invoker.js';
import type { SandboxClaims, TokenVerifier } from './jwt.js';
import { buildProxyEvent } from './proxy-event.js';
import {
  type FrontResponse,
  GATEWAY_RESPONSES,
  gatewayResponse,
  mapInvokeResult,
} from './proxy-result.js';
import { matchResource } from './resources.js';

/** API Gateway's payload limit: 10 MB. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
/** API Gateway's default (and maximum) REST integration timeout. */
export const INTEGRATION_TIMEOUT_MS = 29_000;
/** How long close() lets in-flight requests finish before cutting their connections. */
const CLOSE_GRACE_MS = 5_000;

export interface ApiFrontOptions {
  readonly env: EnvName;
  /** 0 picks a free port; read it back from {@link ApiFront.port}. */
  readonly port: number;
  readonly host?: string;
  /** The order function of `env` (the daemon: `order-handler-<env>:live`). */
  readonly invoke: ApiInvoker;
  /** The Cognito authorizer's stand-in; {@link loadSandboxKeys} returns one. */
  readonly keys: TokenVerifier;
  /** Access log (JSON lines), appended to; none when absent. */
  readonly logPath?: string;
  readonly integrationTimeoutMs?: number;
  /**
   * Whether the front's region is in an outage drill (sandbox/gateway/region-outage.ts):
   * every request is then answered 503 before anything else, as by an impaired region.
   */
  readonly regionDown?: () => boolean;
}

export interface ApiFront {
  readonly env: EnvName;
  readonly host: string;
  readonly port: number;
  /** `http://host:port`; the API lives under `${url}/v1.0/orders`. */
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish (briefly), flushes the access log. */
  close(): Promise<void>;
}

type BodyRead = { ok: true; body: Buffer } | { ok: false };

/**
 * Buffers the body up to the limit. Past it, the rest is drained rather than the socket cut,
 * so the client still reads the 413 instead of a reset mid-upload.
 */
const readBody = (req: IncomingMessage, limit: number): Promise<BodyRead> => {
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    req.resume();
    return Promise.resolve({ ok: false });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData);
      req.resume();
      resolve({ ok: false });
    };
    req.on('data', onData);
    req.on('end', () => resolve({ ok: true, body: Buffer.concat(chunks) }));
    req.on('error', reject);
  });
};

const bearerToken = (header: string | undefined): string | undefined =>
  /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];

const sourceIpOf = (req: IncomingMessage): string =>
  (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');

/** Runs the invoke against the integration timeout; a late answer is dropped, not awaited. */
const invokeWithTimeout = async (
  invoke: ApiInvoker,
  input: Parameters<ApiInvoker>[0],
  timeoutMs: number,
): Promise<ApiInvokeResult | 'timeout'> => {
  let timer: NodeJS.Timeout | undefined;
  const pending = invoke(input);
  pending.catch(() => undefined);
  try {
    return await Promise.race([
      pending,
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
};

const send = (
  res: ServerResponse,
  response: FrontResponse,
  requestId: string,
  version: string | undefined,
) => {
  const grouped = new Map<string, { name: string; values: string[] }>();
  const add = (name: string, value: string) => {
    const entry = grouped.get(name.toLowerCase()) ?? { name, values: [] };
    entry.values.push(value);
    grouped.set(name.toLowerCase(), entry);
  };
  for (const [name, value] of response.headers) {
    const lower = name.toLowerCase();
    if (lower !== 'x-amzn-requestid' && lower !== 'x-sandbox-executed-version') add(name, value);
  }
  add('x-amzn-RequestId', requestId);
  if (version !== undefined) add('x-sandbox-executed-version', version);
  add('content-length', String(response.body.length));
  for (const { name, values } of grouped.values()) {
    res.setHeader(name, values.length === 1 ? (values[0] ?? '') : values);
  }
  res.writeHead(response.status);
  res.end(response.body);
};

/**
 * The API Gateway stand-in for one environment: REST proxy integration to the order
 * function behind a Cognito-style JWT authorizer, with API Gateway's own error answers
 * (404 unknown path, 401 before the function is ever invoked, 413, 429 throttled, 502 on a
 * function error or malformed result, 504 on integration timeout).
 */
export const startApiFront = async (options: ApiFrontOptions): Promise<ApiFront> => {
  const { env, invoke, keys } = options;
  const host = options.host ?? '127.0.0.1';
  const timeoutMs = options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
  const log: AccessLog = await openAccessLog(options.logPath);

  const answer = async (
    req: IncomingMessage,
    url: URL,
    requestId: string,
    receivedAt: Date,
  ): Promise<{ response: FrontResponse; version?: string }> => {
    if (options.regionDown?.()) {
      req.resume();
      return { response: gatewayResponse(503, 'Service Unavailable', 'region_outage') };
    }
    const match = matchResource(url.pathname);
    if (!match) {
      req.resume();
      return { response: GATEWAY_RESPONSES.notFound() };
    }
    const read = await readBody(req, MAX_REQUEST_BYTES);
    if (!read.ok) return { response: GATEWAY_RESPONSES.tooLarge() };
    let claims: SandboxClaims | undefined;
    if (match.requiresAuth) {
      const token = bearerToken(req.headers.authorization);
      if (!token) return { response: GATEWAY_RESPONSES.unauthorized() };
      try {
        claims = await keys.verifyToken(env, token);
      } catch {
        return { response: GATEWAY_RESPONSES.unauthorized() };
      }
    }
    const event = buildProxyEvent({
      env,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      rawHeaders: req.rawHeaders,
      body: read.body,
      match,
      requestId,
      sourceIp: sourceIpOf(req),
      localPort: req.socket.localPort ?? options.port,
      receivedAt,
      ...(claims ? { claims } : {}),
    });
    const payload = Buffer.from(JSON.stringify(event));
    let result: ApiInvokeResult | 'timeout';
    try {
      result = await invokeWithTimeout(invoke, { env, payload }, timeoutMs);
    } catch (error) {
      const response = isThrottleError(error)
        ? GATEWAY_RESPONSES.throttled()
        : GATEWAY_RESPONSES.invokeFailed();
      return { response };
    }
    if (result === 'timeout') return { response: GATEWAY_RESPONSES.timedOut() };
    return { response: mapInvokeResult(result), version: result.executedVersion };
  };

  const server = createServer(async (req, res) => {
    const started = performance.now();
    const receivedAt = new Date();
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://front.invalid');
    let outcome: { response: FrontResponse; version?: string };
    try {
      outcome = await answer(req, url, requestId, receivedAt);
    } catch {
      outcome = { response: GATEWAY_RESPONSES.internal() };
    }
    const { response, version } = outcome;
    try {
      send(res, response, requestId, version);
    } catch {
      // Headers were validated already; this is the last line of defence, never a crash.
      try {
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        send(res, GATEWAY_RESPONSES.internal(), requestId, version);
      } catch {
        res.destroy();
      }
    }
    log.write({
      time: receivedAt.toISOString(),
      requestId,
      env,
      method: req.method ?? 'GET',
      path: url.pathname,
      status: response.status,
      latencyMs: Math.round((performance.now() - started) * 10) / 10,
      ...(version !== undefined ? { version } : {}),
      sourceIp: sourceIpOf(req),
      ...(response.gatewayError ? { gatewayError: response.gatewayError } : {}),
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;

  return {
    env,
    host,
    port,
    url: `http://${shownHost}:${port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      grace.unref();
      await closed;
      clearTimeout(grace);
      await log.close();
    },
  };
};
