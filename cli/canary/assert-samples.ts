import type { CanarySamples } from './assess.js';

/**
 * Refuses samples no CloudWatch read can produce (a negative count, NaN, a window of no
 * seconds), so a bug upstream is a RangeError rather than a canary judged on nonsense.
 */
export const assertValid = (samples: CanarySamples): void => {
  const { windowSeconds } = samples;
  if (!Number.isFinite(windowSeconds) || windowSeconds <= 0) {
    throw new RangeError(`windowSeconds must be a positive number, got ${windowSeconds}`);
  }
  const counts: [string, number | undefined][] = [['dynamoThrottles', samples.dynamoThrottles]];
  if (samples.dlqDepth !== undefined) counts.push(['dlqDepth', samples.dlqDepth]);
  for (const [side, w] of [
    ['canary', samples.canary],
    ['baseline', samples.baseline],
  ] as const) {
    counts.push(
      [`${side}.invocations`, w.invocations],
      [`${side}.errors`, w.errors],
      [`${side}.throttles`, w.throttles],
      [`${side}.operations`, w.operations],
      [`${side}.processingFailures`, w.processingFailures],
      [`${side}.eventsPublished`, w.eventsPublished],
      [`${side}.eventPublishFailures`, w.eventPublishFailures],
      [`${side}.p95.create`, w.p95.create],
      [`${side}.p95.status`, w.p95.status],
      [`${side}.p95.read`, w.p95.read],
      ...w.durationSamples.map((d, i): [string, number] => [`${side}.durationSamples[${i}]`, d]),
    );
  }
  for (const [name, value] of counts) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`${name} must be a finite non-negative number, got ${value}`);
    }
  }
};
