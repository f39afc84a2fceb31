import { PromoteError } from '../errors.js';

/**
 * The smoke suite's HTTP caller: one request at a time against the API, a bearer token per
 * call (user, admin or none), a timeout covering headers and body, JSON parsed when it is
 * JSON. Transport failures become check failures that name the cause, never the token.
 */

/** Per-request timeout unless told: well under API Gateway's 29 s, far over a healthy call. */
export const DEFAULT_SMOKE_TIMEOUT_MS = 10_000;

/** A check that did not hold; `status` is the HTTP status when there was one. */
export class SmokeCheckFailed extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

export type Caller = (
  method: string,
  path: string,
  options?: { auth?: 'user' | 'admin' | 'none'; body?: unknown },
) => Promise<Answer>;

/** Turns a fetch rejection into a reason that names the cause, not the request. */
export const transportReason = (error: unknown, timeoutMs: number): string => {
  const e = error as { name?: string; message?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return `no answer within ${timeoutMs} ms`;
  }
  return `request failed: ${e?.cause?.code ?? e?.message ?? String(error)}`;
};

export const normaliseBaseUrl = (raw: string): string => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PromoteError('usage', 'SMOKE_BAD_URL', `not a URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PromoteError('usage', 'SMOKE_BAD_URL', `smoke needs an http(s) URL, got ${raw}`);
  }
  // Userinfo and query are dropped: they are not part of the API and could hold secrets.
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
};

/** A {@link Caller} bound to one API and its tokens. */
export const httpCaller = (options: {
  baseUrl: string;
  token: string;
  adminToken?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): Caller => {
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_SMOKE_TIMEOUT_MS;
  return async (method, path, { auth = 'user', body } = {}) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (auth !== 'none') {
      const token = auth === 'admin' ? (options.adminToken ?? options.token) : options.token;
      headers.authorization = `Bearer ${token}`;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    let status: number;
    let text: string;
    try {
      // One signal covers the headers and the body: a trickling answer times out too.
      const res = await doFetch(`${options.baseUrl}${path}`, {
        method,
        headers,
        signal: AbortSignal.timeout(timeoutMs),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      status = res.status;
      text = await res.text();
    } catch (error) {
      throw new SmokeCheckFailed(`${method} ${path}: ${transportReason(error, timeoutMs)}`);
    }
    if (text === '') return { status, body: undefined };
    try {
      return { status, body: JSON.parse(text) as unknown };
    } catch {
      return { status, body: text };
    }
  };
};
