import { z } from 'zod';
import {
  ALARM_STATES,
  type AlarmState,
  COMPARISON_OPERATORS,
  TREAT_MISSING_DATA,
} from './alarm-evaluation.js';
import type { AlarmDefinition, AlarmRecord, HistoryItemType } from './alarm-record.js';
import type { AlarmStore } from './alarm-store.js';
import {
  invalidFormat,
  invalidParameterCombination,
  invalidParameterValue,
  missingParameter,
  resourceNotFound,
  resourceNotFoundException,
  validationError,
} from './cloudwatch-error.js';
import { compileQueries, metricDataQuerySchema } from './metric-queries.js';
import type { Operation } from './operation-context.js';
import { isValidPeriod, parseStat, SIMPLE_STATISTICS, type SimpleStatistic } from './statistics.js';
import {
  dimensionRecord,
  dimensionSchema,
  page,
  parseInput,
  tagSchema,
  unitSchema,
  wireBoolean,
  wireInteger,
  wireList,
  wireNumber,
  wireTimestamp,
} from './wire-schema.js';

/**
 * The metric-alarm operations over an AlarmStore: PutMetricAlarm, DescribeAlarms,
 * DescribeAlarmsForMetric, DeleteAlarms, DescribeAlarmHistory, SetAlarmState,
 * Enable/DisableAlarmActions and the tagging operations (alarms are the taggable resource).
 * Composite alarms are not emulated: they are never listed.
 */

const alarmName = z.string().min(1).max(255);
const alarmNames = wireList(alarmName, { max: 100 });
const actions = wireList(z.string().min(1).max(1024), { max: 5 });
const statistic = z.enum(SIMPLE_STATISTICS as [SimpleStatistic, ...SimpleStatistic[]]);
const alarmState = z.enum(ALARM_STATES as [AlarmState, ...AlarmState[]]);
const alarmTypes = wireList(z.enum(['CompositeAlarm', 'MetricAlarm']), { max: 2 });
const maxRecords = wireInteger.pipe(z.number().min(1).max(100));

const putMetricAlarmSchema = z.object({
  AlarmName: alarmName,
  AlarmDescription: z.string().max(1024).optional(),
  ActionsEnabled: wireBoolean.optional(),
  OKActions: actions.optional(),
  AlarmActions: actions.optional(),
  InsufficientDataActions: actions.optional(),
  MetricName: z.string().min(1).max(255).optional(),
  Namespace: z.string().min(1).max(255).optional(),
  Statistic: statistic.optional(),
  ExtendedStatistic: z.string().min(1).optional(),
  Dimensions: wireList(dimensionSchema, { max: 30 }).optional(),
  Period: wireInteger.optional(),
  Unit: unitSchema.optional(),
  EvaluationPeriods: wireInteger.pipe(z.number().min(1)),
  DatapointsToAlarm: wireInteger.pipe(z.number().min(1)).optional(),
  Threshold: wireNumber,
  ComparisonOperator: z.enum(COMPARISON_OPERATORS),
  TreatMissingData: z.enum(TREAT_MISSING_DATA).optional(),
  EvaluateLowSampleCountPercentile: z.enum(['evaluate', 'ignore']).optional(),
  Metrics: wireList(metricDataQuerySchema, { min: 1, max: 20 }).optional(),
  Tags: wireList(tagSchema, { max: 50 }).optional(),
  ThresholdMetricId: z.string().optional(),
});

type PutMetricAlarmInput = z.infer<typeof putMetricAlarmSchema>;

const describeAlarmsSchema = z.object({
  AlarmNames: alarmNames.optional(),
  AlarmNamePrefix: z.string().min(1).max(255).optional(),
  AlarmTypes: alarmTypes.optional(),
  ChildrenOfAlarmName: z.string().optional(),
  ParentsOfAlarmName: z.string().optional(),
  StateValue: alarmState.optional(),
  ActionPrefix: z.string().min(1).max(1024).optional(),
  MaxRecords: maxRecords.optional(),
  NextToken: z.string().optional(),
});

