import type { StateApi } from '../aws/state-api.js';
import { withTimeout } from '../steps/sleep.js';

/**
 * An operator's request to abort a running canary and roll it back, made from the live
 * view (`promote watch --allow-abort`, with its one-time token). It is an item in the
 * environment's state table rather than a signal to a process, because the run may be on
 * another machine (a CI runner) — the table is what both sides share. The run polls it
 * during the bake and, once it appears, stops the canary and rolls back as on a failed gate.
 */
export interface AbortRequest {
  readonly runId: string;
  /** Who asked (the watcher's actor: never an email or a secret). */
  readonly by: string;
  readonly via: 'promote watch';
  readonly at: string;
  readonly reason: string;
}

const PK = 'abort';

const keyOf = (runId: string) => ({ pk: PK, sk: runId }) as const;

/**
 * Records the request; the first one wins (a second click, a second tab). Resolves false
 * when one was already recorded for that run.
 */
export const requestAbort = async (
  state: Pick<StateApi, 'put'>,
  request: AbortRequest,
): Promise<boolean> =>
  state.put({ ...keyOf(request.runId), ...request }, { expression: 'attribute_not_exists(pk)' });

/** The request recorded for `runId`, if any. */
export const readAbortRequest = async (
  state: Pick<StateApi, 'get'>,
  runId: string,
): Promise<AbortRequest | undefined> => {
  const item = await state.get(PK, runId);
  if (!item) return undefined;
  return {
    runId,
    by: String(item.by ?? 'unknown'),
    via: 'promote watch',
    at: String(item.at ?? ''),
    reason: String(item.reason ?? ''),
  };
};

/**
 * Polls for an abort request of one run every `intervalMs` until stopped; `signal` aborts
 * when one is found (so a bake's sleep wakes at once) and `request` holds it. A failed read
 * is skipped — the next poll retries — because an unreadable table must not stop a canary
 * that the heartbeat and the gates still guard.
 */
export class AbortRequestWatch {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  request: AbortRequest | undefined;

  constructor(
    private readonly state: Pick<StateApi, 'get'>,
    private readonly runId: string,
    private readonly intervalMs = 2_000,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Starts polling (the first read at once). */
  start(): this {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  /** Reads once now; also what the bake calls between weights. */
  async poll(): Promise<AbortRequest | undefined> {
    if (this.request || this.polling) return this.request;
    this.polling = true;
    try {
      // Bounded: a hung read must not hold up the bake that awaits it between weights.
      const found = await withTimeout(
        readAbortRequest(this.state, this.runId),
        Math.max(this.intervalMs, 5_000),
        'abort request read',
      );
      if (found && !this.request) {
        this.request = found;
        this.stop();
        this.controller.abort();
      }
    } catch {
      // Next poll.
    } finally {
      this.polling = false;
    }
    return this.request;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
