import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StateItem } from '../../cli/aws/state-api.js';
import { CanaryHeartbeat, type HeartbeatIdentity } from '../../cli/canary/heartbeat.js';
import type { PromoteError } from '../../cli/errors.js';

/**
 * The canary's heartbeat on fake timers: what it writes and when, that a failed write is a
 * warning and a run of them stops the run, and that a write refused because the guardian
 * restored the alias stops it with the guardian's reason.
 */

const identity: HeartbeatIdentity = {
  runId: 'run-1',
  env: 'prod',
  region: 'af-south-1',
  functionName: 'order-handler-prod',
  alias: 'live',
  stable: { version: '7', codeSha256: 'c3RhYmxl' },
  candidate: { version: '8', codeSha256: 'Y2FuZGlkYXRl' },
  // A compressed canary: analyses every 3 s → a beat every 3 s.
  analysisIntervalSeconds: 3,
  allowedAlarms: ['order-handler-prod-high-duration-read'],
};

const fakeState = () => {
  const puts: Array<{ item: StateItem; condition?: { expression: string } }> = [];
  let answer: () => Promise<boolean> = async () => true;
  let stored: StateItem | undefined;
  return {
    puts,
    answerWith(next: () => Promise<boolean>) {
      answer = next;
    },
    store(item: StateItem) {
      stored = item;
    },
    state: {
      put: async (item: StateItem, condition?: { expression: string }) => {
        puts.push({ item, ...(condition ? { condition } : {}) });
        return answer();
      },
      get: async () => stored,
      delete: async () => true,
      query: async () => [],
    },
  };
};

const errorOf = (f: () => void): PromoteError => {
  try {
    f();
  } catch (error) {
    return error as PromoteError;
  }
  throw new Error('did not throw');
};

describe('CanaryHeartbeat', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-03-01T10:00:00.000Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('beats at once, then every interval, and marks done when the run lets go', async () => {
    // Prepare
    const fake = fakeState();
    const heartbeat = new CanaryHeartbeat(identity, { state: fake.state, warn: () => {} });

    // Act
    await heartbeat.beat({ weight: 0.1, deadline: new Date('2026-03-01T10:00:45.000Z') });
    await vi.advanceTimersByTimeAsync(9_500);
    await heartbeat.end('done');
    await vi.advanceTimersByTimeAsync(10_000);

    // Assess: t=0, 3, 6, 9, then done — nothing after
    expect(fake.puts.map((p) => p.item.phase)).toEqual([
      'active',
      'active',
      'active',
      'active',
      'done',
    ]);
    expect(fake.puts[0]?.item).toMatchObject({
      pk: 'heartbeat',
      sk: 'af-south-1',
      runId: 'run-1',
      beatAt: '2026-03-01T10:00:00.000Z',
      intervalSeconds: 3,
      analysisIntervalSeconds: 3,
      stable: identity.stable,
      candidate: identity.candidate,
      weight: 0.1,
      deadline: '2026-03-01T10:00:45.000Z',
      allowedAlarms: ['order-handler-prod-high-duration-read'],
    });
    expect(fake.puts[3]?.item.beatAt).toBe('2026-03-01T10:00:09.000Z');
    expect(fake.puts[4]?.item.endedAt).toBe('2026-03-01T10:00:09.500Z');
    expect(fake.puts[0]?.condition?.expression).toMatch(/runId <> :runId OR phase <> :restored/);
    expect(heartbeat.signal.aborted).toBe(false);
  });

  it('a failed write is a warning; failing for half the staleness window stops the run', async () => {
    // Prepare: the table is unreachable after the first beat
    const fake = fakeState();
    const warnings: string[] = [];
    const heartbeat = new CanaryHeartbeat(identity, {
      state: fake.state,
      warn: (m) => warnings.push(m),
    });
    await heartbeat.beat({ weight: 0.1, deadline: new Date('2026-03-01T10:01:00.000Z') });
    fake.answerWith(async () => {
      throw new Error('connect ECONNREFUSED');
    });

    // Act: 3 beats fail (9 s), not yet half of the 20 s the guardian allows…
    await vi.advanceTimersByTimeAsync(9_000);
    const early = heartbeat.signal.aborted;
    // …a fourth at 12 s is past half of it
    await vi.advanceTimersByTimeAsync(3_000);

    // Assess
    expect(early).toBe(false);
    expect(warnings[0]).toMatch(
      /heartbeat write failed \(1 in a row, last beat 3 s ago\): connect ECONNREFUSED/,
    );
    expect(heartbeat.signal.aborted).toBe(true);
    const error = errorOf(() => heartbeat.assertAlive());
    expect(error.code).toBe('HEARTBEAT_LOST');
    expect(error.exitCode).toBe(5);
  });

  it('a write refused because the guardian restored the alias stops the run with its reason', async () => {
    // Prepare
    const fake = fakeState();
    const heartbeat = new CanaryHeartbeat(identity, { state: fake.state, warn: () => {} });
    await heartbeat.beat({ weight: 0.1, deadline: new Date('2026-03-01T10:01:00.000Z') });
    fake.answerWith(async () => false);
    fake.store({
      pk: 'heartbeat',
      sk: 'af-south-1',
      runId: 'run-1',
      phase: 'restored',
      guardian: {
        at: '2026-03-01T10:00:02.000Z',
        summary: 'alarm order-handler-prod-dlq-depth in ALARM',
        record: 'x',
      },
    });

    // Act
    await vi.advanceTimersByTimeAsync(3_000);
    await heartbeat.end('ending', 'GUARDIAN_ROLLED_BACK');

    // Assess
    expect(heartbeat.signal.aborted).toBe(true);
    const error = errorOf(() => heartbeat.assertAlive());
    expect(error.code).toBe('GUARDIAN_ROLLED_BACK');
    expect(error.message).toBe(
      'rolled back by the guardian at 2026-03-01T10:00:02.000Z (alias → version 7) because alarm order-handler-prod-dlq-depth in ALARM',
    );
    // The guardian's mark is never overwritten by the run's own "ending".
    expect(fake.puts.map((p) => p.item.phase)).toEqual(['active', 'active']);
  });

  it('a run that never shifted leaves the table alone; a pause with weights on is said', async () => {
    // Prepare
    const fake = fakeState();
    const never = new CanaryHeartbeat(identity, { state: fake.state, warn: () => {} });
    const paused = new CanaryHeartbeat(identity, { state: fake.state, warn: () => {} });

    // Act
    await never.end('ending', 'CANARY_CANNOT_JUDGE');
    await paused.end('paused');

    // Assess
    expect(fake.puts.map((p) => p.item.phase)).toEqual(['paused']);
  });
});
