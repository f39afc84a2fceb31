import type { CanarySamples, CanaryThresholds, Reason } from './assess.js';
import { num, pval, reason } from './reason-format.js';
import { fisherExactTest, mannWhitneyU, median, twoProportionTest } from './statistics.js';

/**
 * The canary against the stable version over the same window — the comparisons Kayenta and
 * Argo's analysis make on top of the plan's fixed thresholds: errors by Fisher's exact test,
 * latency by a rank test, each needing a minimum sample on both sides and a practical effect
 * size before it fails anything.
 */

/**
 * Canary vs baseline errors. Needs `minInvocations` on both sides (the canary's shortfall is
 * already a `sample-size` reason; a drained baseline, as at 100%, is simply not comparable).
 * The p-value that decides is the one-sided Fisher EXACT test: the pooled z-test
 * (`twoProportionTest`, quoted in the message as z) is anti-conservative with the few errors a
 * 10% canary sees (about 1.5% of same-distribution windows below 0.01). value/threshold are the p-value and alpha when significance decided,
 * the difference in percentage points and `minErrorRateDeltaPct` otherwise.
 */
export const errorRateVsBaseline = (samples: CanarySamples, t: CanaryThresholds): Reason => {
  const trigger = 'error-rate-vs-baseline';
  const { canary: c, baseline: b } = samples;
  if (c.invocations < t.minInvocations || b.invocations < t.minInvocations) {
    return reason(
      trigger,
      'pass',
      `not judged: ${c.invocations} canary and ${b.invocations} baseline invocations, ${t.minInvocations} needed on each side`,
    );
  }
  // Errors can outnumber invocations only through metric skew; clamp so the test stays defined.
  const cErr = Math.min(c.errors, c.invocations);
  const bErr = Math.min(b.errors, b.invocations);
  const cPct = (cErr * 100) / c.invocations;
  const bPct = (bErr * 100) / b.invocations;
  // One rounding only (integer numerator), so a difference of exactly 1 pp compares as 1.
  const delta =
    ((cErr * b.invocations - bErr * c.invocations) * 100) / (c.invocations * b.invocations);
  const { pOneSided: p } = fisherExactTest(cErr, c.invocations, bErr, b.invocations);
  const { z } = twoProportionTest(cErr, c.invocations, bErr, b.invocations);
  const rates = `canary ${num(cPct)}% (${cErr}/${c.invocations}) vs baseline ${num(bPct)}% (${bErr}/${b.invocations})`;
  const sig = `p = ${pval(p)} ${p < t.significance ? '<' : '≥'} α ${t.significance} (Fisher exact, z = ${num(z)})`;
  const diff = `+${num(delta)} pp ${delta >= t.minErrorRateDeltaPct ? '≥' : '<'} ${num(t.minErrorRateDeltaPct)} pp`;
  if (p >= t.significance) {
    return reason(trigger, 'pass', `${rates}: not significant, ${sig}`, p, t.significance);
  }
  if (delta < t.minErrorRateDeltaPct) {
    return reason(
      trigger,
      'pass',
      `${rates}: significant (${sig}) but ${diff}`,
      delta,
      t.minErrorRateDeltaPct,
    );
  }
  return reason(trigger, 'fail', `${rates}: ${diff}, ${sig}`, delta, t.minErrorRateDeltaPct);
};

/**
 * Rank test of canary vs baseline per-period Duration. Needs `minLatencySamples` on each side.
 * value/threshold are the p-value and alpha when significance decided, the median ratio and
 * `minLatencyRatio` otherwise.
 */
export const latencyVsBaseline = (samples: CanarySamples, t: CanaryThresholds): Reason => {
  const trigger = 'latency-vs-baseline';
  const a = samples.canary.durationSamples;
  const b = samples.baseline.durationSamples;
  if (a.length < t.minLatencySamples || b.length < t.minLatencySamples) {
    return reason(
      trigger,
      'pass',
      `not judged: ${a.length} canary and ${b.length} baseline duration samples, ${t.minLatencySamples} needed on each side`,
    );
  }
  const mA = median(a);
  const mB = median(b);
  const ratio = mB > 0 ? mA / mB : mA > 0 ? Number.POSITIVE_INFINITY : 1;
  const { pOneSided: p } = mannWhitneyU(a, b);
  const medians = `canary median duration ${num(mA)} ms vs baseline ${num(mB)} ms (×${num(ratio)}, ${a.length} vs ${b.length} samples)`;
  const sig = `p = ${pval(p)} ${p < t.significance ? '<' : '≥'} α ${t.significance} (Mann–Whitney)`;
  const r = `×${num(ratio)} ${ratio >= t.minLatencyRatio ? '≥' : '<'} ×${num(t.minLatencyRatio)}`;
  if (p >= t.significance) {
    return reason(trigger, 'pass', `${medians}: not significant, ${sig}`, p, t.significance);
  }
  if (ratio < t.minLatencyRatio) {
    return reason(
      trigger,
      'pass',
      `${medians}: significant (${sig}) but ${r}`,
      ratio,
      t.minLatencyRatio,
    );
  }
  return reason(trigger, 'fail', `${medians}: ${r}, ${sig}`, ratio, t.minLatencyRatio);
};
