import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../cli/load/latency-histogram.js';
import { classify, judgeBurst, LoadTally } from '../../cli/load/load-tally.js';
import type { SendOutcome } from '../../sandbox/api/send-request.js';

const answer = (status: number, ms = 10, body = '{}'): SendOutcome => ({
  kind: 'answer',
  status,
  body,
  ms,
});
const created = (id: string, ms = 10) => answer(201, ms, JSON.stringify({ order_id: id }));

describe('LatencyHistogram (HDR, 1 µs – 60 s, 3 digits)', () => {
  it('reports percentiles within 0.1% over every observation', () => {
    // Prepare: 1 … 1000 ms, one each
    const h = new LatencyHistogram();

    // Act
    for (let ms = 1; ms <= 1000; ms += 1) h.record(ms);
    const s = h.summary();

    // Assess
    expect(s.count).toBe(1000);
    expect(s.p50).toBeCloseTo(500, -1);
    expect(Math.abs(s.p95 - 950) / 950).toBeLessThan(0.001);
    expect(Math.abs(s.p99 - 990) / 990).toBeLessThan(0.001);
    expect(s.max).toBe(1000);
  });

  it('keeps sub-millisecond resolution and clamps past 60 s instead of failing', () => {
    // Prepare
    const h = new LatencyHistogram();

    // Act
    h.record(0.44);
    h.record(0);
    h.record(90_000);
    const s = h.summary();

    // Assess
    expect(s.count).toBe(3);
    expect(s.p50).toBe(0.4);
    expect(s.max).toBeCloseTo(60_000, -2);
  });

  it('never reports a percentile above the largest value recorded (HDR bucket edges)', () => {
    // Prepare: a tail in one wide bucket near 20 s, the largest below the bucket's edge
    const h = new LatencyHistogram();
    for (let i = 0; i < 95; i += 1) h.record(100);
    for (let i = 0; i < 5; i += 1) h.record(20_022.3);

    // Act
    const s = h.summary();

    // Assess
    expect(s.p99).toBeLessThanOrEqual(s.max);
    expect(s.max).toBeCloseTo(20_022.3, 0);
  });

  it('is all zeros when empty, and adds another histogram', () => {
    // Prepare
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    b.record(40);

    // Act
    const empty = a.summary();
    a.add(b);

    // Assess
    expect(empty).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0 });
    expect(a.summary().max).toBe(40);
  });
});

describe('classify', () => {
  it.each([
    [answer(200), 'ok'],
    [answer(201), 'ok'],
    [answer(409), 'conflict'],
    [answer(429), 'throttled'],
    [answer(500), 'server-error'],
    [answer(503), 'server-error'],
    [answer(400), 'unexpected'],
    [answer(401), 'unexpected'],
    [{ kind: 'timeout', ms: 30_000 }, 'timeout'],
    [{ kind: 'network', ms: 3 }, 'network'],
    [{ kind: 'aborted', ms: 3 }, 'aborted'],
  ] as const)('%j → %s', (outcome, expected) => {
    // Assess
    expect(classify(outcome)).toBe(expected);
  });
});

describe('judgeBurst', () => {
  it.each([
    ['all created, distinct', [created('a'), created('b')], ['a', 'b'], 'all-succeeded'],
    ['two 201s name one order', [created('a'), created('a')], ['a', 'a'], 'duplicate'],
    [
      'one refused with a problem body',
      [created('a'), answer(429, 5, '{"title":"Too Many Requests"}')],
      ['a', undefined],
      'failed-cleanly',
    ],
    ['a 500', [created('a'), answer(500)], ['a', undefined], 'unclean'],
    ['a timeout', [created('a'), { kind: 'timeout', ms: 30_000 }], ['a', undefined], 'unclean'],
    ['a refusal that is not JSON', [answer(503, 5, 'upstream died')], [undefined], 'unclean'],
    ['a 201 without an order id', [answer(201, 5, '{}')], [undefined], 'unclean'],
    ['cut by Ctrl-C', [created('a'), { kind: 'aborted', ms: 1 }], ['a', undefined], undefined],
  ] as const)('%s → %s', (_name, outcomes, ids, expected) => {
    // Assess
    expect(judgeBurst(outcomes, ids)).toBe(expected);
  });
});

describe('LoadTally', () => {
  it('counts per operation and overall: errors, 409s, statuses, drops, error rate', () => {
    // Prepare
    const tally = new LoadTally();
    const record = (op: 'create' | 'get', outcome: SendOutcome) => {
      tally.sent(op);
      tally.settled(op, outcome);
    };

    // Act
    for (let i = 0; i < 6; i += 1) record('create', created(`o${i}`, 100 + i));
    record('create', answer(429));
    record('get', answer(200, 20));
    record('get', answer(409, 15));
    record('get', { kind: 'timeout', ms: 30_000 });
    record('get', { kind: 'aborted', ms: 2 });
    tally.dropped('get', 3);
    tally.burst('all-succeeded');
    tally.burst('unclean');
    tally.burst(undefined);
    const s = tally.summary();

    // Assess
    expect(s.sent).toBe(11);
    expect(s.dropped).toBe(3);
    expect(s.aborted).toBe(1);
    expect(s.errors).toBe(2);
    expect(s.errorRatePct).toBe(20);
    expect(s.throttled).toBe(1);
    expect(s.timeouts).toBe(1);
    expect(s.byStatus).toEqual({ 200: 1, 201: 6, 409: 1, 429: 1 });
    expect(s.byOperation.create).toMatchObject({ sent: 7, ok: 6, errors: 1, throttled: 1 });
    expect(s.byOperation.get).toMatchObject({
      sent: 4,
      dropped: 3,
      conflicts: 1,
      errors: 1,
      aborted: 1,
    });
    expect(s.byOperation.get?.latencyMs.count).toBe(2);
    expect(s.byOperation.status).toBeUndefined();
    expect(s.bursts).toEqual({
      bursts: 2,
      allSucceeded: 1,
      failedCleanly: 0,
      unclean: 1,
      duplicateIds: 0,
    });
  });
});
