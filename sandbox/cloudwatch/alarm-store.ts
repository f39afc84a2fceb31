import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkAlarm } from './alarm-check.js';
import type { AlarmState } from './alarm-evaluation.js';
import {
  type AlarmDefinition,
  type AlarmRecord,
  alarmPeriod,
  type HistoryItem,
  OPTIONAL_CONFIG,
  type Tag,
} from './alarm-record.js';
import type { MetricStore } from './metric-store.js';
import { alignDown } from './statistics.js';

/**
 * Metric alarms per account and region, their state and change history, persisted as one
 * JSON file (rewritten atomically on every change). `evaluateAlarms` plays CloudWatch's
 * evaluation loop: once per completed period, each alarm reads its range and may change state.
 */

interface StoredAlarm {
  account: string;
  region: string;
  alarm: AlarmRecord;
  tags: Tag[];
  /** Newest last; capped. */
  history: HistoryItem[];
  /** End of the last evaluated range, epoch ms. */
  lastEvaluated?: number;
}

/** A state change made by `evaluateAlarms`, with the actions CloudWatch would notify. */
export interface AlarmTransition {
  readonly account: string;
  readonly region: string;
  readonly alarmName: string;
  readonly alarmArn: string;
  readonly oldState: AlarmState;
  readonly newState: AlarmState;
  readonly reason: string;
  readonly timestamp: number;
  readonly actions: readonly string[];
}

const HISTORY_LIMIT = 100;

export class AlarmStore {
  private alarms: StoredAlarm[] = [];

  /** @param path JSON file of the alarms, loaded here if it exists; omit for memory only. */
  constructor(
    private readonly metrics: MetricStore,
    readonly path?: string,
  ) {
    if (path && existsSync(path)) {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as { alarms?: StoredAlarm[] };
      this.alarms = saved.alarms ?? [];
    }
  }

