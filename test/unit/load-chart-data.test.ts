import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoadReport } from '../../cli/load/load-report.js';
import { loadSla } from '../../cli/load/load-sla.js';
import type { LoadSeries } from '../../cli/load/load-timeline.js';
import { PLANS } from '../../cli/plans/plans.js';
import { loadChartData } from '../../cli/reports/load-chart-data.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'load');
const reportOf = (name: string): LoadReport =>
  JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as LoadReport;

const T0 = Date.parse('2026-01-15T10:00:00Z') / 1000;

/** Three 2-second buckets of one operation, the last one only 1.2 s long. */
const tinySeries = (end: number): LoadSeries => ({
  bucketMs: 2000,
  t: [T0, T0 + 2, T0 + 4],
  end,
  total: {
    sent: [10, 20, 4],
    dropped: [0, 1, 0],
    completed: [8, 20, 6],
    delivered: [8, 18, 5],
    errors: [0, 2, 1],
    throttled: [0, 1, 0],
  },
  byOperation: {
    get: {
      sent: [10, 20, 4],
      answered: [8, 19, 6],
      errors: [0, 2, 1],
      throttled: [0, 1, 0],
      p50: [12, null, 30],
      p95: [40, null, 90],
      p99: [45, null, 95],
    },
  },
});

const withSeries = (report: LoadReport, series: LoadSeries): LoadReport => ({ ...report, series });

describe('loadChartData', () => {
  it('charts every operation of a captured sandbox run, ids unique and prefixed load-', () => {
    // Prepare
    const report = reportOf('sit-load-sandbox');
    const series = report.series as LoadSeries;

    // Act
    const data = loadChartData(report);

    // Assess
    const ids = data?.charts.map((c) => c.id) ?? [];
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id.startsWith('load-'))).toBe(true);
    expect(ids).toEqual([
      'load-p95',
      'load-latency-create',
      'load-latency-get',
      'load-latency-list',
      'load-latency-status',
      'load-latency-burst',
      'load-throughput',
      'load-errors',
      'load-error-rate',
    ]);
    expect(data?.x).toEqual(series.t);
    const get = data?.charts.find((c) => c.id === 'load-latency-get');
    expect(get?.series.map((s) => s.label)).toEqual(['p50', 'p95', 'p99']);
    expect(get?.series[1]?.values).toEqual(series.byOperation.get?.p95);
    for (const chart of data?.charts ?? []) {
      for (const s of chart.series)
        expect(s.values, `${chart.id} ${s.label}`).toHaveLength(series.t.length);
    }
  });

  it("draws the plan's SLA limits, from the SLA module, where an SLA applies", () => {
    // Prepare
    const sla = loadSla(PLANS.sit);

    // Act
    const load = loadChartData(reportOf('sit-load-sandbox'));
    const stress = loadChartData(reportOf('sit-stress-sandbox'));

    // Assess
    const threshold = (data: typeof load, id: string) =>
      data?.charts.find((c) => c.id === id)?.threshold;
    expect(threshold(load, 'load-latency-create')?.value).toBe(sla.p95Ms.create);
    expect(threshold(load, 'load-latency-get')?.value).toBe(sla.p95Ms.get);
    expect(threshold(load, 'load-latency-status')?.value).toBe(sla.p95Ms.status);
    expect(threshold(load, 'load-latency-burst')?.value).toBe(sla.p95Ms.burst);
    expect(threshold(load, 'load-error-rate')?.value).toBe(sla.maxErrorRatePct);
    expect(threshold(stress, 'load-error-rate')?.value).toBe(sla.stressMaxErrorRatePct);
    expect(threshold(load, 'load-throughput')).toBeUndefined();
    expect(threshold(load, 'load-p95')).toBeUndefined();
  });

  it('turns counts into rates per second, keeps gaps, and leaves a too-short last bucket out', () => {
    // Prepare
    const base = reportOf('sit-load-sandbox');
    const short = withSeries(base, tinySeries(T0 + 4.3));
    const longer = withSeries(base, tinySeries(T0 + 5.2));

    // Act
    const a = loadChartData(short);
    const b = loadChartData(longer);

    // Assess
    const values = (data: typeof a, id: string, label: string) =>
      data?.charts.find((c) => c.id === id)?.series.find((s) => s.label === label)?.values;
    expect(values(a, 'load-throughput', 'sent')).toEqual([5, 10, null]);
    expect(values(b, 'load-throughput', 'sent')).toEqual([5, 10, 3.33]);
    expect(values(b, 'load-throughput', 'delivered')).toEqual([4, 9, 4.17]);
    expect(values(a, 'load-latency-get', 'p95')).toEqual([40, null, 90]);
    expect(values(a, 'load-errors', '429')).toEqual([0, 1, 0]);
    expect(values(a, 'load-errors', 'dropped')).toEqual([0, 1, 0]);
    expect(values(a, 'load-errors', 'errors (5xx, timeouts, network, other 4xx)')).toEqual([
      0, 1, 1,
    ]);
    expect(values(a, 'load-error-rate', 'error rate')).toEqual([0, 10, 16.667]);
  });

  it('shades the ramp and the steady rate of a load run across every bucket', () => {
    // Prepare
    const report = reportOf('sit-load-sandbox');
    const start = Date.parse(report.result.startedAt) / 1000;

    // Act
    const bands = loadChartData(report)?.bands ?? [];

    // Assess
    expect(bands.map((b) => b.label)).toEqual(['ramp', `${report.settings.rate} req/s`]);
    expect(bands[0]?.to).toBe(start + report.settings.rampMs / 1000);
    expect(bands[1]?.from).toBe(bands[0]?.to);
    expect(bands[0]?.from).toBeLessThanOrEqual(report.series?.t[0] as number);
    expect(bands[1]?.to).toBeGreaterThanOrEqual(report.series?.end as number);
  });

  it('shades each stress step with its rate and marks the bucket where the failing one began', () => {
    // Prepare
    const report = reportOf('sit-stress-sandbox');
    const steps = report.stress?.steps ?? [];
    const t = report.series?.t ?? [];
    const failing = steps.find((s) => s.judgement?.ok === false);
    const failedAt = Date.parse(failing?.startedAt ?? '') / 1000;

    // Act
    const data = loadChartData(report);

    // Assess
    expect(steps.length).toBeGreaterThan(1);
    expect(data?.bands.map((b) => b.label)).toEqual(['15 req/s', '30 req/s — failed']);
    expect(data?.bands[1]?.from).toBe(Date.parse(steps[1]?.startedAt ?? '') / 1000);
    expect(data?.bands[0]?.to).toBe(Date.parse(steps[0]?.endedAt ?? '') / 1000);
    const i = data?.failingIndex as number;
    expect(t[i]).toBeLessThanOrEqual(failedAt);
    expect(t[i + 1]).toBeGreaterThan(failedAt);
  });

  it('marks nothing when every stress step passed, and has no charts without a series', () => {
    // Prepare
    const stress = reportOf('sit-stress-sandbox');
    const passed: LoadReport = {
      ...stress,
      stress: {
        steps: stress.stress?.steps.slice(0, 1) ?? [],
        stop: { reason: 'max-rate', lastGoodRate: 15, why: ['every step passed'] },
      },
    };
    const { series: _, ...old } = reportOf('sit-load-sandbox');

    // Act
    const marked = loadChartData(passed);
    const none = loadChartData(old as LoadReport);

    // Assess
    expect(marked?.failingIndex).toBeUndefined();
    expect(marked?.bands.map((b) => b.label)).toEqual(['15 req/s']);
    expect(none).toBeUndefined();
  });
});
