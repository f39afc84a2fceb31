import { z } from 'zod';
import { invalidParameterValue, validationError } from './cloudwatch-error.js';
import {
  type Expr,
  evaluateExpression,
  MathError,
  parseExpression,
  referencedIds,
  type TimeSeries,
} from './metric-math.js';
import type { MetricStore } from './metric-store.js';
import { alignDown, bucketize, isValidPeriod, parseStat, statValue } from './statistics.js';
import {
  dimensionRecord,
  metricSchema,
  wireBoolean,
  wireInteger,
  wireList,
} from './wire-schema.js';

/**
 * MetricDataQueries (MetricStat or Expression) evaluated against the store: shared by
 * GetMetricData and by alarms, which are defined with the same query structure.
 */

export const metricDataQuerySchema = z.object({
  Id: z.string().min(1).max(255),
  MetricStat: z
    .object({
      Metric: metricSchema,
      Period: wireInteger,
      Stat: z.string().min(1),
      Unit: z.string().optional(),
    })
    .optional(),
  Expression: z.string().min(1).max(2048).optional(),
  Label: z.string().optional(),
  ReturnData: wireBoolean.optional(),
  Period: wireInteger.optional(),
  AccountId: z.string().optional(),
});

export const metricDataQueriesSchema = wireList(metricDataQuerySchema, { min: 1, max: 500 });

export type MetricDataQuery = z.infer<typeof metricDataQuerySchema>;

/** A point of a query result; epoch ms. */
export interface Point {
  readonly timestamp: number;
  readonly value: number;
}

export interface QueryResult {
  readonly id: string;
  readonly label: string;
  readonly returnData: boolean;
  /** Ascending by timestamp. */
  readonly points: readonly Point[];
}

type Compiled = MetricDataQuery & { readonly expr?: Expr };

const ID = /^[a-z][a-zA-Z0-9_]*$/;

/**
 * Checks a query list as CloudWatch does before reading any data: ids well-formed and
 * unique, one of MetricStat/Expression each, stats and periods valid, expressions parseable
 * and referring only to ids of the same request. Throws a 400 CloudWatchError.
 */
export const compileQueries = (queries: readonly MetricDataQuery[]): Compiled[] => {
  const ids = new Set<string>();
  const compiled = queries.map((q): Compiled => {
    if (!ID.test(q.Id)) {
      throw validationError(
        `The value ${q.Id} for field Id is invalid: it must start with a lowercase letter and contain only letters, digits and underscores.`,
      );
    }
    if (ids.has(q.Id)) throw validationError(`The Id ${q.Id} is used more than once.`);
    ids.add(q.Id);
    if ((q.MetricStat === undefined) === (q.Expression === undefined)) {
      throw validationError(`Query ${q.Id} must have exactly one of MetricStat and Expression.`);
    }
    if (q.Period !== undefined && !isValidPeriod(q.Period)) {
      throw invalidParameterValue(`Query ${q.Id}: the Period ${q.Period} is not valid.`);
    }
    if (q.MetricStat) {
      if (!parseStat(q.MetricStat.Stat)) {
        throw invalidParameterValue(
          `Query ${q.Id}: the statistic ${q.MetricStat.Stat} is not supported.`,
        );
      }
      if (!isValidPeriod(q.MetricStat.Period)) {
        throw invalidParameterValue(
          `Query ${q.Id}: the Period ${q.MetricStat.Period} must be 1, 5, 10, 20, 30 or a multiple of 60.`,
        );
      }
      dimensionRecord(q.MetricStat.Metric.Dimensions);
      return q;
    }
    try {
      return { ...q, expr: parseExpression(q.Expression as string) };
    } catch (error) {
      if (error instanceof MathError)
        throw validationError(`Error in expression ${q.Id}: ${error.message}`);
      throw error;
    }
  });
  for (const q of compiled) {
    for (const ref of q.expr ? referencedIds(q.expr) : []) {
      if (!ids.has(ref))
        throw validationError(`Error in expression ${q.Id}: Unrecognized id ${ref}`);
    }
  }
  return compiled;
};

/** The period an expression's scalar result is spread over: its own, else its inputs'. */
const gridPeriod = (q: Compiled, all: readonly Compiled[]): number => {
  if (q.Period !== undefined) return q.Period;
  const periods = all.flatMap((o) => (o.MetricStat ? [o.MetricStat.Period] : []));
  return periods.length > 0 ? Math.min(...periods) : 60;
};

/**
 * Evaluates every query over `[start, end)` (epoch ms; the start is rounded down to each
 * query's period, as CloudWatch does). Returns results in query order, hidden ones included
 * with `returnData: false`.
 */
export const runMetricQueries = (
  store: MetricStore,
  account: string,
  region: string,
  queries: readonly MetricDataQuery[],
  start: number,
  end: number,
): QueryResult[] => {
  const compiled = compileQueries(queries);
  const byId = new Map(compiled.map((q) => [q.Id, q]));
  const memo = new Map<string, number | TimeSeries>();
  const visiting = new Set<string>();

  const series = (q: Compiled): number | TimeSeries => {
    const cached = memo.get(q.Id);
    if (cached !== undefined) return cached;
    if (visiting.has(q.Id))
      throw validationError(`Error in expression ${q.Id}: circular reference`);
    visiting.add(q.Id);
    let value: number | TimeSeries;
    if (q.MetricStat) {
      const { Metric, Period, Stat, Unit } = q.MetricStat;
      const periodMs = Period * 1000;
      const samples = store.samples(
        account,
        region,
        {
          namespace: Metric.Namespace,
          metricName: Metric.MetricName,
          dimensions: dimensionRecord(Metric.Dimensions),
        },
        alignDown(start, periodMs),
        end,
        Unit,
      );
      const spec = parseStat(Stat)!;
      const out = new Map<number, number>();
      for (const bucket of bucketize(samples, periodMs)) {
        const v = statValue(bucket.aggregate, spec);
        if (v !== undefined && Number.isFinite(v)) out.set(bucket.timestamp, v);
      }
      value = out;
    } else {
      try {
        const result = evaluateExpression(q.expr as Expr, (id) => series(byId.get(id) as Compiled));
        if (Array.isArray(result)) {
          throw new MathError(
            'the expression yields several time series; reduce them with SUM, AVG, MAX or MIN',
          );
        }
        value = result as number | TimeSeries;
      } catch (error) {
        if (error instanceof MathError)
          throw validationError(`Error in expression ${q.Id}: ${error.message}`);
        throw error;
      }
    }
    visiting.delete(q.Id);
    memo.set(q.Id, value);
    return value;
  };

  return compiled.map((q) => {
    const value = series(q);
    let points: Point[];
    if (typeof value === 'number') {
      // A constant is drawn as a flat line: one point per period of the range.
      const periodMs = gridPeriod(q, compiled) * 1000;
      points = [];
      if (Number.isFinite(value)) {
        for (let t = alignDown(start, periodMs); t < end; t += periodMs)
          points.push({ timestamp: t, value });
      }
    } else {
      points = [...value]
        .map(([timestamp, v]) => ({ timestamp, value: v }))
        .sort((a, b) => a.timestamp - b.timestamp);
    }
    return {
      id: q.Id,
      label: q.Label ?? q.MetricStat?.Metric.MetricName ?? q.Id,
      returnData: q.ReturnData ?? true,
      points,
    };
  });
};
