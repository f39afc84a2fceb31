import { describe, expect, it } from 'vitest';
import { estimateCanarySample } from '../../cli/canary/sample-estimate.js';
import { PROD_CANARY, scaleCanary } from '../../cli/plans/canary-spec.js';

/** Can a canary be judged at the traffic measured before the shift? */

const compressed = scaleCanary(PROD_CANARY, { bakeScale: 0.01 }); // window 3 s, bakes 9 s / 18 s

describe('estimateCanarySample', () => {
  it.each([
    // rate, spec, ok, expected canary invocations per window at 10% and 50%
    [20, compressed, false, [6, 30]],
    [67, compressed, true, [20.1, 100.5]],
    [1, PROD_CANARY, true, [30, 150]],
    [0.5, PROD_CANARY, false, [15, 75]],
    [0, PROD_CANARY, false, [0, 0]],
  ])('%s req/s → ok %s, %j per window', (rate, spec, ok, expected) => {
    // Act
    const estimate = estimateCanarySample({ ratePerSecond: rate, spec, minInvocations: 20 });

    // Assess
    expect(estimate.ok).toBe(ok);
    estimate.steps.forEach((s, i) => {
      expect(s.expected).toBeCloseTo(expected[i] as number, 5);
    });
  });

  it('a window longer than the bake counts only the bake', () => {
    // Prepare: a 60 s window over 30 s bakes
    const spec = {
      steps: [{ weight: 0.1, bakeSeconds: 30 }],
      analysisIntervalSeconds: 5,
      windowSeconds: 60,
    };

    // Act
    const estimate = estimateCanarySample({ ratePerSecond: 5, spec, minInvocations: 20 });

    // Assess
    expect(estimate.steps[0]?.expected).toBe(15);
    expect(estimate.ok).toBe(false);
  });

  it('says what would work: a longer window or more traffic, each enough alone', () => {
    // Act
    const estimate = estimateCanarySample({
      ratePerSecond: 20,
      spec: compressed,
      minInvocations: 20,
    });

    // Assess: 20 / (20 × 0.1) = 10 s of window; 20 / (0.1 × 3) ≈ 66.7 req/s
    expect(estimate.remedies).toEqual([
      'an analysis window (and bakes) of at least 10 s (--analysis-window; now 3.0 s)',
      'at least 67 req/s of traffic on the function (now 20 req/s)',
    ]);
    expect(
      estimateCanarySample({
        ratePerSecond: 20 * 1,
        spec: {
          ...compressed,
          windowSeconds: 10,
          steps: compressed.steps.map((s) => ({ ...s, bakeSeconds: 10 })),
        },
        minInvocations: 20,
      }).ok,
    ).toBe(true);
  });

  it('with no traffic at all, only more traffic helps', () => {
    // Act
    const estimate = estimateCanarySample({
      ratePerSecond: 0,
      spec: PROD_CANARY,
      minInvocations: 20,
    });

    // Assess
    expect(estimate.remedies).toHaveLength(1);
    expect(estimate.remedies[0]).toMatch(/req\/s of traffic/);
  });
});
