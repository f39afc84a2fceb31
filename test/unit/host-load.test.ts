import { describe, expect, it } from 'vitest';
import { isSaturated, SATURATION_LIMITS } from '../../sandbox/cloudwatch/host-load.js';

describe('sandbox saturation (pure)', () => {
  it.each([
    [50, 20, false],
    [SATURATION_LIMITS.cpuPercent - 0.1, SATURATION_LIMITS.eventLoopP99Ms - 1, false],
    [SATURATION_LIMITS.cpuPercent, 10, true],
    [30, SATURATION_LIMITS.eventLoopP99Ms, true],
    [99, 900, true],
  ])('CPU %s%% and event-loop p99 %s ms → saturated %s', (cpu, loop, expected) => {
    expect(isSaturated(cpu, loop)).toBe(expected);
  });
});
