import { type AlarmEvaluation, evaluateAlarmState } from './alarm-evaluation.js';
import { type AlarmRecord, alarmPeriod, alarmQueries } from './alarm-record.js';
import { runMetricQueries } from './metric-queries.js';
import type { MetricStore } from './metric-store.js';

/**
 * One evaluation of one alarm: read its evaluation range from the store, lay the returned
 * series out as one slot per period, and let the pure `evaluateAlarmState` decide.
 */

export interface AlarmCheck {
  /** Start of the evaluation range, epoch ms. */
  readonly start: number;
  readonly outcome: AlarmEvaluation;
  /** The StateReasonData CloudWatch would record for this evaluation (JSON text). */
  readonly reasonData: string;
}

/** `2026-11-25T12:00:00.000+0000`, CloudWatch's timestamp format inside StateReasonData. */
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

/**
 * Evaluates `alarm` over the `EvaluationPeriods` complete periods that end at `end`
 * (a period boundary); `now` is only the query date recorded in the reason data.
 */
export const checkAlarm = (
  metrics: MetricStore,
  account: string,
  region: string,
  alarm: AlarmRecord,
  end: number,
  now: number,
): AlarmCheck => {
  const periodMs = alarmPeriod(alarm) * 1000;
  const start = end - alarm.EvaluationPeriods * periodMs;
  let points: ReadonlyMap<number, number>;
  try {
    const results = runMetricQueries(metrics, account, region, alarmQueries(alarm), start, end);
    const returned = results.find((r) => r.returnData);
    points = new Map((returned?.points ?? []).map((p) => [p.timestamp, p.value]));
  } catch {
    // Definitions are validated by PutMetricAlarm; a query that still fails reads as no data.
    points = new Map();
  }
  const slots = Array.from({ length: alarm.EvaluationPeriods }, (_, i) => {
    const timestamp = start + i * periodMs;
    const value = points.get(timestamp);
    return value === undefined ? { timestamp } : { timestamp, value };
  });
  const outcome = evaluateAlarmState({
    comparisonOperator: alarm.ComparisonOperator,
    threshold: alarm.Threshold,
    evaluationPeriods: alarm.EvaluationPeriods,
    ...(alarm.DatapointsToAlarm !== undefined
      ? { datapointsToAlarm: alarm.DatapointsToAlarm }
      : {}),
    ...(alarm.TreatMissingData ? { treatMissingData: alarm.TreatMissingData } : {}),
    currentState: alarm.StateValue,
    slots,
  });
  const statistic = alarm.Statistic ?? alarm.ExtendedStatistic;
  const reasonData = JSON.stringify({
    version: '1.0',
    queryDate: iso(now),
    startDate: iso(start),
    ...(statistic ? { statistic } : {}),
    period: periodMs / 1000,
    recentDatapoints: outcome.recent.map((s) => s.value),
    threshold: alarm.Threshold,
    evaluatedDatapoints: outcome.recent.map((s) => ({
      timestamp: iso(s.timestamp),
      value: s.value,
    })),
  });
  return { start, outcome, reasonData };
};
