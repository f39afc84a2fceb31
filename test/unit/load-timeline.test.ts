import { describe, expect, it } from 'vitest';
import { bucketMsFor, LoadTimeline, TIMELINE_TARGET_POINTS } from '../../cli/load/load-timeline.js';

/** A timeline on a clock the test moves: `at(ms)` sets the time since the origin. */
const timelineAt = (bucketMs: number, maxBuckets?: number) => {
  const origin = 1_767_225_600_000; // 2026-01-01T00:00:00Z
  let now = origin;
  const timeline = new LoadTimeline({
    bucketMs,
    now: () => now,
    ...(maxBuckets ? { maxBuckets } : {}),
  });
  return {
    timeline,
    origin,
    at: (ms: number) => {
      now = origin + ms;
      return timeline;
    },
  };
};

describe('bucketMsFor', () => {
  it.each([
    [10_000, 1000],
    [600_000, 1000],
    [900_000, 2000],
    [3_600_000, 6000],
    [1_800_001, 4000],
  ])('a run planned for %i ms gets %i ms buckets', (plannedMs, bucketMs) => {
    // Act
    const width = bucketMsFor(plannedMs);

    // Assess
    expect(width).toBe(bucketMs);
    expect(Math.ceil(plannedMs / width)).toBeLessThanOrEqual(TIMELINE_TARGET_POINTS);
  });
});

describe('LoadTimeline', () => {
  it('puts each event in the bucket of its moment; an empty bucket is zeros and gaps', () => {
    // Prepare
    const { at, origin } = timelineAt(1000);
    at(0).start();

    // Act
    at(100).sent('create');
    at(150).sent('get');
    at(400).settled('create', 'ok', 10);
    at(900).settled('get', 'ok', 20);
    at(1_200).sent('create');
    at(1_800).settled('create', 'ok', 500);
    at(3_500).sent('get', 2);
    at(3_600).dropped('get', 3);
    const series = at(3_700).snapshot();

    // Assess
    expect(series.t).toEqual([0, 1, 2, 3].map((i) => (origin + i * 1000) / 1000));
    expect(series.end).toBe((origin + 3_600) / 1000);
    expect(series.total.sent).toEqual([2, 1, 0, 2]);
    expect(series.total.dropped).toEqual([0, 0, 0, 3]);
    expect(series.total.completed).toEqual([2, 1, 0, 0]);
    expect(series.byOperation.create?.sent).toEqual([1, 1, 0, 0]);
    expect(series.byOperation.create?.answered).toEqual([1, 1, 0, 0]);
    expect(series.byOperation.create?.p50).toEqual([10, 500, null, null]);
    expect(series.byOperation.get?.p95).toEqual([20, null, null, null]);
    expect(Object.keys(series.byOperation)).toEqual(['create', 'get']);
  });

  it('resets the percentiles with each bucket: a slow bucket does not leak into the next', () => {
    // Prepare
    const { timeline, at } = timelineAt(1000);
    at(0).start();
    for (let i = 0; i < 100; i += 1) at(10 + i).settled('list', 'ok', 2_000);

    // Act
    for (let i = 0; i < 100; i += 1) at(1_010 + i).settled('list', 'ok', 40);
    const series = timeline.snapshot();

    // Assess
    expect(series.byOperation.list?.p99).toEqual([2000, 40]);
    expect(series.byOperation.list?.p50).toEqual([2000, 40]);
  });

  it('counts errors with their 429s, delivered as 2xx and 409s, and leaves Ctrl-C cuts out', () => {
    // Prepare
    const { timeline, at } = timelineAt(2000);
    at(0).start();

    // Act
    at(10).settled('status', 'ok', 30);
    at(20).settled('status', 'conflict', 30);
    at(30).settled('status', 'throttled', 5);
    at(40).settled('status', 'server-error', 50);
    at(50).settled('status', 'timeout');
    at(60).settled('status', 'network');
    at(70).settled('status', 'aborted');
    const series = timeline.snapshot();

    // Assess
    expect(series.total).toMatchObject({
      completed: [6],
      delivered: [2],
      errors: [4],
      throttled: [1],
    });
    expect(series.byOperation.status).toMatchObject({
      answered: [4],
      errors: [4],
      throttled: [1],
    });
  });

  it('never reopens a closed bucket when the clock steps back', () => {
    // Prepare
    const { timeline, at } = timelineAt(1000);
    at(0).start();
    at(2_500).sent('create');

    // Act
    at(1_500).sent('create');
    const series = timeline.snapshot();

    // Assess
    expect(series.total.sent).toEqual([0, 0, 2]);
  });

  it('keeps at most maxBuckets buckets and says the rest was not charted', () => {
    // Prepare
    const { timeline, at } = timelineAt(1000, 3);
    at(0).start();
    at(2_100).sent('get');

    // Act
    at(3_100).sent('get');
    at(9_000).settled('get', 'ok', 12);
    const series = timeline.snapshot();

    // Assess
    expect(series.t).toHaveLength(3);
    expect(series.total.sent).toEqual([0, 0, 1]);
    expect(series.byOperation.get?.answered).toEqual([0, 0, 0]);
    expect(series.truncated).toBe(true);
  });

  it('a snapshot leaves the open bucket open: later events of it still count', () => {
    // Prepare
    const { timeline, at } = timelineAt(1000);
    at(0).start();
    at(100).settled('create', 'ok', 100);
    const first = timeline.snapshot();

    // Act
    at(200).settled('create', 'ok', 300);
    const second = timeline.snapshot();

    // Assess
    expect(first.byOperation.create?.answered).toEqual([1]);
    expect(second.byOperation.create?.answered).toEqual([2]);
    expect(second.byOperation.create?.p99).toEqual([300]);
  });
});
