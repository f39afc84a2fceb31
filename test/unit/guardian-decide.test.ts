import { describe, expect, it } from 'vitest';
import { type AlarmState, type AliasState, decide } from '../../guardian/decide.js';
import type { Heartbeat } from '../../infra/guardian.js';

/**
 * The guardian's judgement as a table: alias, heartbeat, alarms and time in, nothing / hold /
 * restore (to the heartbeat's stable version only) out.
 */

const NOW = new Date('2026-03-01T10:00:00.000Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();

const beat = (over: Partial<Heartbeat> = {}): Heartbeat => ({
  pk: 'heartbeat',
  sk: 'af-south-1',
  runId: '20260301T095000Z-abcd',
  env: 'prod',
  functionName: 'order-handler-prod',
  alias: 'live',
  phase: 'active',
  beatAt: ago(5),
  startedAt: ago(300),
  intervalSeconds: 15,
  analysisIntervalSeconds: 60,
  stable: { version: '7', codeSha256: 'stable=' },
  candidate: { version: '8', codeSha256: 'candidate=' },
  weight: 0.1,
  deadline: ago(-600),
  allowedAlarms: [],
  ...over,
});

const canaryAlias: AliasState = { version: '7', weights: { '8': 0.1 }, revisionId: 'r1' };
const firing = (name: string, sinceSecondsAgo: number): AlarmState => ({
  name,
  state: 'ALARM',
  since: ago(sinceSecondsAgo),
});

describe('decide (the guardian)', () => {
  it.each<{
    name: string;
    alias: AliasState;
    heartbeat: Heartbeat | undefined;
    alarms?: AlarmState[];
    action: 'none' | 'hold' | 'restore';
    kinds?: string[];
    why?: RegExp;
  }>([
    {
      name: 'an alias without weights: nothing to guard',
      alias: { version: '8', weights: {} },
      heartbeat: beat({ beatAt: ago(3600) }),
      action: 'none',
    },
    {
      name: 'a fresh heartbeat, no alarm: the run is watching',
      alias: canaryAlias,
      heartbeat: beat({ beatAt: ago(30) }),
      action: 'none',
      why: /last beat 30 s ago \(limit 90 s\)/,
    },
    {
      name: 'no beat for longer than 6 intervals (90 s): restore',
      alias: canaryAlias,
      heartbeat: beat({ beatAt: ago(91) }),
      action: 'restore',
      kinds: ['heartbeat-stale'],
    },
    {
      name: 'a compressed canary (1 s beats) is stale after the 20 s floor, not after 6 s',
      alias: canaryAlias,
      heartbeat: beat({ intervalSeconds: 1, analysisIntervalSeconds: 1, beatAt: ago(15) }),
      action: 'none',
    },
    {
      name: 'a compressed canary past the floor: restore',
      alias: canaryAlias,
      heartbeat: beat({ intervalSeconds: 1, analysisIntervalSeconds: 1, beatAt: ago(21) }),
      action: 'restore',
      kinds: ['heartbeat-stale'],
    },
    {
      name: 'a heartbeat claiming a huge interval is still capped at 90 s',
      alias: canaryAlias,
      heartbeat: beat({ intervalSeconds: 3600, beatAt: ago(95) }),
      action: 'restore',
      kinds: ['heartbeat-stale'],
    },
    {
      name: 'a run rolling back itself (ending) that stopped beating: restore',
      alias: canaryAlias,
      heartbeat: beat({ phase: 'ending', beatAt: ago(120) }),
      action: 'restore',
      kinds: ['heartbeat-stale'],
    },
    {
      name: 'a paused run is not stale, however old its beat',
      alias: canaryAlias,
      heartbeat: beat({ phase: 'paused', beatAt: ago(7200) }),
      action: 'none',
    },
    {
      name: 'an alarm under a paused run: restore at once',
      alias: canaryAlias,
      heartbeat: beat({ phase: 'paused', beatAt: ago(7200) }),
      alarms: [firing('order-handler-prod-high-error-rate', 1)],
      action: 'restore',
      kinds: ['alarm'],
    },
    {
      name: 'an alarm under a live run: the run judges it first (grace of 2 intervals)',
      alias: canaryAlias,
      heartbeat: beat(),
      alarms: [firing('order-handler-prod-high-error-rate', 60)],
      action: 'none',
    },
    {
      name: 'an alarm the live run has not acted on within its grace: restore',
      alias: canaryAlias,
      heartbeat: beat(),
      alarms: [firing('order-handler-prod-high-error-rate', 121)],
      action: 'restore',
      kinds: ['alarm'],
    },
    {
      name: 'stale and an alarm: both reasons',
      alias: canaryAlias,
      heartbeat: beat({ beatAt: ago(100) }),
      alarms: [firing('order-handler-prod-dlq-depth', 1)],
      action: 'restore',
      kinds: ['heartbeat-stale', 'alarm'],
    },
    {
      name: 'an alarm the run allowed (--allow-alarm) is ignored',
      alias: canaryAlias,
      heartbeat: beat({
        phase: 'paused',
        allowedAlarms: ['order-handler-prod-high-duration-read'],
      }),
      alarms: [firing('order-handler-prod-high-duration-read', 600)],
      action: 'none',
    },
    {
      name: 'alarms in OK or INSUFFICIENT_DATA do not count',
      alias: canaryAlias,
      heartbeat: beat({ phase: 'paused' }),
      alarms: [
        { name: 'a', state: 'OK', since: ago(1) },
        { name: 'b', state: 'INSUFFICIENT_DATA' },
      ],
      action: 'none',
    },
    {
      name: 'weights nobody describes: hold, never guess a stable version',
      alias: canaryAlias,
      heartbeat: undefined,
      action: 'hold',
      why: /no run's heartbeat/,
    },
    {
      name: 'the alias on another stable version (a newer run or a person moved it): hold',
      alias: { version: '9', weights: { '8': 0.5 }, revisionId: 'r2' },
      heartbeat: beat({ beatAt: ago(600) }),
      action: 'hold',
      why: /someone else moved it/,
    },
    {
      name: 'the alias weighted towards another candidate: hold',
      alias: { version: '7', weights: { '10': 0.1 } },
      heartbeat: beat({ beatAt: ago(600) }),
      action: 'hold',
    },
    {
      name: 'a run that let go (done) whose versions are weighted again by hand: hold',
      alias: canaryAlias,
      heartbeat: beat({ phase: 'done', beatAt: ago(600) }),
      action: 'hold',
      why: /let go of it \(done\)/,
    },
    {
      name: 'already restored once: never again on the same heartbeat',
      alias: canaryAlias,
      heartbeat: beat({ phase: 'restored', beatAt: ago(600) }),
      action: 'hold',
    },
  ])('$name', ({ alias, heartbeat, alarms, action, kinds, why }) => {
    // Act
    const decision = decide({ alias, heartbeat, alarms: alarms ?? [], now: NOW });

    // Assess
    expect(decision.action).toBe(action);
    if (decision.action === 'restore') {
      expect(decision.to).toBe('7');
      expect(decision.runId).toBe('20260301T095000Z-abcd');
      expect(decision.reasons.map((r) => r.kind)).toEqual(kinds);
    } else if (why) {
      expect(decision.why).toMatch(why);
    }
  });

  it('a stale reason says since when and for how long', () => {
    // Act
    const decision = decide({
      alias: canaryAlias,
      heartbeat: beat({ beatAt: ago(95) }),
      alarms: [],
      now: NOW,
    });

    // Assess
    expect(decision).toMatchObject({
      action: 'restore',
      reasons: [{ kind: 'heartbeat-stale', since: ago(95), ageSeconds: 95, staleAfterSeconds: 90 }],
    });
  });
});
