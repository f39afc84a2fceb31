import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunJournal } from '../journal/run-journal.js';
import { type CanaryChartData, canaryChartData } from './canary-chart-data.js';
import { canarySection } from './canary-section.js';
import { checksSection } from './checks-section.js';
import { htmlEscape as e, inlineSafe, jsonForScript } from './html-escape.js';
import { REPORT_PAGE_SCRIPT } from './report-page-script.js';
import {
  approvalsSection,
  backupsSection,
  failoverSection,
  rollbackSection,
  smokeSection,
  stepsSection,
  terraformSection,
} from './report-sections.js';
import { REPORT_STYLES } from './report-styles.js';
import { uplotAssets } from './uplot-assets.js';

/** What the page embeds as `#run-data`: the run's identity and everything the charts draw. */
export interface ReportData {
  readonly env: string;
  readonly runId: string;
  readonly status: string;
  readonly canary?: CanaryChartData;
}

/** The data blob of a journal's report (what `#run-data` holds). Pure. */
export const reportData = (journal: RunJournal): ReportData => {
  const canary = canaryChartData(journal);
  return {
    env: journal.env,
    runId: journal.runId,
    status: journal.status,
    ...(canary ? { canary } : {}),
  };
};

const header = (journal: RunJournal): string => {
  const v = journal.versions;
  const artifact = journal.artifact ?? journal.inputs?.artifact;
  const facts: Array<[string, string]> = [
    ['run', `<code>${e(journal.runId)}</code>${journal.sandbox ? ' (sandbox)' : ''}`],
    ['actor', e(journal.actor)],
    [
      'started',
      `${e(journal.startedAt)}${journal.finishedAt ? ` — finished ${e(journal.finishedAt)}` : ''}`,
    ],
    [
      'version',
      `${e(v.before ?? '?')} → ${e(v.after ?? v.before ?? '?')}${v.candidate ? ` (candidate ${e(v.candidate)})` : ''}${v.region ? ` in ${e(v.region)}` : ''}`,
    ],
  ];
  if (artifact) {
    facts.push(['CodeSha256', `<code>${e(artifact.codeSha256)}</code>`]);
    if (artifact.release) facts.push(['release', `<code>${e(artifact.release)}</code>`]);
  }
  if (journal.git?.sha) {
    facts.push([
      'git',
      `<code>${e(journal.git.sha.slice(0, 12))}</code>${journal.git.tag ? ` tag ${e(journal.git.tag)}` : ''}${journal.git.dirty ? ' (dirty tree)' : ''}`,
    ]);
  }
  if (journal.reason) facts.push(['reason', e(journal.reason)]);
  const status = journal.status;
  return `<header><h1>${e(journal.command)} ${e(journal.env.toUpperCase())} <span class="status status-${e(status)}" id="run-status">${e(status.replace('_', ' '))}</span></h1>
<dl class="facts">${facts.map(([k, val]) => `<dt>${e(k)}</dt><dd>${val}</dd>`).join('')}</dl></header>`;
};

/** Break-glass overrides first, where nobody misses them. */
const overrides = (journal: RunJournal): string =>
  (journal.inputs?.overrideGates ?? [])
    .map(
      (o) =>
        `<div class="callout caution"><h3>Gate overridden: ${e(o.gate)}</h3><p>Shipped without it (break-glass). Reason: ${e(o.reason)}</p></div>`,
    )
    .join('');

const errorBlock = (journal: RunJournal): string =>
  journal.error
    ? `<div class="callout" id="run-error"><h3>Error <code>${e(journal.error.code)}</code> (exit ${e(journal.error.exitCode)})</h3><p>${e(journal.error.message)}</p></div>`
    : '';

/**
 * The report's body without the page around it: header, error and rollback, canary, steps,
 * approvals, terraform, smoke, backups and failover region. The live view (`promote
 * watch`) swaps it into its page as the run grows; {@link renderRunHtml} wraps it.
 */
export const renderRunBody = (journal: RunJournal, data: ReportData): string => `${header(journal)}
${overrides(journal)}
${errorBlock(journal)}
${rollbackSection(journal)}
${canarySection(journal, data.canary)}
${stepsSection(journal)}
${checksSection(journal)}
${approvalsSection(journal)}
${terraformSection(journal)}
${smokeSection(journal)}
${backupsSection(journal)}
${failoverSection(journal)}`;

/**
 * The shell every report page shares (run reports, load reports): head with the inlined
 * uPlot and report styles, the body's sections, the chart data as `#run-data` JSON, uPlot
 * and the page's script inlined last. `title` is escaped here; `body` is markup whose
 * values the caller escaped. Pure apart from reading uPlot once.
 */
export const reportPage = (page: { title: string; body: string; data: unknown }): string => {
  const uplot = uplotAssets();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(page.title)}</title>
<style>${inlineSafe(uplot.style, 'style')}</style>
<style>${inlineSafe(REPORT_STYLES, 'style')}</style>
</head><body>
${page.body}
<script type="application/json" id="run-data">${jsonForScript(page.data)}</script>
<script>${inlineSafe(uplot.script, 'script')}</script>
<script>${inlineSafe(REPORT_PAGE_SCRIPT, 'script')}</script>
</body></html>
`;
};

/**
 * The run as one self-contained HTML page: the body ({@link renderRunBody}) with the
 * canary's analyses as uPlot charts. Styles, uPlot and the page's script are inlined and
 * the chart data is embedded as JSON (`#run-data`), so the file opens offline, from
 * `file://`, years later. Built from the journal only (which holds no secrets); every
 * journal string is escaped. Pure apart from reading uPlot once.
 */
export const renderRunHtml = (journal: RunJournal): string => {
  const data = reportData(journal);
  const title = `${journal.command} ${journal.env} ${journal.runId} — ${journal.status}`;
  return reportPage({ title, body: renderRunBody(journal, data), data });
};

/** Renders {@link renderRunHtml} into `path` (its directory created). Returns the path. */
export const writeRunHtml = (path: string, journal: RunJournal): string => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderRunHtml(journal));
  return path;
};
