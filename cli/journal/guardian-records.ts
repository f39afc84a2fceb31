import {
  describeGuardianRecord,
  GUARDIAN_RECORD_PK,
  type GuardianRecord,
  HEARTBEAT_PK,
  type Heartbeat,
  heartbeatKey,
} from '../../infra/guardian.js';
import type { StateApi } from '../aws/state-api.js';
import type { RunJournal } from './run-journal.js';

/**
 * What the canary guardian (guardian/, infra/guardian.ts) left in the state table, as the
 * CLI shows it: its records joined to the runs they concern (`status`, `history`,
 * `--resume`), and the heartbeat of the canary in flight.
 */

/** The part of a guardian record a run's journal carries. */
export type GuardianView = Pick<
  GuardianRecord,
  'at' | 'outcome' | 'summary' | 'reasons' | 'to' | 'from' | 'error'
>;

/** The newest records first. */
export const readGuardianRecords = async (
  state: Pick<StateApi, 'query'>,
  limit: number,
): Promise<GuardianRecord[]> =>
  (await state.query(GUARDIAN_RECORD_PK, limit)).filter(
    (item): item is GuardianRecord & typeof item =>
      item.pk === GUARDIAN_RECORD_PK && typeof item.runId === 'string',
  ) as GuardianRecord[];

/** Sets `guardian` on each run the guardian acted on (its newest record). Mutates `runs`. */
export const attachGuardianRecords = (
  runs: readonly RunJournal[],
  records: readonly GuardianRecord[],
): void => {
  for (const run of runs) {
    const record = records.find((r) => r.runId === run.runId);
    if (!record) continue;
    run.guardian = {
      at: record.at,
      outcome: record.outcome,
      summary: record.summary,
      reasons: record.reasons,
      to: record.to,
      from: record.from,
      ...(record.error ? { error: record.error } : {}),
    };
  }
};

/** "rolled back by the guardian at T (…) because heartbeat stale since T0 …". */
export const guardianNote = (run: Pick<RunJournal, 'guardian'>): string | undefined =>
  run.guardian ? describeGuardianRecord(run.guardian) : undefined;

export const readHeartbeat = async (
  state: Pick<StateApi, 'get'>,
  region: string,
): Promise<Heartbeat | undefined> => {
  const key = heartbeatKey(region);
  const item = await state.get(key.pk, key.sk);
  return item?.pk === HEARTBEAT_PK ? (item as unknown as Heartbeat) : undefined;
};

/** One line about the canary heartbeat, e.g. "run … active at 10%: last beat 4 s ago". */
export const heartbeatLine = (beat: Heartbeat, now = new Date()): string => {
  const age = Math.max(0, Math.round((now.getTime() - Date.parse(beat.beatAt)) / 1000));
  const at = `${Math.round(beat.weight * 100)}%`;
  switch (beat.phase) {
    case 'active':
      return `canary heartbeat: run ${beat.runId} baking ${at} of version ${beat.candidate.version} until ${beat.deadline}; last beat ${age} s ago (every ${beat.intervalSeconds} s)`;
    case 'paused':
      return `canary heartbeat: run ${beat.runId} paused at ${at} since ${beat.endedAt ?? beat.beatAt} (the guardian watches the alarms)`;
    case 'ending':
      return `canary heartbeat: run ${beat.runId} ended (${beat.endReason ?? 'failed'}) at ${beat.endedAt ?? beat.beatAt}, rolling back`;
    case 'done':
      return `canary heartbeat: run ${beat.runId} done at ${beat.endedAt ?? beat.beatAt}`;
    case 'restored':
      return `canary heartbeat: run ${beat.runId} ${beat.guardian ? `rolled back by the guardian at ${beat.guardian.at} because ${beat.guardian.summary}` : 'rolled back by the guardian'}`;
  }
};
