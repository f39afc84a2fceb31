import type { EnvName } from '../infra/environments.js';
import {
  describeGuardianRecord,
  describeReasons,
  type GuardianOutcome,
  type GuardianRecord,
  guardianRecordKey,
} from '../infra/guardian.js';
import type { GuardianPorts } from './aws-ports.js';
import { decide } from './decide.js';

/**
 * One look by the guardian, the thin I/O shell around {@link decide}: read the alias (with
 * its RevisionId), the heartbeat and — only while weights are on — the plan's alarms; then,
 * if the decision is to restore: record the intent, move the alias conditionally on the
 * RevisionId it read, read it back, record the outcome and mark the heartbeat restored.
 */

export interface GuardConfig {
  readonly env: EnvName;
  readonly region: string;
  readonly functionName: string;
  readonly alias: string;
  readonly alarmNames: readonly string[];
}

/** Structured logging (Powertools' Logger fits): messages with ids and versions, no PII. */
export interface GuardLog {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export type GuardResult =
  | { readonly action: 'none' | 'hold'; readonly why: string }
  | { readonly action: GuardianOutcome; readonly record: GuardianRecord };

export const guard = async (
  ports: GuardianPorts,
  config: GuardConfig,
  clock: () => Date,
  log: GuardLog,
): Promise<GuardResult> => {
  const [alias, heartbeat] = await Promise.all([ports.getAlias(), ports.getHeartbeat()]);
  const weighted = Object.keys(alias.weights).length > 0;
  // Alarms matter only while a run's weights are on: no call otherwise.
  const alarms = weighted && heartbeat ? await ports.alarms(config.alarmNames) : [];
  const decision = decide({ alias, heartbeat, alarms, now: clock() });
  if (decision.action === 'none') {
    log.info('nothing to do', { why: decision.why });
    return decision;
  }
  if (decision.action === 'hold') {
    log.warn('alias weighted, not ours to move', { why: decision.why });
    return decision;
  }

  const beat = heartbeat as NonNullable<typeof heartbeat>;
  const at = clock().toISOString();
  const base = {
    ...guardianRecordKey(at, beat.runId),
    at,
    runId: beat.runId,
    env: config.env,
    region: config.region,
    functionName: config.functionName,
    alias: config.alias,
    from: { version: alias.version, weights: alias.weights },
    to: beat.stable,
    candidate: beat.candidate,
    reasons: decision.reasons,
    summary: describeReasons(decision.reasons),
  } as const;
  // The intent first: a guardian that dies after moving the alias is still on record.
  await ports.putRecord({ ...base, outcome: 'restoring' });
  log.warn('restoring the stable version', {
    runId: beat.runId,
    from: base.from,
    to: beat.stable.version,
    reasons: decision.reasons,
  });

  let outcome: GuardianOutcome;
  let error: string | undefined;
  try {
    if (!alias.revisionId) {
      throw new Error('the alias came without a RevisionId: no conditional update is possible');
    }
    const moved = await ports.restoreAlias(beat.stable.version, alias.revisionId);
    const after = await ports.getAlias();
    const clean = after.version === beat.stable.version && Object.keys(after.weights).length === 0;
    if (!moved) {
      outcome = 'stood-down';
      error = `alias changed since it was read: now on ${after.version} with weights ${JSON.stringify(after.weights)}`;
    } else if (clean) {
      outcome = 'restored';
    } else {
      outcome = 'failed';
      error = `alias reads back as ${after.version} with weights ${JSON.stringify(after.weights)}`;
    }
  } catch (e) {
    outcome = 'failed';
    error = (e as Error).message;
  }
  const record: GuardianRecord = {
    ...base,
    outcome,
    finishedAt: clock().toISOString(),
    ...(error ? { error } : {}),
  };
  await ports.putRecord(record);
  const line = describeGuardianRecord(record);
  if (outcome === 'restored') {
    const marked = await ports.markRestored(beat.runId, {
      at,
      summary: base.summary,
      record: base.sk,
    });
    if (!marked) log.warn('a newer run owns the heartbeat; left it', { runId: beat.runId });
    log.warn(line, { runId: beat.runId, outcome });
  } else if (outcome === 'stood-down') {
    log.warn(line, { runId: beat.runId, outcome, error });
  } else {
    log.error(line, { runId: beat.runId, outcome, error });
    // A failed restore fails the invocation too: the function's Errors metric shows it.
    throw new Error(line);
  }
  return { action: outcome, record };
};
