import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * One line per request, like API Gateway's access logging: enough to correlate with the
 * function's own log (request id, executed version) and to read latency, and deliberately
 * nothing a caller sent — no headers, no query string, no body — so tokens and customer
 * data never land in the sandbox's log directory.
 */
export interface AccessLogEntry {
  readonly time: string;
  readonly requestId: string;
  readonly env: string;
  readonly method: string;
  /** Path only; the query string may carry page tokens or customer ids. */
  readonly path: string;
  readonly status: number;
  readonly latencyMs: number;
  /** The Lambda version that answered; absent when the function was never reached. */
  readonly version?: string;
  readonly sourceIp: string;
  /** Why the gateway answered itself (`unauthorized`, `function_error`…). */
  readonly gatewayError?: string;
}

export interface AccessLog {
  write(entry: AccessLogEntry): void;
  /** Flushes and closes; later writes are dropped. */
  close(): Promise<void>;
}

const DISCARD: AccessLog = { write: () => undefined, close: async () => undefined };

/**
 * Opens `path` for appending (creating its directory), or a log that discards when no path
 * is given. A stream rather than one appendFile per line keeps lines in request order.
 */
export const openAccessLog = async (path: string | undefined): Promise<AccessLog> => {
  if (!path) return DISCARD;
  await mkdir(dirname(path), { recursive: true });
  const stream = createWriteStream(path, { flags: 'a' });
  let failed = false;
  // A full disk must not take the API down with it; the log is evidence, not a dependency.
  stream.on('error', () => {
    failed = true;
  });
  let closed = false;
  return {
    write(entry) {
      if (closed || failed) return;
      stream.write(`${JSON.stringify(entry)}\n`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        stream.end(() => resolve());
        if (failed) resolve();
      }),
  };
};
