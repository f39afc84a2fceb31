import { afterEach, describe, expect, it, vi } from 'vitest';
import { responseTimeMs } from '../../service/router.js';

describe('responseTimeMs (what the Latency metric reports)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    ['no stamp → the handler time', undefined, 40, 40],
    ['a non-number stamp → the handler time', 'yesterday', 40, 40],
    ['stamp 3.5 s ago (slow start) → 3500', 3_500, 40, 3_500],
    ['stamp in the future (skew) → the handler time', -2_000, 40, 40],
    ['stamp an hour ago (implausible) → the handler time', 3_600_000, 40, 40],
  ])('%s', (_name, ageMs, handlerMs, expected) => {
    // Prepare
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-28T10:00:00Z'));
    const epoch = typeof ageMs === 'number' ? Date.now() - ageMs : ageMs;

    // Act
    const measured = responseTimeMs({ requestContext: { requestTimeEpoch: epoch } }, handlerMs);

    // Assess
    expect(measured).toBe(expected);
  });
});
