import { planAlarms } from './alarms.js';
import { ENVIRONMENTS, type Environment, type EnvName } from './environments.js';
import { stateTableName } from './state-table.js';

/**
 * The canary guardian: a small function in each guarded account that, on a schedule, looks
 * at alias `live` while it carries canary weights and puts the stable version back when the
 * run that shifted it stopped watching (its heartbeat went stale) or a plan alarm fired —
 * the server-side judge a canary driven from a laptop or a CI runner otherwise lacks.
 *
 * One source for every party: the CLI writes the heartbeat described here, the guardian
 * (guardian/) reads it with these thresholds, the sandbox provisions the function with these
 * names, and terraform reads them through the generated spec.
 */

/** Environments with a guardian: those whose plan shifts traffic gradually. */
export const GUARDED_ENVS: readonly EnvName[] = ['prod'];

export const isGuarded = (env: EnvName): boolean => GUARDED_ENVS.includes(env);

/** Timing and sizing; every number a person may want to discuss is here. */
export const GUARDIAN = {
  /** How often the guardian looks (EventBridge schedule). */
  schedule: 'rate(1 minute)',
  /** The CLI's heartbeat period during a full-length canary. */
  heartbeatIntervalSeconds: 15,
  /** Beats that may be missed before the run counts as gone… */
  missedBeats: 6,
  /** …but never more than this many seconds without a beat (6 × 15 s). */
  staleAfterSeconds: 90,
  /**
   * …and never fewer: a compressed canary (`--bake-scale`) beats every second or so, and a
   * busy machine may delay a few writes without the run being gone.
   */
  minStaleAfterSeconds: 20,
  /**
   * An alarm fired while the run is alive and beating: the CLI judges it at its next analysis
   * and rolls back itself; the guardian steps in only if that has not happened within this
   * many analysis intervals (bounded below and above).
   */
  alarmGraceIntervals: 2,
  minAlarmGraceSeconds: 10,
  maxAlarmGraceSeconds: 150,
  /** Failed heartbeat writes in a row after which the CLI rolls back itself. */
  cliMaxFailedBeats: 3,
  memoryMb: 256,
  timeoutSeconds: 30,
  /** One guardian at a time: two would only race each other for the same alias. */
  reservedConcurrency: 1,
} as const;

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/** The heartbeat period of a canary whose analyses run every `analysisIntervalSeconds`. */
export const heartbeatIntervalSeconds = (analysisIntervalSeconds: number): number =>
  clamp(analysisIntervalSeconds, 1, GUARDIAN.heartbeatIntervalSeconds);

/**
 * How old a heartbeat beating every `intervalSeconds` may get before the guardian treats its
 * run as gone. The interval a heartbeat declares can only make the guardian stricter: the
 * result never exceeds {@link GUARDIAN.staleAfterSeconds}.
 */
export const staleAfterSeconds = (intervalSeconds: number): number =>
  clamp(
    GUARDIAN.missedBeats * intervalSeconds,
    GUARDIAN.minStaleAfterSeconds,
    GUARDIAN.staleAfterSeconds,
  );

/** How long an alarm may stay in ALARM under a live run before the guardian acts itself. */
export const alarmGraceSeconds = (analysisIntervalSeconds: number): number =>
  clamp(
    GUARDIAN.alarmGraceIntervals * analysisIntervalSeconds,
    GUARDIAN.minAlarmGraceSeconds,
    GUARDIAN.maxAlarmGraceSeconds,
  );

/** Names of an environment's guardian (the role is regional: one guardian per region). */
export const guardianNames = (e: Environment) => ({
  functionName: `promote-guardian-${e.name}`,
  roleName: `promote-guardian-${e.name}`,
  ruleName: `promote-guardian-${e.name}`,
  logGroup: `/aws/lambda/promote-guardian-${e.name}`,
});

/** The function's environment: everything else it derives from this spec (bundled in). */
export const guardianEnvironment = (e: Environment): Record<string, string> => ({
  ENVIRONMENT: e.name,
  POWERTOOLS_SERVICE_NAME: 'promote-guardian',
  POWERTOOLS_LOG_LEVEL: 'INFO',
});

/** The alarms the guardian watches: the plan's. */
export const guardedAlarms = (e: Environment): string[] => planAlarms(e).map((a) => a.name);

// ----------------------------------------------------------------------- state table items

/** `pk` of the heartbeat items; `sk` is the region of the alias the heartbeat describes. */
export const HEARTBEAT_PK = 'heartbeat' as const;
/** `pk` of the guardian's records; `sk` is `<ISO time>#<runId>` (newest last). */
export const GUARDIAN_RECORD_PK = 'guardian' as const;

export const heartbeatKey = (region: string) => ({ pk: HEARTBEAT_PK, sk: region }) as const;
export const guardianRecordKey = (at: string, runId: string) =>
  ({ pk: GUARDIAN_RECORD_PK, sk: `${at}#${runId}` }) as const;

/**
 * - `active`: the run is shifting or baking and beats every `intervalSeconds`;
 * - `paused`: the run stopped between weights on purpose (`--pause-before`): nobody beats,
 *   only the alarms are watched;
 * - `ending`: the run failed or was interrupted and is rolling back itself; it no longer beats;
 * - `done`: the alias is at 100% (or back) and the run let go;
 * - `restored`: the guardian put the stable version back (see `guardian`).
 */
export type HeartbeatPhase = 'active' | 'paused' | 'ending' | 'done' | 'restored';

export interface VersionRef {
  readonly version: string;
  readonly codeSha256: string;
}

