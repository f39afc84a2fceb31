import { setTimeout as delay } from 'node:timers/promises';
import type { ArrivalSchedule } from './arrival-schedule.js';

/**
 * The open arrival loop shared by the traffic generator (`promote sandbox traffic`) and the
 * load runner (`promote load`): it starts every slot of a schedule when it falls due and
 * never waits for an answer, so a slow service cannot lower the offered load. Whether a
 * slot is sent or dropped (an in-flight cap) is the caller's business, in `fire`.
 */
export interface OpenLoopOptions {
  readonly schedule: ArrivalSchedule;
  /** Starts arrival `slot` (0-based). Must not block: it starts work and returns. */
  readonly fire: (slot: number) => void;
  /** Ends the loop early; the slots not yet due are never started. */
  readonly signal?: AbortSignal;
  /** Called after each scheduling step (not after the last), e.g. for progress lines. */
  readonly onTick?: (elapsedMs: number) => void;
}

export interface OpenLoopResult {
  /** Slots started (all of them unless aborted). */
  readonly issued: number;
  /** From the first slot to the end of scheduling (not to the last answer). */
  readonly elapsedMs: number;
}

/**
 * Runs the schedule to its end or until `signal` aborts. Slots that fell due while the
 * event loop was busy are started at once (catching up), so a busy loop does not quietly
 * lower the offered load.
 *
 * @example
 * await runOpenLoop({ schedule: arrivalSchedule({ rate: 50, durationMs: 10_000 }),
 *   fire: () => void send() });
 */
export const runOpenLoop = async (options: OpenLoopOptions): Promise<OpenLoopResult> => {
  const { schedule, signal } = options;
  const start = performance.now();
  let issued = 0;
  while (issued < schedule.slots && !signal?.aborted) {
    const due = schedule.dueBy(performance.now() - start);
    for (; issued < due; issued += 1) options.fire(issued);
    if (issued >= schedule.slots) break;
    options.onTick?.(performance.now() - start);
    // An abort ends the wait early; the loop condition then stops the schedule.
    await delay(
      Math.max(0, schedule.startOf(issued) - (performance.now() - start)),
      undefined,
      signal ? { signal } : {},
    ).catch(() => undefined);
  }
  return { issued, elapsedMs: performance.now() - start };
};
