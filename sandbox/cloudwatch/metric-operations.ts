import { z } from 'zod';
import {
  invalidParameterCombination,
  invalidParameterValue,
  validationError,
} from './cloudwatch-error.js';
import { metricDataToDatums, putMetricDataSchema } from './metric-data-input.js';
import { metricDataQueriesSchema, type Point, runMetricQueries } from './metric-queries.js';
import type { MetricStore } from './metric-store.js';
import type { Operation } from './operation-context.js';
import {
  alignDown,
  bucketize,
  isValidPeriod,
  parseStat,
  SIMPLE_STATISTICS,
  type SimpleStatistic,
  type StatSpec,
  statValue,
} from './statistics.js';
import {
  decodeToken,
  dimensionList,
  dimensionRecord,
  dimensionSchema,
  encodeToken,
  page,
  parseInput,
  unitSchema,
  wireInteger,
  wireList,
  wireTimestamp,
} from './wire-schema.js';

/** PutMetricData, GetMetricData, GetMetricStatistics and ListMetrics over a MetricStore. */

const getMetricDataSchema = z.object({
  MetricDataQueries: metricDataQueriesSchema,
  StartTime: wireTimestamp,
  EndTime: wireTimestamp,
  NextToken: z.string().optional(),
  ScanBy: z.enum(['TimestampDescending', 'TimestampAscending']).optional(),
  MaxDatapoints: wireInteger.pipe(z.number().min(1)).optional(),
});

const getMetricStatisticsSchema = z.object({
  Namespace: z.string().min(1).max(255),
  MetricName: z.string().min(1).max(255),
  Dimensions: wireList(dimensionSchema, { max: 30 }).optional(),
  StartTime: wireTimestamp,
  EndTime: wireTimestamp,
  Period: wireInteger,
  Statistics: wireList(z.enum(SIMPLE_STATISTICS as [SimpleStatistic, ...SimpleStatistic[]]), {
    max: 5,
  }).optional(),
  ExtendedStatistics: wireList(z.string().min(1), { max: 10 }).optional(),
  Unit: unitSchema.optional(),
});

const listMetricsSchema = z.object({
  Namespace: z.string().min(1).max(255).optional(),
  MetricName: z.string().min(1).max(255).optional(),
  Dimensions: wireList(
    z.object({ Name: z.string().min(1).max(255), Value: z.string().min(1).max(1024).optional() }),
    { max: 10 },
  ).optional(),
  NextToken: z.string().optional(),
  RecentlyActive: z.literal('PT3H').optional(),
});

/** GetMetricData's default and largest page, in datapoints. */
const MAX_DATAPOINTS = 100_800;
/** GetMetricStatistics answers at most this many periods. */
const MAX_STATISTICS_DATAPOINTS = 1440;
const LIST_METRICS_PAGE = 500;
const THREE_HOURS_MS = 3 * 60 * 60 * 1000;

const requireRange = (start: number, end: number): void => {
  if (start >= end) {
    throw invalidParameterValue('The parameter StartTime must be less than the parameter EndTime.');
  }
};

/**
 * GetMetricData pages by datapoints, not by queries: the points of all returned queries are
 * laid end to end and each page takes the next `MaxDatapoints` of them. A query cut by the
 * page boundary reports `PartialData` and continues on the next page.
 */
const pageResults = (
  results: ReadonlyArray<{ id: string; label: string; points: readonly Point[] }>,
  offset: number,
  max: number,
) => {
  const total = results.reduce((n, r) => n + r.points.length, 0);
  if (offset > total) throw validationError('The NextToken does not belong to this request.');
  const end = offset + max;
  let first = 0;
  const page = results.flatMap((result) => {
    const from = Math.max(offset - first, 0);
    const to = Math.min(end - first, result.points.length);
    first += result.points.length;
    // The first page lists every query, even empty ones; later pages only those continued.
    if (to <= from && !(offset === 0 && result.points.length === 0)) return [];
    const points = result.points.slice(from, Math.max(from, to));
    return [
      {
        Id: result.id,
        Label: result.label,
        Timestamps: points.map((p) => new Date(p.timestamp)),
        Values: points.map((p) => p.value),
        StatusCode: to >= result.points.length ? 'Complete' : 'PartialData',
      },
    ];
  });
  return { page, nextToken: end < total ? encodeToken(end) : undefined };
};

const extendedSpecs = (stats: readonly string[]): Array<[string, StatSpec]> =>
  stats.map((stat) => {
    const spec = parseStat(stat);
    if (spec?.kind !== 'percentile') {
      throw invalidParameterValue(
        `The value ${stat} for parameter ExtendedStatistics is not a supported percentile (p0.0 to p100).`,
      );
    }
    return [stat, spec];
  });

