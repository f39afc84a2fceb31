import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadReport } from '../../cli/load/load-report.js';
import { type LoadReportData, renderLoadHtml } from '../../cli/reports/load-html-report.js';
import { ARTIFACTS, type LoadedReport, launchChromium, openReport } from '../support/chromium.js';

/**
 * A load run's report.html in a real browser (Debian's chromium, via playwright-core), from
 * reports captured from sandbox runs (`promote load sit --sandbox`, with and without
 * --stress): every chart draws every bucket, the page asks the network for nothing but
 * itself and logs no error.
 */
const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'load');

const reportOf = (name: string): LoadReport =>
  JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as LoadReport;

let browser: Browser;
const dir = join(tmpdir(), `load-report-browser-${process.pid}`);

/** Renders the report to a file and opens it (see openReport). */
const open = (name: string, screenshot: string): Promise<LoadedReport<LoadReportData>> => {
  const file = join(dir, `${name}.html`);
  writeFileSync(file, renderLoadHtml(reportOf(name)));
  return openReport<LoadReportData>(
    browser,
    file,
    [{ path: join(ARTIFACTS, screenshot) }],
    '#load-charts',
  );
};

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe('load report.html in chromium', () => {
  it('draws every chart of a sandbox load run over every bucket, offline, without errors', async () => {
    // Prepare
    const report = reportOf('sit-load-sandbox');
    const buckets = report.series?.t.length ?? 0;
    const ops = Object.keys(report.series?.byOperation ?? {});

    // Act
    const page = await open('sit-load-sandbox', 'load-report.png');

    // Assess
    expect(page.consoleErrors).toEqual([]);
    expect(page.requests).toEqual([page.url]);
    expect(buckets).toBeGreaterThan(20);
    const ids = page.data.load?.charts.map((c) => c.id);
    expect(ids).toEqual([
      'load-p95',
      ...ops.map((op) => `load-latency-${op}`),
      'load-throughput',
      'load-errors',
      'load-error-rate',
    ]);
    expect(page.charts.map((c) => c.id)).toEqual(ids);
    expect(page.chartContainers).toBe(ids?.length);
    // uPlot draws each chart on one canvas.
    expect(page.canvases).toBe(ids?.length);
    for (const chart of page.charts) expect(chart.points, chart.id).toBe(buckets);
    const seriesCount = Object.fromEntries(page.charts.map((c) => [c.id, c.series]));
    expect(seriesCount).toMatchObject({
      'load-p95': ops.length,
      'load-latency-create': 3,
      'load-throughput': 2,
      'load-errors': 3,
      'load-error-rate': 1,
    });
    expect(page.text).toContain('Load test SIT');
    expect(page.text).toContain('PASS');
    expect(page.text).not.toContain('Failure point');
  });

  it('draws a sandbox stress run with its steps and failure point, without errors', async () => {
    // Prepare
    const report = reportOf('sit-stress-sandbox');
    const buckets = report.series?.t.length ?? 0;
    const steps = report.stress?.steps ?? [];

    // Act
    const page = await open('sit-stress-sandbox', 'load-report-stress.png');

    // Assess
    expect(page.consoleErrors).toEqual([]);
    expect(page.requests).toEqual([page.url]);
    expect(page.canvases).toBe(page.data.load?.charts.length);
    expect(page.charts.length).toBeGreaterThan(5);
    for (const chart of page.charts) expect(chart.points, chart.id).toBe(buckets);
    expect(page.data.load?.bands.map((b) => b.label)).toEqual(
      steps.map((s) => `${s.rate} req/s${s.judgement?.ok === false ? ' — failed' : ''}`),
    );
    expect(page.data.load?.failingIndex).toBeGreaterThan(0);
    expect(page.text).toContain(`Failure point: ${report.stress?.stop.firstBadRate} req/s`);
    expect(page.text).toContain('Stress steps — stopped: failure-point');
  });
});