const describeAlarmsForMetricSchema = z.object({
  MetricName: z.string().min(1).max(255),
  Namespace: z.string().min(1).max(255),
  Statistic: statistic.optional(),
  ExtendedStatistic: z.string().optional(),
  Dimensions: wireList(dimensionSchema, { max: 30 }).optional(),
  Period: wireInteger.optional(),
  Unit: unitSchema.optional(),
});

const describeAlarmHistorySchema = z.object({
  AlarmName: alarmName.optional(),
  AlarmTypes: alarmTypes.optional(),
  HistoryItemType: z.enum(['ConfigurationUpdate', 'StateUpdate', 'Action']).optional(),
  StartDate: wireTimestamp.optional(),
  EndDate: wireTimestamp.optional(),
  MaxRecords: maxRecords.optional(),
  NextToken: z.string().optional(),
  ScanBy: z.enum(['TimestampDescending', 'TimestampAscending']).optional(),
});

const setAlarmStateSchema = z.object({
  AlarmName: alarmName,
  StateValue: alarmState,
  StateReason: z.string().max(1023),
  StateReasonData: z.string().max(4000).optional(),
});

const resourceArn = z.object({ ResourceARN: z.string().min(1).max(1024) });

const DESCRIBE_ALARMS_PAGE = 50;
const HISTORY_PAGE = 100;

/** The object without its `undefined` members: an alarm update must not keep what it omits. */
const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** DescribeAlarms' view of a stored alarm: the same members, timestamps as dates. */
const alarmOutput = (alarm: AlarmRecord) => ({
  ...alarm,
  AlarmConfigurationUpdatedTimestamp: new Date(alarm.AlarmConfigurationUpdatedTimestamp),
  StateUpdatedTimestamp: new Date(alarm.StateUpdatedTimestamp),
  StateTransitionedTimestamp: new Date(alarm.StateTransitionedTimestamp),
});

/** Checks the single-metric form: namespace, period and one statistic, nothing of `Metrics`. */
const checkSingleMetric = (input: PutMetricAlarmInput): void => {
  if (input.Namespace === undefined) throw missingParameter('Namespace');
  if (input.Period === undefined) throw missingParameter('Period');
  if ((input.Statistic === undefined) === (input.ExtendedStatistic === undefined)) {
    throw invalidParameterCombination(
      'Exactly one of the parameters Statistic and ExtendedStatistic must be specified.',
    );
  }
  if (input.ExtendedStatistic !== undefined && !parseStat(input.ExtendedStatistic)) {
    throw invalidParameterValue(
      `The value ${input.ExtendedStatistic} for parameter ExtendedStatistic is not supported.`,
    );
  }
  if (!isValidPeriod(input.Period)) {
    throw invalidParameterValue(
      `The parameter Period must be 1, 5, 10, 20, 30 or a multiple of 60; got ${input.Period}.`,
    );
  }
  dimensionRecord(input.Dimensions);
};

/** Checks the metric-math form: valid queries, exactly one of them returning data. */
const checkMetrics = (input: PutMetricAlarmInput): void => {
  const single = [
    input.Namespace,
    input.Statistic,
    input.ExtendedStatistic,
    input.Dimensions,
    input.Period,
    input.Unit,
  ];
  if (single.some((v) => v !== undefined)) {
    throw invalidParameterCombination(
      'The parameters Namespace, Statistic, ExtendedStatistic, Dimensions, Period and Unit cannot be combined with Metrics.',
    );
  }
  const queries = compileQueries(input.Metrics ?? []);
  if (queries.filter((q) => q.ReturnData !== false).length !== 1) {
    throw validationError('Exactly one element of the metrics list should return data.');
  }
};

