import type { AlarmState, ComparisonOperator, TreatMissingData } from './alarm-evaluation.js';
import type { MetricDataQuery } from './metric-queries.js';

/**
 * What the sandbox remembers of a metric alarm, in DescribeAlarms' own shape, and the
 * queries and period an alarm's definition implies.
 */

/** An alarm as DescribeAlarms shows it; timestamps in epoch ms. */
export interface AlarmRecord {
  AlarmName: string;
  AlarmArn: string;
  AlarmDescription?: string;
  AlarmConfigurationUpdatedTimestamp: number;
  ActionsEnabled: boolean;
  OKActions: string[];
  AlarmActions: string[];
  InsufficientDataActions: string[];
  StateValue: AlarmState;
  StateReason: string;
  StateReasonData?: string;
  StateUpdatedTimestamp: number;
  StateTransitionedTimestamp: number;
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  ExtendedStatistic?: string;
  Dimensions?: Array<{ Name: string; Value: string }>;
  Period?: number;
  Unit?: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold: number;
  ComparisonOperator: ComparisonOperator;
  TreatMissingData?: TreatMissingData;
  EvaluateLowSampleCountPercentile?: string;
  Metrics?: MetricDataQuery[];
}

/** The configurable part of an alarm (PutMetricAlarm's input, validated). */
export type AlarmDefinition = Omit<
  AlarmRecord,
  | 'AlarmArn'
  | 'AlarmConfigurationUpdatedTimestamp'
  | 'StateValue'
  | 'StateReason'
  | 'StateReasonData'
  | 'StateUpdatedTimestamp'
  | 'StateTransitionedTimestamp'
>;

export type HistoryItemType = 'ConfigurationUpdate' | 'StateUpdate' | 'Action';

export interface HistoryItem {
  AlarmName: string;
  AlarmType: 'MetricAlarm';
  Timestamp: number;
  HistoryItemType: HistoryItemType;
  HistorySummary: string;
  HistoryData: string;
}

export interface Tag {
  Key: string;
  Value: string;
}

/** The queries an alarm reads: its Metrics, or its single metric as query `m1`. */
export const alarmQueries = (alarm: AlarmDefinition): MetricDataQuery[] =>
  alarm.Metrics ?? [
    {
      Id: 'm1',
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: alarm.Namespace ?? '',
          MetricName: alarm.MetricName ?? '',
          ...(alarm.Dimensions ? { Dimensions: alarm.Dimensions } : {}),
        },
        Period: alarm.Period ?? 60,
        Stat: alarm.Statistic ?? alarm.ExtendedStatistic ?? 'Average',
        ...(alarm.Unit ? { Unit: alarm.Unit } : {}),
      },
    },
  ];

/** Seconds per evaluated period: the alarm's, its returned query's, or its inputs' smallest. */
export const alarmPeriod = (alarm: AlarmDefinition): number => {
  if (alarm.Period !== undefined) return alarm.Period;
  const queries = alarm.Metrics ?? [];
  const returned = queries.find((q) => q.ReturnData !== false);
  const own = returned?.MetricStat?.Period ?? returned?.Period;
  if (own !== undefined) return own;
  const periods = queries.flatMap((q) => (q.MetricStat ? [q.MetricStat.Period] : []));
  return periods.length > 0 ? Math.min(...periods) : 60;
};

/** Optional configuration members: an update that omits one removes it. */
export const OPTIONAL_CONFIG = new Set<keyof AlarmRecord>([
  'AlarmDescription',
  'MetricName',
  'Namespace',
  'Statistic',
  'ExtendedStatistic',
  'Dimensions',
  'Period',
  'Unit',
  'DatapointsToAlarm',
  'TreatMissingData',
  'EvaluateLowSampleCountPercentile',
  'Metrics',
]);
