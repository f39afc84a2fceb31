import { Agent, request as httpRequest } from 'node:http';
import type { SandboxResponse } from './types.js';

/** Headers a proxy must not pass through (hop-by-hop, or recomputed by node). */
const DROP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

/**
 * Connections to the engines are kept alive: a new TCP connection per call costs the
 * engines (Jetty, werkzeug) more than the call itself under load.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** Sends a request to a child engine (moto, DynamoDB Local) and buffers the answer. */
export const forwardHttp = (
  target: string,
  method: string,
  pathAndQuery: string,
  headers: Readonly<Record<string, string>>,
  body: Buffer,
): Promise<SandboxResponse> =>
  new Promise((resolve, reject) => {
    const url = new URL(pathAndQuery, target);
    const outHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (!DROP.has(name)) outHeaders[name] = value;
    }
    outHeaders['content-length'] = String(body.length);
    const req = httpRequest(url, { method, headers: outHeaders, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const responseHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined && !DROP.has(name)) {
            responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
          }
        }
        resolve({
          status: res.statusCode ?? 502,
          headers: responseHeaders,
          body: Buffer.concat(chunks),
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });

/** Rebuilds `path?query` from a parsed request. */
export const pathWithQuery = (path: string, query: URLSearchParams): string => {
  const qs = query.toString();
  return qs ? `${path}?${qs}` : path;
};
