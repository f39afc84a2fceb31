import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LoadReport } from '../load/load-report.js';
import { htmlEscape as e } from './html-escape.js';
import { reportPage } from './html-report.js';
import { type LoadChartData, loadChartData } from './load-chart-data.js';
import {
  cleanupSection,
  cloudwatchSection,
  operationsSection,
  slaSection,
  statusesSection,
  stepsSection,
} from './load-html-sections.js';

/** What a load report's page embeds as `#run-data`: its identity and what the charts draw. */
export interface LoadReportData {
  readonly kind: 'load' | 'stress';
  readonly env: string;
  readonly status: LoadStatus;
  readonly startedAt: string;
  readonly load?: LoadChartData;
}

type LoadStatus = 'PASS' | 'FAIL' | 'INTERRUPTED';

const statusOf = (r: LoadReport): LoadStatus =>
  r.interrupted ? 'INTERRUPTED' : r.ok ? 'PASS' : 'FAIL';

/** The report's status in the run report's colours (report-styles.ts). */
const STATUS_CLASS: Record<LoadStatus, string> = {
  PASS: 'status-succeeded',
  FAIL: 'status-failed',
  INTERRUPTED: 'status-interrupted',
};

/** The `#run-data` blob of a load report. Pure. */
export const loadReportData = (r: LoadReport): LoadReportData => {
  const load = loadChartData(r);
  return {
    kind: r.kind,
    env: r.env,
    status: statusOf(r),
    startedAt: r.startedAt,
    ...(load ? { load } : {}),
  };
};

const header = (r: LoadReport): string => {
  const s = r.settings;
  const t = r.result.tally;
  const facts: Array<[string, string]> = [
    ['API', `<code>${e(r.api)}</code>${r.sandbox ? ' (sandbox)' : ''}`],
    ['window', `${e(r.startedAt)} → ${e(r.endedAt)}`],
    [
      'asked',
      s.stress
        ? `${e(s.stress.start)} → ${e(s.stress.maxRate)} req/s in steps of ${e(s.stress.step)} every ${e(s.stress.stepDurationMs / 1000)} s (first ramp ${e(s.rampMs / 1000)} s)`
        : `${e(s.rate)} req/s for ${e(s.durationMs / 1000)} s (ramp ${e(s.rampMs / 1000)} s)`,
    ],
    [
      'settings',
      `mix <code>${e(s.mix)}</code>, burst ${e(s.burstSize)}, in-flight cap ${e(s.maxInFlight)}, timeout ${e(s.requestTimeoutMs / 1000)} s, seed ${e(s.seed)}`,
    ],
    [
      'delivered',
      `${e(t.sent)} requests, steady ${e(r.result.steadyRate)} req/s (overall ${e(r.result.achievedRate)}), ${e(t.dropped)} dropped, ${e(t.errors)} errors (${e(t.errorRatePct)}%), 429: ${e(t.throttled)}`,
    ],
    [
      'test data',
      `customers <code>${e(s.customerPrefix)}*</code> (${e(s.customers)}), tokens ${e(s.tokens)}`,
    ],
  ];
  if (r.approval) {
    facts.push([
      'approved',
      `${e(r.approval.by)} (${e(r.approval.role)}) via ${e(r.approval.via)} at ${e(r.approval.at)}`,
    ]);
  }
  const status = statusOf(r);
  return `<header><h1>${r.kind === 'stress' ? 'Stress test' : 'Load test'} ${e(r.env.toUpperCase())} <span class="status ${STATUS_CLASS[status]}" id="run-status">${status}</span></h1>
<dl class="facts">${facts.map(([k, v]) => `<dt>${e(k)}</dt><dd>${v}</dd>`).join('')}</dl></header>`;
};

/** What failed, first: the stress failure point, or the SLAs a load run missed. */
const failureCallout = (r: LoadReport): string => {
  const stop = r.stress?.stop;
  if (stop?.reason === 'failure-point') {
    return `<div class="callout" id="stress-failure"><h3>Failure point: ${e(stop.firstBadRate)} req/s (last good ${e(stop.lastGoodRate ?? 'none')})</h3><ul>${stop.why.map((w) => `<li>${e(w)}</li>`).join('')}</ul></div>`;
  }
  const failed = r.sla.filter((v) => v.verdict === 'fail');
  if (failed.length === 0) return '';
  return `<div class="callout" id="sla-failures"><h3>${failed.length} SLA(s) failed</h3><ul>${failed.map((v) => `<li><strong>${e(v.title)}</strong>: ${e(v.detail)}</li>`).join('')}</ul></div>`;
};

/** The charts' containers (drawn by the page's script) and how to read them. */
const chartsSection = (r: LoadReport, data: LoadChartData | undefined): string => {
  if (!data || !r.series) {
    return '<section id="load-charts"><h2>Over time</h2><p class="legend-note">This report has no time series (written before they were recorded).</p></section>';
  }
  const bands = r.stress
    ? 'the stress steps, labelled with their rate'
    : 'the ramp and the steady rate';
  const marker = data.failingIndex !== undefined ? '; red vertical line: the failure point' : '';
  const truncated = r.series.truncated
    ? ' The run outlasted the series: its end is not charted.'
    : '';
  const charts = data.charts
    .map((c) => `<div class="chart" id="chart-${e(c.id)}" data-chart="${e(c.id)}"></div>`)
    .join('');
  return `<section id="load-charts"><h2>Over time</h2>
<p class="legend-note">One point every ${e(r.series.bucketMs / 1000)} s (UTC); latencies land where their answer arrived. Shaded bands: ${bands}; dashed red line: the SLA limit (load-sla.ts, from the plan)${marker}.${truncated}</p>
${charts}</section>`;
};

/**
 * A load run as one self-contained HTML page, in the run report's style and shell
 * ({@link reportPage}): header, what failed, SLA verdicts, charts over time (uPlot, drawn
 * from `#run-data`), then per-operation, status, stress-step, CloudWatch and test-data
 * tables. Rendered from the report document alone, so a report.json re-renders the same
 * page. Pure apart from reading uPlot once.
 */
export const renderLoadHtml = (r: LoadReport): string => {
  const data = loadReportData(r);
  return reportPage({
    title: `${r.kind} ${r.env} ${r.startedAt} — ${data.status}`,
    body: `${header(r)}
${failureCallout(r)}
${slaSection(r)}
${chartsSection(r, data.load)}
${operationsSection(r)}
${statusesSection(r)}
${stepsSection(r)}
${cloudwatchSection(r)}
${cleanupSection(r)}`,
    data,
  });
};

/** Writes {@link renderLoadHtml} to `report.files.html` (its directory created). Returns the path. */
export const writeLoadHtml = (r: LoadReport): string => {
  mkdirSync(dirname(r.files.html), { recursive: true });
  writeFileSync(r.files.html, renderLoadHtml(r));
  return r.files.html;
};
