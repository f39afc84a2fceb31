import {
  alarmGraceSeconds,
  type GuardianReason,
  type Heartbeat,
  staleAfterSeconds,
} from '../infra/guardian.js';

/**
 * The guardian's judgement, pure: where the alias is, what the run's heartbeat says, which
 * alarms are in ALARM, and the time → nothing to do, something not ours to touch, or put
 * the heartbeat's stable version back (and why). No I/O; table-tested.
 *
 * Never backwards, never silently: the only version a restore ever targets is the stable
 * version the heartbeat names, and only while the alias is exactly where that run put it
 * (its stable version, weighted towards its candidate and nothing else).
 */

export interface AliasState {
  readonly version: string;
  /** Additional version → weight; empty when all traffic goes to `version`. */
  readonly weights: Readonly<Record<string, number>>;
  readonly revisionId?: string;
}

export interface AlarmState {
  readonly name: string;
  readonly state: string;
  /** When it last changed state (ISO). */
  readonly since?: string;
}

export interface DecisionInput {
  readonly alias: AliasState;
  readonly heartbeat: Heartbeat | undefined;
  readonly alarms: readonly AlarmState[];
  readonly now: Date;
}

export type Decision =
  /** All is as it should be (or nothing is shifting). */
  | { readonly action: 'none'; readonly why: string }
  /** Something looks wrong but it is not the guardian's to move: logged as a warning. */
  | { readonly action: 'hold'; readonly why: string }
  | {
      readonly action: 'restore';
      readonly runId: string;
      readonly to: string;
      readonly reasons: readonly GuardianReason[];
    };

const seconds = (from: string, now: Date) => (now.getTime() - Date.parse(from)) / 1000;

/** The alias is the heartbeat's stable version, weighted only towards its candidate. */
export const aliasMatches = (alias: AliasState, heartbeat: Heartbeat): boolean =>
  alias.version === heartbeat.stable.version &&
  Object.keys(alias.weights).every((v) => v === heartbeat.candidate.version);

export const decide = ({ alias, heartbeat, alarms, now }: DecisionInput): Decision => {
  if (Object.keys(alias.weights).length === 0) {
    return { action: 'none', why: `alias on version ${alias.version} carries no weights` };
  }
  const weighted = `alias on ${alias.version} with weights ${JSON.stringify(alias.weights)}`;
  if (!heartbeat) {
    return { action: 'hold', why: `${weighted}, but no run's heartbeat describes it` };
  }
  if (!aliasMatches(alias, heartbeat)) {
    return {
      action: 'hold',
      why: `${weighted} is not where run ${heartbeat.runId} put it (${heartbeat.stable.version} weighted towards ${heartbeat.candidate.version}): someone else moved it`,
    };
  }
  if (heartbeat.phase === 'done' || heartbeat.phase === 'restored') {
    return {
      action: 'hold',
      why: `${weighted}, but run ${heartbeat.runId} let go of it (${heartbeat.phase}): weighted by hand since`,
    };
  }

  const reasons: GuardianReason[] = [];
  const age = seconds(heartbeat.beatAt, now);
  const limit = staleAfterSeconds(heartbeat.intervalSeconds);
  // A paused run beats no more on purpose; only its alarms are watched.
  const beating = heartbeat.phase === 'active' || heartbeat.phase === 'ending';
  const stale = beating && (!Number.isFinite(age) || age > limit);
  if (stale) {
    reasons.push({
      kind: 'heartbeat-stale',
      since: heartbeat.beatAt,
      ageSeconds: Number.isFinite(age) ? Math.round(age) : -1,
      staleAfterSeconds: limit,
    });
  }
  // A live run judges alarms itself at its next analysis; the guardian waits out a grace
  // for it. A stale or paused run has nobody watching: an alarm counts at once.
  const grace = beating && !stale ? alarmGraceSeconds(heartbeat.analysisIntervalSeconds) : 0;
  const allowed = new Set(heartbeat.allowedAlarms);
  for (const alarm of alarms) {
    if (alarm.state !== 'ALARM' || allowed.has(alarm.name)) continue;
    const firing = alarm.since ? seconds(alarm.since, now) : Number.POSITIVE_INFINITY;
    if (grace > 0 && firing < grace) continue;
    reasons.push({
      kind: 'alarm',
      alarm: alarm.name,
      ...(alarm.since ? { since: alarm.since } : {}),
    });
  }
  if (reasons.length === 0) {
    return {
      action: 'none',
      why: `run ${heartbeat.runId} ${heartbeat.phase}: ${beating ? `last beat ${Math.round(age)} s ago (limit ${limit} s)` : 'paused'}, no alarm to act on`,
    };
  }
  return {
    action: 'restore',
    runId: heartbeat.runId,
    to: heartbeat.stable.version,
    reasons,
  };
};
