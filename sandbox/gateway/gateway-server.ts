import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { CredentialRegistry } from '../sts/credential-registry.js';
import { xmlError } from './query-protocol.js';
import { credentialScope } from './sigv4.js';
import type { SandboxRequest, SandboxResponse, ServiceHandler } from './types.js';

/** Request bodies above this are refused (Lambda zips are the largest legitimate ones). */
const MAX_BODY = 80 * 1024 * 1024;

/** Services whose clients speak awsQuery and expect XML errors. */
const QUERY_SERVICES = new Set(['sts', 'iam', 'sns']);

/** An error in the shape the calling client can parse. */
export const protocolError = (
  service: string,
  headers: Readonly<Record<string, string>>,
  status: number,
  code: string,
  message: string,
): SandboxResponse => {
  const form = (headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  if (QUERY_SERVICES.has(service) || (form && !headers['x-amz-target'])) {
    return xmlError(status, code, message, `https://${service}.amazonaws.com/doc/`);
  }
  return {
    status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-errortype': code,
      'x-amzn-query-error': `${code};Sender`,
    },
    body: JSON.stringify({ __type: code, message, Message: message }),
  };
};

/** What is known of a signed request before its caller is resolved. */
export interface SignedScope {
  readonly service: string;
  readonly region: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface GatewayOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: CredentialRegistry;
  /** Per signing name; anything not listed goes to `fallback` (moto). */
  readonly handlers: Readonly<Record<string, ServiceHandler>>;
  readonly fallback: ServiceHandler;
  /**
   * IAM at the front door (sandbox/iam/): `authorize` answers a denied request in its
   * protocol's shape, or undefined to let it through; `observe` sees every answer (IAM
   * changes drop cached policies).
   */
  readonly authorizer?: {
    authorize(request: SandboxRequest): Promise<SandboxResponse | undefined>;
    observe?(request: SandboxRequest, response: SandboxResponse): void;
  };
  /**
   * A region in an outage drill (sandbox/gateway/region-outage.ts): the answer for a request
   * signed for a down region, or undefined to serve it. Checked before credentials and IAM:
   * a regional front door that is down answers nothing else.
   */
  readonly unavailable?: (request: SignedScope) => SandboxResponse | undefined;
  /** Unsigned sandbox control API under `/_sandbox/` (status, faults, tokens…). */
  readonly control?: (request: IncomingMessage, body: Buffer) => Promise<SandboxResponse>;
  readonly onError?: (error: unknown, request: { service: string; path: string }) => void;
}

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const send = (res: ServerResponse, response: SandboxResponse) => {
  const body =
    response.body === undefined
      ? Buffer.alloc(0)
      : Buffer.isBuffer(response.body)
        ? response.body
        : Buffer.from(response.body);
  res.writeHead(response.status, { ...response.headers, 'content-length': String(body.length) });
  res.end(body);
};

/**
 * The single endpoint (default :4566). Routes by the SigV4 signing name, like AWS's own
 * front door, after resolving which account the access key belongs to.
 */
export const startGateway = (options: GatewayOptions): Promise<Server> => {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    let service = 'unknown';
    try {
      const body = await readBody(req);
      if (url.pathname.startsWith('/_sandbox/')) {
        if (!options.control) return send(res, { status: 404 });
        return send(res, await options.control(req, body));
      }
      const scope = credentialScope(headers, url.searchParams);
      if (!scope) {
        return send(
          res,
          protocolError(
            'unknown',
            headers,
            403,
            'MissingAuthenticationTokenException',
            'Missing Authentication Token',
          ),
        );
      }
      service = scope.service;
      const down = options.unavailable?.({ service, region: scope.region, headers });
      if (down) return send(res, down);
      const identity = options.registry.resolve(scope.accessKeyId);
      if (!identity) {
        const code =
          service === 'dynamodb' ? 'UnrecognizedClientException' : 'InvalidClientTokenId';
        return send(
          res,
          protocolError(
            service,
            headers,
            403,
            code,
            'The security token included in the request is invalid.',
          ),
        );
      }
      const request: SandboxRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers,
        body,
        service,
        region: scope.region,
        identity,
      };
      const denied = await options.authorizer?.authorize(request);
      if (denied) return send(res, denied);
      const handler = options.handlers[service] ?? options.fallback;
      const response = await handler(request);
      options.authorizer?.observe?.(request, response);
      send(res, response);
    } catch (error) {
      options.onError?.(error, { service, path: url.pathname });
      if (!res.headersSent) {
        send(
          res,
          protocolError(
            service,
            headers,
            500,
            'InternalFailure',
            'sandbox internal error; see promote sandbox logs',
          ),
        );
      }
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve(server));
  });
};
