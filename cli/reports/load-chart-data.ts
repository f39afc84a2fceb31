import { LOAD_OPERATIONS } from '../load/load-mix.js';
import type { LoadReport } from '../load/load-report.js';
import type { LoadSeries } from '../load/load-timeline.js';
import type { Chart, ChartBand, ChartGroup } from './chart-group.js';

/**
 * A load report's charts (report.html's `load` group): latency percentiles per operation,
 * throughput, errors and 429s over time, from the report's `series` alone — the SLA limits
 * the run was judged by (`report.limits`, from load-sla.ts) as dashed lines, the stress
 * steps (or the ramp and the steady rate) as bands, the stress failure point marked.
 */
export type LoadChartData = ChartGroup;

/** A last bucket shorter than this share of the width is too short a stretch for a rate. */
const SHORTEST_RATE_SHARE = 0.25;

const round = (n: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/** Seconds each bucket covers: the width, but the last one only up to the series' end. */
const spans = (s: LoadSeries): Array<number | null> => {
  const width = s.bucketMs / 1000;
  return s.t.map((t, i) => {
    if (i < s.t.length - 1) return width;
    const last = Math.min(width, s.end - t);
    return last >= width * SHORTEST_RATE_SHARE ? last : null;
  });
};

/** Counts per bucket → per second (null where the bucket is too short to say). */
const perSecond = (counts: readonly number[], span: ReadonlyArray<number | null>) =>
  counts.map((n, i) => {
    const s = span[i];
    return s ? round(n / s) : null;
  });

/** Bands: one per stress step (its rate), or the ramp and the steady rate of a load run. */
const bandsOfRun = (r: LoadReport): ChartBand[] => {
  const sec = (iso: string) => Date.parse(iso) / 1000;
  if (r.stress) {
    return r.stress.steps.map((step) => ({
      label: `${step.rate} req/s${step.judgement && !step.judgement.ok ? ' — failed' : ''}`,
      from: sec(step.startedAt),
      to: sec(step.endedAt),
    }));
  }
  const from = sec(r.result.startedAt);
  const to = sec(r.result.endedAt);
  const rampEnd = Math.min(to, from + r.settings.rampMs / 1000);
  const steady = { label: `${r.settings.rate} req/s`, from: rampEnd, to };
  return rampEnd > from ? [{ label: 'ramp', from, to: rampEnd }, steady] : [steady];
};

/** The bands widened, if need be, to every bucket: the page's x axis spans the bands. */
const covering = (bands: ChartBand[], s: LoadSeries): ChartBand[] => {
  const first = bands[0];
  const last = bands.at(-1);
  if (!first || !last) return bands;
  const x0 = s.t[0] as number;
  const x1 = Math.max(s.end, s.t.at(-1) as number);
  return bands.map((b) => ({
    ...b,
    ...(b === first ? { from: Math.min(b.from, x0) } : {}),
    ...(b === last ? { to: Math.max(b.to, x1) } : {}),
  }));
};

/** The bucket in which the failing stress step began, if the run found a failure point. */
const failurePoint = (r: LoadReport, s: LoadSeries): number | undefined => {
  if (r.stress?.stop.reason !== 'failure-point') return undefined;
  const step = r.stress.steps.find((x) => x.judgement && !x.judgement.ok);
  if (!step) return undefined;
  const at = Date.parse(step.startedAt) / 1000;
  const index = s.t.findLastIndex((t) => t <= at);
  return Math.max(0, index);
};

/**
 * The `load` chart group of a report; undefined when it has no series (a report from
 * before them, or a run that never sent). Pure.
 */
export const loadChartData = (r: LoadReport): LoadChartData | undefined => {
  const s = r.series;
  if (!s || s.t.length === 0) return undefined;
  const ops = LOAD_OPERATIONS.filter((op) => s.byOperation[op]);
  const span = spans(s);
  const bucketS = s.bucketMs / 1000;
  const charts: Chart[] = [
    {
      id: 'load-p95',
      title: 'p95 latency by operation',
      unit: 'ms',
      series: ops.map((op) => ({ label: op, values: s.byOperation[op]?.p95 ?? [] })),
    },
    ...ops.map((op): Chart => {
      const o = s.byOperation[op];
      const limit = r.limits.p95Ms[op];
      return {
        id: `load-latency-${op}`,
        title: `Latency — ${op} (p50 / p95 / p99)`,
        unit: 'ms',
        series: [
          { label: 'p50', values: o?.p50 ?? [] },
          { label: 'p95', values: o?.p95 ?? [] },
          { label: 'p99', values: o?.p99 ?? [] },
        ],
        threshold: { label: `SLA p95 < ${limit} ms`, value: limit },
      };
    }),
    {
      id: 'load-throughput',
      title: 'Throughput: sent and delivered (answered without error)',
      unit: 'req/s',
      series: [
        { label: 'sent', values: perSecond(s.total.sent, span) },
        { label: 'delivered', values: perSecond(s.total.delivered, span) },
      ],
    },
    {
      id: 'load-errors',
      title: 'Errors, 429s and dropped arrivals',
      unit: `per ${bucketS} s`,
      series: [
        {
          label: 'errors (5xx, timeouts, network, other 4xx)',
          values: s.total.errors.map((n, i) => n - (s.total.throttled[i] ?? 0)),
        },
        { label: '429', values: s.total.throttled },
        { label: 'dropped', values: s.total.dropped },
      ],
    },
    {
      id: 'load-error-rate',
      title: 'Error rate (429s included)',
      unit: '%',
      series: [
        {
          label: 'error rate',
          values: s.total.errors.map((n, i) => {
            const done = s.total.completed[i] ?? 0;
            return done > 0 ? round((n / done) * 100, 3) : null;
          }),
        },
      ],
      threshold: r.stress
        ? {
            label: `step fails > ${r.limits.stressMaxErrorRatePct}%`,
            value: r.limits.stressMaxErrorRatePct,
          }
        : { label: `SLA < ${r.limits.maxErrorRatePct}%`, value: r.limits.maxErrorRatePct },
    },
  ];
  const failing = failurePoint(r, s);
  return {
    x: s.t,
    charts,
    bands: covering(bandsOfRun(r), s),
    ...(failing !== undefined ? { failingIndex: failing } : {}),
  };
};
