import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoadReport } from '../../cli/load/load-report.js';
import { loadChartData } from '../../cli/reports/load-chart-data.js';
import { type LoadReportData, renderLoadHtml } from '../../cli/reports/load-html-report.js';
import { externalRefs, runDataOf } from '../support/report-html.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'load');
const reportOf = (name: string): LoadReport =>
  JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as LoadReport;

const dataOf = (html: string): LoadReportData => runDataOf<LoadReportData>(html);

const HOSTILE = '</script><img src=x onerror="alert(1)"><script>alert(2)</script>';

describe('renderLoadHtml', () => {
  it('embeds the chart group of the report and a container for each chart', () => {
    // Prepare
    const report = reportOf('sit-load-sandbox');

    // Act
    const html = renderLoadHtml(report);
    const data = dataOf(html);

    // Assess
    expect(data.load).toEqual(loadChartData(report));
    expect(data).toMatchObject({ kind: 'load', env: 'sit', status: 'PASS' });
    for (const chart of data.load?.charts ?? []) {
      expect(html).toContain(`<div class="chart" id="chart-${chart.id}"`);
    }
    expect(externalRefs(html)).toEqual([]);
    expect(html).toContain('<span class="status status-succeeded" id="run-status">PASS</span>');
  });

  it('holds the summary tables: SLA verdicts, per operation, statuses, CloudWatch throttles', () => {
    // Prepare
    const report = reportOf('sit-load-sandbox');
    const create = report.result.tally.byOperation.create;

    // Act
    const html = renderLoadHtml(report);

    // Assess
    for (const id of ['load-sla', 'load-operations', 'load-statuses', 'load-cloudwatch']) {
      expect(html).toContain(`<section id="${id}">`);
    }
    expect(html).toContain('<td>p95 create &lt; 2000 ms</td>');
    expect(html).toContain(`<td>create</td><td>${create?.sent}</td>`);
    expect(html).toContain(`${create?.latencyMs.p95} ms`);
    expect(html).toContain(`<td>201</td><td>${report.result.tally.byStatus['201']}</td>`);
    expect(html).toContain('<td>DynamoDB ThrottledRequests</td>');
    expect(html).toContain('<td>Lambda Throttles, worst minute</td>');
    expect(html).not.toContain('id="stress-failure"');
  });

  it('calls out the stress failure point and lists every step with its verdict', () => {
    // Prepare
    const report = reportOf('sit-stress-sandbox');

    // Act
    const html = renderLoadHtml(report);

    // Assess
    expect(html).toContain('<h3>Failure point: 30 req/s (last good 15)</h3>');
    expect(html).toContain('<section id="load-steps"><h2>Stress steps — stopped: failure-point');
    expect(html).toContain('<span class="verdict-fail">failed</span>: p95 get');
    expect(html).toContain('status-failed');
    expect(dataOf(html).load?.failingIndex).toBeGreaterThan(0);
  });

  it('escapes hostile strings everywhere: no element or script comes from the report', () => {
    // Prepare
    const stress = reportOf('sit-stress-sandbox');
    const report: LoadReport = {
      ...stress,
      api: HOSTILE,
      settings: { ...stress.settings, mix: HOSTILE, customerPrefix: HOSTILE },
      cloudwatch: { error: HOSTILE },
      limitations: [HOSTILE],
      cleanup: {
        found: 1,
        removed: 0,
        alreadyGone: 0,
        remaining: 1,
        leftBehind: [{ orderId: HOSTILE, reason: HOSTILE }],
        interrupted: false,
      },
      sla: [{ ...(stress.sla[0] as LoadReport['sla'][number]), detail: HOSTILE, title: HOSTILE }],
      stress: stress.stress && {
        ...stress.stress,
        stop: { ...stress.stress.stop, why: [HOSTILE] },
      },
    };

    // Act
    const html = renderLoadHtml(report);

    // Assess
    expect(html).not.toContain('<img');
    expect(html).not.toContain('alert(2)</script>');
    expect(html).toContain('&lt;/script&gt;&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    // Exactly the page's own scripts: the data blob, uPlot and the page script.
    expect(html.match(/<script/g)).toHaveLength(3);
    expect(dataOf(html).load?.charts.length).toBeGreaterThan(0);
  });

  it('renders a report from before the series: tables, no charts, no chart data', () => {
    // Prepare
    const { series: _, ...old } = reportOf('sit-load-sandbox');

    // Act
    const html = renderLoadHtml(old as LoadReport);

    // Assess
    expect(html).toContain('This report has no time series');
    expect(html).not.toContain('class="chart"');
    expect(dataOf(html).load).toBeUndefined();
    expect(html).toContain('<section id="load-operations">');
  });
});