  private save(): void {
    if (!this.path) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, alarms: this.alarms }, null, 1));
    renameSync(tmp, this.path);
  }

  private find(account: string, region: string, name: string): StoredAlarm | undefined {
    return this.alarms.find(
      (a) => a.account === account && a.region === region && a.alarm.AlarmName === name,
    );
  }

  private record(stored: StoredAlarm, item: Omit<HistoryItem, 'AlarmName' | 'AlarmType'>): void {
    stored.history.push({ AlarmName: stored.alarm.AlarmName, AlarmType: 'MetricAlarm', ...item });
    if (stored.history.length > HISTORY_LIMIT)
      stored.history.splice(0, stored.history.length - HISTORY_LIMIT);
  }

  /** Creates or replaces an alarm. A new one starts in INSUFFICIENT_DATA; an update keeps its state. */
  put(
    account: string,
    region: string,
    definition: AlarmDefinition,
    tags: readonly Tag[],
    now: number,
  ): AlarmRecord {
    const existing = this.find(account, region, definition.AlarmName);
    const arn = `arn:aws:cloudwatch:${region}:${account}:alarm:${definition.AlarmName}`;
    const alarm: AlarmRecord = existing
      ? { ...existing.alarm, ...definition, AlarmConfigurationUpdatedTimestamp: now }
      : {
          ...definition,
          AlarmArn: arn,
          AlarmConfigurationUpdatedTimestamp: now,
          StateValue: 'INSUFFICIENT_DATA',
          StateReason: 'Unchecked: Initial alarm creation',
          StateUpdatedTimestamp: now,
          StateTransitionedTimestamp: now,
        };
    const stored: StoredAlarm = existing ?? { account, region, alarm, tags: [], history: [] };
    stored.alarm = alarm;
    // Optional members dropped by an update must not survive from the old definition.
    for (const key of Object.keys(alarm) as Array<keyof AlarmRecord>) {
      if (existing && !(key in definition) && OPTIONAL_CONFIG.has(key)) delete alarm[key];
    }
    for (const tag of tags) {
      stored.tags = [...stored.tags.filter((t) => t.Key !== tag.Key), tag];
    }
    delete stored.lastEvaluated;
    if (!existing) this.alarms.push(stored);
    this.record(stored, {
      Timestamp: now,
      HistoryItemType: 'ConfigurationUpdate',
      HistorySummary: `Alarm "${alarm.AlarmName}" ${existing ? 'updated' : 'created'}`,
      HistoryData: JSON.stringify({ version: '1.0', type: existing ? 'Update' : 'Create' }),
    });
    this.save();
    return alarm;
  }

  /** Alarms of one account and region, sorted by name. */
  list(account: string, region: string): AlarmRecord[] {
    return this.alarms
      .filter((a) => a.account === account && a.region === region)
      .map((a) => a.alarm)
      .sort((a, b) => (a.AlarmName < b.AlarmName ? -1 : a.AlarmName > b.AlarmName ? 1 : 0));
  }

  get(account: string, region: string, name: string): AlarmRecord | undefined {
    return this.find(account, region, name)?.alarm;
  }

  /** Deletes all the named alarms, or none: returns the names that do not exist. */
  delete(account: string, region: string, names: readonly string[]): string[] {
    const missing = names.filter((n) => !this.find(account, region, n));
    if (missing.length > 0) return missing;
    this.alarms = this.alarms.filter(
      (a) => !(a.account === account && a.region === region && names.includes(a.alarm.AlarmName)),
    );
    this.save();
    return [];
  }

  /** SetAlarmState: the state holds until the next evaluation, as in CloudWatch. */
  setState(
    account: string,
    region: string,
    name: string,
    state: { value: AlarmState; reason: string; reasonData?: string },
    now: number,
  ): boolean {
    const stored = this.find(account, region, name);
    if (!stored) return false;
    this.transition(stored, state.value, state.reason, state.reasonData, now);
    stored.lastEvaluated = alignDown(now, alarmPeriod(stored.alarm) * 1000);
    this.save();
    return true;
  }

  setActionsEnabled(
    account: string,
    region: string,
    names: readonly string[],
    enabled: boolean,
  ): void {
    for (const name of names) {
      const stored = this.find(account, region, name);
      if (stored) stored.alarm.ActionsEnabled = enabled;
    }
    this.save();
  }

  /** Tags of the alarm with this ARN; `undefined` if there is none. */
  tags(arn: string): Tag[] | undefined {
    return this.alarms.find((a) => a.alarm.AlarmArn === arn)?.tags;
  }

  /** Adds (`add`) and removes (`remove` keys) tags; false if the ARN is unknown. */
  retag(arn: string, add: readonly Tag[], remove: readonly string[]): boolean {
    const stored = this.alarms.find((a) => a.alarm.AlarmArn === arn);
    if (!stored) return false;
    const keys = new Set([...remove, ...add.map((t) => t.Key)]);
    stored.tags = [...stored.tags.filter((t) => !keys.has(t.Key)), ...add];
    this.save();
    return true;
  }

  /** History of one account and region (optionally one alarm), newest first. */
  history(account: string, region: string, name?: string): HistoryItem[] {
    return this.alarms
      .filter(
        (a) =>
          a.account === account &&
          a.region === region &&
          (name === undefined || a.alarm.AlarmName === name),
      )
      .flatMap((a) => a.history)
      .sort((a, b) => b.Timestamp - a.Timestamp);
  }

  private transition(
    stored: StoredAlarm,
    value: AlarmState,
    reason: string,
    reasonData: string | undefined,
    now: number,
  ): void {
    const alarm = stored.alarm;
    const old = { stateValue: alarm.StateValue, stateReason: alarm.StateReason };
    const changed = alarm.StateValue !== value;
    alarm.StateValue = value;
    alarm.StateReason = reason;
    if (reasonData === undefined) delete alarm.StateReasonData;
    else alarm.StateReasonData = reasonData;
    alarm.StateUpdatedTimestamp = now;
    if (changed) alarm.StateTransitionedTimestamp = now;
    this.record(stored, {
      Timestamp: now,
      HistoryItemType: 'StateUpdate',
      HistorySummary: `Alarm updated from ${old.stateValue} to ${value}`,
      HistoryData: JSON.stringify({
        version: '1.0',
        oldState: old,
        newState: {
          stateValue: value,
          stateReason: reason,
          ...(reasonData ? { stateReasonData: JSON.parse(reasonData) as unknown } : {}),
        },
      }),
    });
  }

  /**
   * Evaluates every alarm whose next period has completed by `now` (each period once;
   * the period still in progress is not read, as CloudWatch waits for it to close), and
   * returns the state changes. Persists when anything changed.
   */
  evaluateAlarms(now: number = Date.now()): AlarmTransition[] {
    const transitions: AlarmTransition[] = [];
    for (const stored of this.alarms) {
      const alarm = stored.alarm;
      const periodMs = alarmPeriod(alarm) * 1000;
      const end = alignDown(now, periodMs);
      if (stored.lastEvaluated !== undefined && end <= stored.lastEvaluated) continue;
      stored.lastEvaluated = end;
      const { outcome, reasonData } = checkAlarm(
        this.metrics,
        stored.account,
        stored.region,
        alarm,
        end,
        now,
      );
      if (outcome.state === alarm.StateValue) continue;
      const oldState = alarm.StateValue;
      this.transition(stored, outcome.state, outcome.reason, reasonData, now);
      const actions = !alarm.ActionsEnabled
        ? []
        : outcome.state === 'ALARM'
          ? alarm.AlarmActions
          : outcome.state === 'OK'
            ? alarm.OKActions
            : alarm.InsufficientDataActions;
      transitions.push({
        account: stored.account,
        region: stored.region,
        alarmName: alarm.AlarmName,
        alarmArn: alarm.AlarmArn,
        oldState,
        newState: outcome.state,
        reason: outcome.reason,
        timestamp: now,
        actions,
      });
    }
    if (transitions.length > 0) this.save();
    return transitions;
  }
}
