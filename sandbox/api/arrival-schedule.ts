/**
 * When each request of an open-model load starts: at a fixed schedule whatever the answers
 * do, so a slow service cannot lower the offered load and hide its latency.
 *
 * With a ramp, the rate rises linearly from 0 to `rate` over `rampMs` and then holds (k6's
 * ramping-arrival-rate): a JVM, a JIT and a function's instances warm up as they would under
 * a real traffic shift instead of meeting the full rate cold. The schedule is still fixed in
 * advance — the ramp does not wait for anything.
 */
export interface ArrivalSchedule {
  /** Requests the whole schedule starts. */
  readonly slots: number;
  /** Requests due by `elapsedMs` (0…slots). */
  dueBy(elapsedMs: number): number;
  /** When request `i` (0-based) is due, in ms from the start. */
  startOf(i: number): number;
  /** Requests due by the end of the ramp (0 without one). */
  readonly rampSlots: number;
}

export const arrivalSchedule = (options: {
  /** Requests per second once the ramp is over. */
  readonly rate: number;
  readonly durationMs: number;
  readonly rampMs?: number;
}): ArrivalSchedule => {
  const { rate, durationMs } = options;
  // A ramp longer than the run keeps its slope; the run ends part-way up it.
  const rampMs = Math.max(0, options.rampMs ?? 0);
  const perMs = rate / 1000;
  // Requests started by t: the area under the rate curve (a triangle during the ramp).
  const cumulative = (t: number): number => {
    const at = Math.min(Math.max(0, t), durationMs);
    if (rampMs === 0 || at >= rampMs) return perMs * (at - rampMs / 2);
    return (perMs * at * at) / (2 * rampMs);
  };
  const rampSlots = rampMs > 0 ? Math.floor(cumulative(Math.min(rampMs, durationMs)) + 1e-9) : 0;
  const slots = Math.ceil(cumulative(durationMs) - 1e-9);
  return {
    slots,
    rampSlots,
    // Slot i is due once i requests' worth of schedule has passed (slot 0 at once).
    dueBy: (elapsedMs) => Math.min(slots, Math.floor(cumulative(elapsedMs) + 1e-9) + 1),
    startOf: (i) => {
      if (rampMs > 0 && i < perMs * (rampMs / 2)) return Math.sqrt((2 * rampMs * i) / perMs);
      return i / perMs + rampMs / 2;
    },
  };
};