const toDefinition = (input: PutMetricAlarmInput): AlarmDefinition => {
  if (input.ThresholdMetricId !== undefined) {
    throw invalidParameterValue('Anomaly-detection alarms (ThresholdMetricId) are not emulated.');
  }
  if ((input.MetricName === undefined) === (input.Metrics === undefined)) {
    throw invalidParameterCombination(
      'Exactly one of the parameters MetricName and Metrics must be specified.',
    );
  }
  if (input.MetricName !== undefined) checkSingleMetric(input);
  else checkMetrics(input);
  if (input.DatapointsToAlarm !== undefined && input.DatapointsToAlarm > input.EvaluationPeriods) {
    throw validationError('DatapointsToAlarm must be less than or equal to EvaluationPeriods.');
  }
  return defined({
    AlarmName: input.AlarmName,
    AlarmDescription: input.AlarmDescription,
    ActionsEnabled: input.ActionsEnabled ?? true,
    OKActions: input.OKActions ?? [],
    AlarmActions: input.AlarmActions ?? [],
    InsufficientDataActions: input.InsufficientDataActions ?? [],
    MetricName: input.MetricName,
    Namespace: input.Namespace,
    Statistic: input.Statistic,
    ExtendedStatistic: input.ExtendedStatistic,
    Dimensions: input.Dimensions,
    Period: input.Period,
    Unit: input.Unit,
    EvaluationPeriods: input.EvaluationPeriods,
    DatapointsToAlarm: input.DatapointsToAlarm,
    Threshold: input.Threshold,
    ComparisonOperator: input.ComparisonOperator,
    TreatMissingData: input.TreatMissingData,
    EvaluateLowSampleCountPercentile: input.EvaluateLowSampleCountPercentile,
    Metrics: input.Metrics,
  });
};

const sameDimensions = (
  a: ReadonlyArray<{ Name: string; Value: string }> | undefined,
  b: ReadonlyArray<{ Name: string; Value: string }> | undefined,
): boolean => {
  const left = dimensionRecord(a);
  const right = dimensionRecord(b);
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((k) => left[k] === right[k]);
};

