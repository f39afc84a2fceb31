import { setTimeout as delay } from 'node:timers/promises';

/**
 * How a poll loop waits and tells time. Injected everywhere we poll GitHub so tests run the
 * loops instantly (a fake `sleep` that advances a fake `now`) and every wait stays bounded.
 */
export interface PollClock {
  /** Waits `ms` milliseconds. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

/** The real clock: node's timer and `Date.now`. */
export const REAL_CLOCK: PollClock = { sleep: (ms) => delay(ms), now: () => Date.now() };
