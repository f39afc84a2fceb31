import { z } from 'zod';
import { invalidParameterCombination, invalidParameterValue } from './cloudwatch-error.js';
import type { MetricDatum } from './metric-sink.js';
import { alignDown } from './statistics.js';
import {
  dimensionRecord,
  dimensionSchema,
  unitSchema,
  wireInteger,
  wireList,
  wireNumber,
  wireTimestamp,
} from './wire-schema.js';

/**
 * PutMetricData's input, validated the way CloudWatch validates it, and turned into the
 * store's MetricDatum entries.
 */

const statisticSetSchema = z.object({
  SampleCount: wireNumber,
  Sum: wireNumber,
  Minimum: wireNumber,
  Maximum: wireNumber,
});

const metricDatumSchema = z.object({
  MetricName: z.string().min(1).max(255),
  Dimensions: wireList(dimensionSchema, { max: 30 }).optional(),
  Timestamp: wireTimestamp.optional(),
  Value: wireNumber.optional(),
  StatisticValues: statisticSetSchema.optional(),
  Values: wireList(wireNumber, { max: 150 }).optional(),
  Counts: wireList(wireNumber, { max: 150 }).optional(),
  Unit: unitSchema.optional(),
  StorageResolution: wireInteger.optional(),
});

export const putMetricDataSchema = z.object({
  Namespace: z.string().min(1).max(255),
  MetricData: wireList(metricDatumSchema, { min: 1, max: 1000 }),
});

type WireDatum = z.infer<typeof metricDatumSchema>;

const HOUR_MS = 60 * 60 * 1000;
const FUTURE_LIMIT_MS = 2 * HOUR_MS;
const PAST_LIMIT_MS = 14 * 24 * HOUR_MS;

/**
 * The datum's timestamp as stored. CloudWatch keeps standard-resolution data (the default,
 * StorageResolution 60) at one-minute granularity and high-resolution data (1) at one
 * second, so a 1-second query over standard data still shows one point per minute.
 */
const storedTimestamp = (datum: WireDatum, at: string, now: number): number => {
  const resolution = datum.StorageResolution ?? 60;
  if (resolution !== 1 && resolution !== 60) {
    throw invalidParameterValue(
      `The value ${resolution} for parameter ${at}.StorageResolution is invalid: it must be 1 or 60.`,
    );
  }
  const timestamp = datum.Timestamp ?? now;
  if (timestamp > now + FUTURE_LIMIT_MS) {
    throw invalidParameterValue(
      `The parameter ${at}.Timestamp must specify a time no more than two hours in the future.`,
    );
  }
  if (timestamp < now - PAST_LIMIT_MS) {
    throw invalidParameterValue(
      `The parameter ${at}.Timestamp must specify a time within the past two weeks.`,
    );
  }
  return alignDown(timestamp, resolution * 1000);
};

/** The value part of one datum: exactly one of Value, Values(+Counts) and StatisticValues. */
const datumValues = (
  datum: WireDatum,
  at: string,
): Pick<MetricDatum, 'values' | 'counts' | 'statistics'> => {
  const given = [datum.Value, datum.Values, datum.StatisticValues].filter((v) => v !== undefined);
  if (given.length !== 1) {
    throw invalidParameterCombination(
      `Exactly one of the parameters ${at}.Value, ${at}.Values and ${at}.StatisticValues must be specified.`,
    );
  }
  if (datum.Counts !== undefined && datum.Values === undefined) {
    throw invalidParameterCombination(`The parameter ${at}.Counts requires ${at}.Values.`);
  }
  if (datum.Value !== undefined) return { values: [datum.Value] };
  if (datum.Values !== undefined) {
    if (datum.Counts !== undefined && datum.Counts.length !== datum.Values.length) {
      throw invalidParameterValue(
        `The parameters ${at}.Values and ${at}.Counts must be arrays of the same length.`,
      );
    }
    if (datum.Counts?.some((c) => c < 0)) {
      throw invalidParameterValue(`The parameter ${at}.Counts must not contain negative counts.`);
    }
    return datum.Counts ? { values: datum.Values, counts: datum.Counts } : { values: datum.Values };
  }
  const set = datum.StatisticValues as z.infer<typeof statisticSetSchema>;
  if (!(set.SampleCount > 0) || set.Minimum > set.Maximum) {
    throw invalidParameterValue(
      `The parameter ${at}.StatisticValues is invalid: SampleCount must be positive and Minimum at most Maximum.`,
    );
  }
  return {
    values: [],
    statistics: {
      sampleCount: set.SampleCount,
      sum: set.Sum,
      minimum: set.Minimum,
      maximum: set.Maximum,
    },
  };
};

/**
 * PutMetricData's validated input as store data; throws a 400 CloudWatchError naming the
 * offending member (`MetricData.member.2.Values`), before anything is stored.
 */
export const metricDataToDatums = (
  input: z.infer<typeof putMetricDataSchema>,
  account: string,
  region: string,
  now: number,
): MetricDatum[] => {
  // AWS/ namespaces belong to AWS services; here the sandbox's own emitters feed them.
  if (input.Namespace.startsWith('AWS/')) {
    throw invalidParameterValue(
      `The value ${input.Namespace} for parameter Namespace is invalid: namespaces starting with AWS/ are reserved.`,
    );
  }
  return input.MetricData.map((datum, i) => {
    const at = `MetricData.member.${i + 1}`;
    const unit = datum.Unit && datum.Unit !== 'None' ? { unit: datum.Unit } : {};
    return {
      account,
      region,
      namespace: input.Namespace,
      metricName: datum.MetricName,
      dimensions: dimensionRecord(datum.Dimensions),
      timestamp: storedTimestamp(datum, at, now),
      ...datumValues(datum, at),
      ...unit,
    };
  });
};