/** The item a canary run keeps fresh in `promote-state-<env>` (no personal data). */
export interface Heartbeat {
  readonly pk: typeof HEARTBEAT_PK;
  /** Region of the alias. */
  readonly sk: string;
  readonly runId: string;
  readonly env: EnvName;
  readonly functionName: string;
  readonly alias: string;
  /** `phase`, not `state`: STATE is a reserved word in DynamoDB expressions. */
  readonly phase: HeartbeatPhase;
  /** The last write (ISO). */
  readonly beatAt: string;
  readonly startedAt: string;
  /** The period the run promises to beat at. */
  readonly intervalSeconds: number;
  /** The run's analysis interval (the alarm grace is counted in it). */
  readonly analysisIntervalSeconds: number;
  /** What a restore goes back to — and only to. */
  readonly stable: VersionRef;
  readonly candidate: VersionRef;
  /** The canary weight being baked (0..1). */
  readonly weight: number;
  /** When the current bake is due to end (ISO). */
  readonly deadline: string;
  /** `--allow-alarm`: alarms this run accepted as firing; the guardian ignores them too. */
  readonly allowedAlarms: readonly string[];
  readonly endedAt?: string;
  /** Why the run ended (an error code), for `ending`. */
  readonly endReason?: string;
  /** Set by the guardian with `restored`. */
  readonly guardian?: { readonly at: string; readonly summary: string; readonly record: string };
}

/** One reason the guardian acted. */
export type GuardianReason =
  | {
      readonly kind: 'heartbeat-stale';
      /** The last beat. */
      readonly since: string;
      readonly ageSeconds: number;
      readonly staleAfterSeconds: number;
    }
  | { readonly kind: 'alarm'; readonly alarm: string; readonly since?: string };

/**
 * - `restoring`: written before the alias is touched (so a guardian that dies half-way is
 *   never silent);
 * - `restored`: the alias reads back on the stable version without weights;
 * - `stood-down`: the alias changed between the guardian's read and its write (someone
 *   else moved it), so it was left alone;
 * - `failed`: the update or its verification failed.
 */
export type GuardianOutcome = 'restoring' | 'restored' | 'stood-down' | 'failed';

/** What the guardian did, kept in the state table for `promote status` and `--resume`. */
export interface GuardianRecord {
  readonly pk: typeof GUARDIAN_RECORD_PK;
  readonly sk: string;
  readonly at: string;
  readonly runId: string;
  readonly env: EnvName;
  readonly region: string;
  readonly functionName: string;
  readonly alias: string;
  readonly outcome: GuardianOutcome;
  /** Where the alias was: the stable version and the canary weights. */
  readonly from: { readonly version: string; readonly weights: Readonly<Record<string, number>> };
  readonly to: VersionRef;
  readonly candidate: VersionRef;
  readonly reasons: readonly GuardianReason[];
  /** One line: the reasons in words. */
  readonly summary: string;
  readonly error?: string;
  readonly finishedAt?: string;
}

/** A reason in words, e.g. "heartbeat stale since 10:00:03Z (no beat for 24 s, limit 20 s)". */
export const describeReason = (reason: GuardianReason): string =>
  reason.kind === 'heartbeat-stale'
    ? `heartbeat stale since ${reason.since} (no beat for ${Math.round(reason.ageSeconds)} s, limit ${reason.staleAfterSeconds} s)`
    : `alarm ${reason.alarm} in ALARM${reason.since ? ` since ${reason.since}` : ''}`;

export const describeReasons = (reasons: readonly GuardianReason[]): string =>
  reasons.map(describeReason).join('; ');

/** "rolled back by the guardian at T because …", as status, resume and the logs say it. */
export const describeGuardianRecord = (
  r: Pick<GuardianRecord, 'outcome' | 'at' | 'summary' | 'to' | 'error'>,
): string => {
  switch (r.outcome) {
    case 'restored':
      return `rolled back by the guardian at ${r.at} (alias → version ${r.to.version}) because ${r.summary}`;
    case 'restoring':
      return `the guardian began rolling back at ${r.at} (to version ${r.to.version}) because ${r.summary}; it has not confirmed it`;
    case 'stood-down':
      return `the guardian meant to roll back at ${r.at} because ${r.summary}, but the alias had moved meanwhile; it left it alone`;
    case 'failed':
      return `the guardian failed to roll back at ${r.at} (${r.error ?? 'unknown error'}) because ${r.summary}`;
  }
};

// ---------------------------------------------------------------------------------- IAM

/**
 * The guardian's execution role, least privilege: alias `live` of the order function (read,
 * move), the three item operations on the state table, the alarm states, its own logs.
 * `region` is where this guardian runs; the state table stays in the environment's primary
 * region.
 */
export const guardianRolePolicy = (e: Environment, region = e.region) => {
  const names = guardianNames(e);
  const fn = `arn:aws:lambda:${region}:${e.account}:function:${e.functionName}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        // Lambda authorizes alias calls on the function's ARN (the alias ARN where it is
        // given): the code never names another alias than `live`.
        Sid: 'LiveAlias',
        Effect: 'Allow',
        Action: ['lambda:GetAlias', 'lambda:UpdateAlias'],
        Resource: [fn, `${fn}:${e.alias}`],
      },
      {
        Sid: 'State',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: [`arn:aws:dynamodb:${e.region}:${e.account}:table/${stateTableName(e.name)}`],
      },
      {
        // DescribeAlarms takes no resource ARN when it filters by names: read-only.
        Sid: 'AlarmStates',
        Effect: 'Allow',
        Action: ['cloudwatch:DescribeAlarms'],
        Resource: '*',
      },
      {
        Sid: 'Logs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [`arn:aws:logs:${region}:${e.account}:log-group:${names.logGroup}:*`],
      },
    ],
  };
};

/** The environments with a guardian, for loops over all of them. */
export const guardedEnvironments = (): Environment[] => GUARDED_ENVS.map((n) => ENVIRONMENTS[n]);