/** The alarm operations, bound to one store. */
export const alarmOperations = (store: AlarmStore): Record<string, Operation> => {
  /** Tagging acts only on the caller's own alarms: another account's ARN reads as unknown. */
  const ownArn = (arn: string, account: string, region: string): string => {
    if (!arn.startsWith(`arn:aws:cloudwatch:${region}:${account}:alarm:`)) {
      throw resourceNotFoundException(arn);
    }
    return arn;
  };

  return {
    PutMetricAlarm: (raw, { account, region, now }) => {
      const input = parseInput(putMetricAlarmSchema, raw);
      store.put(account, region, toDefinition(input), input.Tags ?? [], now);
      return undefined;
    },

    DescribeAlarms: (raw, { account, region }) => {
      const input = parseInput(describeAlarmsSchema, raw);
      if (input.AlarmNames?.length && input.AlarmNamePrefix !== undefined) {
        throw invalidParameterCombination(
          'The parameters AlarmNames and AlarmNamePrefix are mutually exclusive.',
        );
      }
      const metricAlarmsWanted =
        (input.AlarmTypes === undefined || input.AlarmTypes.includes('MetricAlarm')) &&
        // Both name the relatives of a composite alarm, and composites are not emulated.
        input.ChildrenOfAlarmName === undefined &&
        input.ParentsOfAlarmName === undefined;
      const names = input.AlarmNames?.length ? new Set(input.AlarmNames) : undefined;
      const prefix = input.ActionPrefix;
      const matching = !metricAlarmsWanted
        ? []
        : store
            .list(account, region)
            .filter(
              (a) =>
                (!names || names.has(a.AlarmName)) &&
                (input.AlarmNamePrefix === undefined ||
                  a.AlarmName.startsWith(input.AlarmNamePrefix)) &&
                (input.StateValue === undefined || a.StateValue === input.StateValue) &&
                (prefix === undefined ||
                  [...a.AlarmActions, ...a.OKActions, ...a.InsufficientDataActions].some((x) =>
                    x.startsWith(prefix),
                  )),
            );
      const { items, nextToken } = page(
        matching,
        input.NextToken,
        input.MaxRecords ?? DESCRIBE_ALARMS_PAGE,
      );
      return { MetricAlarms: items.map(alarmOutput), CompositeAlarms: [], NextToken: nextToken };
    },

    DescribeAlarmsForMetric: (raw, { account, region }) => {
      const input = parseInput(describeAlarmsForMetricSchema, raw);
      const alarms = store
        .list(account, region)
        .filter(
          (a) =>
            a.MetricName === input.MetricName &&
            a.Namespace === input.Namespace &&
            (input.Statistic === undefined || a.Statistic === input.Statistic) &&
            (input.ExtendedStatistic === undefined ||
              a.ExtendedStatistic === input.ExtendedStatistic) &&
            (input.Dimensions === undefined || sameDimensions(a.Dimensions, input.Dimensions)) &&
            (input.Period === undefined || a.Period === input.Period) &&
            (input.Unit === undefined || a.Unit === input.Unit),
        );
      return { MetricAlarms: alarms.map(alarmOutput) };
    },

    DeleteAlarms: (raw, { account, region }) => {
      const input = parseInput(z.object({ AlarmNames: alarmNames }), raw);
      const missing = store.delete(account, region, input.AlarmNames);
      if (missing.length > 0) {
        throw resourceNotFound(
          `${missing.length} out of ${input.AlarmNames.length} alarms were not found: ${missing.join(', ')}`,
        );
      }
      return undefined;
    },

    DescribeAlarmHistory: (raw, { account, region }) => {
      const input = parseInput(describeAlarmHistorySchema, raw);
      const types: readonly string[] = input.AlarmTypes ?? ['MetricAlarm'];
      const wanted = (type: HistoryItemType) =>
        input.HistoryItemType === undefined || type === input.HistoryItemType;
      const items = !types.includes('MetricAlarm')
        ? []
        : store
            .history(account, region, input.AlarmName)
            .filter(
              (h) =>
                wanted(h.HistoryItemType) &&
                (input.StartDate === undefined || h.Timestamp >= input.StartDate) &&
                (input.EndDate === undefined || h.Timestamp <= input.EndDate),
            );
      if (input.ScanBy === 'TimestampAscending') items.reverse();
      const paged = page(items, input.NextToken, input.MaxRecords ?? HISTORY_PAGE);
      return {
        AlarmHistoryItems: paged.items.map((h) => ({ ...h, Timestamp: new Date(h.Timestamp) })),
        NextToken: paged.nextToken,
      };
    },

    SetAlarmState: (raw, { account, region, now }) => {
      const input = parseInput(setAlarmStateSchema, raw);
      if (input.StateReasonData !== undefined) {
        try {
          JSON.parse(input.StateReasonData);
        } catch {
          throw invalidFormat('The parameter StateReasonData must be valid JSON.');
        }
      }
      const found = store.setState(
        account,
        region,
        input.AlarmName,
        {
          value: input.StateValue,
          reason: input.StateReason,
          ...(input.StateReasonData !== undefined ? { reasonData: input.StateReasonData } : {}),
        },
        now,
      );
      if (!found) throw resourceNotFound(`Alarm ${input.AlarmName} not found`);
      return undefined;
    },

    EnableAlarmActions: (raw, { account, region }) => {
      const input = parseInput(z.object({ AlarmNames: alarmNames }), raw);
      store.setActionsEnabled(account, region, input.AlarmNames, true);
      return undefined;
    },

    DisableAlarmActions: (raw, { account, region }) => {
      const input = parseInput(z.object({ AlarmNames: alarmNames }), raw);
      store.setActionsEnabled(account, region, input.AlarmNames, false);
      return undefined;
    },

    TagResource: (raw, { account, region }) => {
      const input = parseInput(resourceArn.extend({ Tags: wireList(tagSchema, { max: 50 }) }), raw);
      if (!store.retag(ownArn(input.ResourceARN, account, region), input.Tags, [])) {
        throw resourceNotFoundException(input.ResourceARN);
      }
      return {};
    },

    UntagResource: (raw, { account, region }) => {
      const input = parseInput(
        resourceArn.extend({ TagKeys: wireList(z.string().min(1).max(128), { max: 50 }) }),
        raw,
      );
      if (!store.retag(ownArn(input.ResourceARN, account, region), [], input.TagKeys)) {
        throw resourceNotFoundException(input.ResourceARN);
      }
      return {};
    },

    ListTagsForResource: (raw, { account, region }) => {
      const input = parseInput(resourceArn, raw);
      const tags = store.tags(ownArn(input.ResourceARN, account, region));
      if (!tags) throw resourceNotFoundException(input.ResourceARN);
      return { Tags: tags };
    },
  };
};
