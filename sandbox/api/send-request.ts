import type { PlannedRequest } from './traffic-model.js';

/**
 * One planned request over real HTTP, shared by the traffic generator and the load runner:
 * the answer with its latency, or why there was none. A timeout is told apart from a
 * network failure and from the caller's own abort, because a load report counts them
 * differently (the first two are the service's errors, the last is not).
 */
export type SendOutcome =
  | { readonly kind: 'answer'; readonly status: number; readonly body: string; readonly ms: number }
  | { readonly kind: 'timeout' | 'network' | 'aborted'; readonly ms: number };

export interface SendOptions {
  /** Root of the API, without a trailing slash. */
  readonly root: string;
  readonly timeoutMs: number;
  /** The caller's stop (Ctrl-C): requests cut by it are `aborted`. */
  readonly signal?: AbortSignal;
}

/**
 * Sends `planned`, reads the whole body (latency includes it, as a client sees it) and
 * calls `planned.settle` exactly once — with the status and body, or with undefined.
 */
export const sendRequest = async (
  planned: PlannedRequest,
  options: SendOptions,
): Promise<SendOutcome> => {
  const { signal } = options;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const started = performance.now();
  try {
    const response = await fetch(`${options.root}${planned.path}`, {
      method: planned.method,
      headers: { ...planned.headers, authorization: `Bearer ${planned.token}` },
      ...(planned.body !== undefined ? { body: planned.body } : {}),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const body = await response.text();
    const ms = performance.now() - started;
    planned.settle(response.status, body);
    return { kind: 'answer', status: response.status, body, ms };
  } catch {
    const ms = performance.now() - started;
    planned.settle(undefined, '');
    if (signal?.aborted) return { kind: 'aborted', ms };
    return { kind: timeout.aborted ? 'timeout' : 'network', ms };
  }
};