/** The metric operations, bound to one store. */
export const metricOperations = (store: MetricStore): Record<string, Operation> => ({
  PutMetricData: (raw, { account, region, now }) => {
    const input = parseInput(putMetricDataSchema, raw);
    store.put(metricDataToDatums(input, account, region, now));
    return undefined;
  },

  GetMetricData: (raw, { account, region }) => {
    const input = parseInput(getMetricDataSchema, raw);
    requireRange(input.StartTime, input.EndTime);
    for (const q of input.MetricDataQueries) {
      if (q.AccountId !== undefined && q.AccountId !== account) {
        throw invalidParameterValue(
          `Query ${q.Id}: cross-account queries (AccountId ${q.AccountId}) are not emulated.`,
        );
      }
    }
    const descending = (input.ScanBy ?? 'TimestampDescending') === 'TimestampDescending';
    const results = runMetricQueries(
      store,
      account,
      region,
      input.MetricDataQueries,
      input.StartTime,
      input.EndTime,
    )
      .filter((r) => r.returnData)
      .map((r) => ({ ...r, points: descending ? [...r.points].reverse() : r.points }));
    const paged = pageResults(
      results,
      decodeToken(input.NextToken),
      Math.min(input.MaxDatapoints ?? MAX_DATAPOINTS, MAX_DATAPOINTS),
    );
    return { MetricDataResults: paged.page, NextToken: paged.nextToken, Messages: [] };
  },

  GetMetricStatistics: (raw, { account, region }) => {
    const input = parseInput(getMetricStatisticsSchema, raw);
    requireRange(input.StartTime, input.EndTime);
    const statistics = input.Statistics ?? [];
    const extended = extendedSpecs(input.ExtendedStatistics ?? []);
    if (statistics.length === 0 && extended.length === 0) {
      throw invalidParameterCombination(
        'At least one of the parameters Statistics and ExtendedStatistics must be specified.',
      );
    }
    if (!isValidPeriod(input.Period)) {
      throw invalidParameterValue(
        `The parameter Period must be 1, 5, 10, 20, 30 or a multiple of 60; got ${input.Period}.`,
      );
    }
    const periodMs = input.Period * 1000;
    const start = alignDown(input.StartTime, periodMs);
    const requested = Math.ceil((input.EndTime - start) / periodMs);
    if (requested > MAX_STATISTICS_DATAPOINTS) {
      throw invalidParameterCombination(
        `You have requested up to ${requested} datapoints, which exceeds the limit of ${MAX_STATISTICS_DATAPOINTS}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
      );
    }
    const samples = store.samples(
      account,
      region,
      {
        namespace: input.Namespace,
        metricName: input.MetricName,
        dimensions: dimensionRecord(input.Dimensions),
      },
      start,
      input.EndTime,
      input.Unit,
    );
    // A bucket reports the unit its data was published with (the last one, if mixed).
    const unitByBucket = new Map<number, string | undefined>(
      samples.map((s) => [alignDown(s.timestamp, periodMs), s.unit]),
    );
    const datapoints = bucketize(samples, periodMs).map((bucket) => {
      const simple = Object.fromEntries(
        statistics.map((stat) => [stat, statValue(bucket.aggregate, { kind: stat })]),
      );
      const percentiles = new Map<string, number>();
      for (const [name, spec] of extended) {
        const value = statValue(bucket.aggregate, spec);
        if (value !== undefined) percentiles.set(name, value);
      }
      return {
        Timestamp: new Date(bucket.timestamp),
        ...simple,
        Unit: input.Unit ?? unitByBucket.get(bucket.timestamp) ?? 'None',
        ...(extended.length > 0 ? { ExtendedStatistics: percentiles } : {}),
      };
    });
    return { Label: input.MetricName, Datapoints: datapoints };
  },

  ListMetrics: (raw, { account, region, now }) => {
    const input = parseInput(listMetricsSchema, raw);
    const metrics = store.listMetrics(account, region, {
      ...(input.Namespace !== undefined ? { namespace: input.Namespace } : {}),
      ...(input.MetricName !== undefined ? { metricName: input.MetricName } : {}),
      ...(input.Dimensions
        ? {
            dimensions: input.Dimensions.map((d) => ({
              name: d.Name,
              ...(d.Value !== undefined ? { value: d.Value } : {}),
            })),
          }
        : {}),
      ...(input.RecentlyActive ? { activeSince: now - THREE_HOURS_MS } : {}),
    });
    const { items, nextToken } = page(metrics, input.NextToken, LIST_METRICS_PAGE);
    return {
      Metrics: items.map((m) => ({
        Namespace: m.namespace,
        MetricName: m.metricName,
        Dimensions: dimensionList(m.dimensions),
      })),
      NextToken: nextToken,
    };
  },
});
