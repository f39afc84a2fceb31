import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrivalSchedule } from '../../sandbox/api/arrival-schedule.js';

describe('arrivalSchedule', () => {
  it.each([
    // rate, duration, ramp → slots, due at t, expected due
    { rate: 10, durationMs: 1_000, rampMs: 0, slots: 10, at: 0, due: 1 },
    { rate: 10, durationMs: 1_000, rampMs: 0, slots: 10, at: 450, due: 5 },
    { rate: 10, durationMs: 1_000, rampMs: 0, slots: 10, at: 5_000, due: 10 },
    // 100 req/s, a 10 s ramp inside 20 s: 500 during the ramp (the triangle) + 1000 after.
    { rate: 100, durationMs: 20_000, rampMs: 10_000, slots: 1_500, at: 5_000, due: 126 },
    { rate: 100, durationMs: 20_000, rampMs: 10_000, slots: 1_500, at: 10_000, due: 501 },
    { rate: 100, durationMs: 20_000, rampMs: 10_000, slots: 1_500, at: 15_000, due: 1_001 },
    // A ramp longer than the run is cut at the run's end.
    { rate: 100, durationMs: 10_000, rampMs: 40_000, slots: 125, at: 10_000, due: 125 },
  ])('$rate/s for $durationMs ms, ramp $rampMs ms: $due due by $at ms', (row) => {
    // Prepare
    const schedule = arrivalSchedule(row);

    // Act
    const due = schedule.dueBy(row.at);

    // Assess
    expect(schedule.slots).toBe(row.slots);
    expect(due).toBe(row.due);
  });

  it('counts the requests of the ramp', () => {
    // Prepare / Act
    const ramped = arrivalSchedule({ rate: 100, durationMs: 20_000, rampMs: 10_000 });
    const flat = arrivalSchedule({ rate: 100, durationMs: 20_000 });

    // Assess
    expect(ramped.rampSlots).toBe(500);
    expect(flat.rampSlots).toBe(0);
  });

  it('starts every slot no earlier than it is due, in order, within the run', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 500, noNaN: true }),
        fc.integer({ min: 100, max: 120_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        (rate, durationMs, rampMs) => {
          // Prepare
          const schedule = arrivalSchedule({ rate, durationMs, rampMs });
          let previous = -1;
          for (let i = 0; i < schedule.slots; i += Math.max(1, Math.floor(schedule.slots / 50))) {
            // Act
            const at = schedule.startOf(i);

            // Assess: slot i is due at its start (and not before), starts grow, none late.
            expect(at).toBeGreaterThan(previous);
            expect(at).toBeLessThanOrEqual(durationMs + 1e-6);
            expect(schedule.dueBy(at + 1e-6)).toBeGreaterThan(i);
            if (at > 1) expect(schedule.dueBy(at - 1)).toBeLessThanOrEqual(i + 1);
            previous = at;
          }
        },
      ),
    );
  });
});
