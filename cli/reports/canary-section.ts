import type { CanaryAnalysis, RunJournal } from '../journal/run-journal.js';
import { type CanaryChartData, decidingAnalysis } from './canary-chart-data.js';
import { htmlEscape as e } from './html-escape.js';

const pct = (weight: number): string => `${Math.round(weight * 1000) / 10}%`;

const num = (value: number | undefined): string =>
  value === undefined ? '' : String(Math.round(value * 100) / 100);

/**
 * The analysis that stopped the canary: its failed triggers with value against threshold,
 * or, when none failed (the window could not be judged), every reason it gave.
 */
const failingCallout = (a: CanaryAnalysis): string => {
  const failed = a.reasons.filter((r) => r.verdict === 'fail');
  const fired = failed.length ? failed : a.reasons;
  const items = fired.map(
    (r) =>
      `<li><strong>[${e(r.trigger)}]</strong> ${e(r.message)}${r.value !== undefined && r.threshold !== undefined ? ` <span class="legend-note">(value ${e(num(r.value))} vs threshold ${e(num(r.threshold))})</span>` : ''}</li>`,
  );
  const what = failed.length ? 'Canary gate failed' : 'Canary stopped unjudged';
  return `<div class="callout" id="canary-failure"><h3>${what} at ${e(pct(a.weight))} (${e(a.at)})</h3><ul>${items.join('')}</ul></div>`;
};

const analysisRow = (a: CanaryAnalysis): string => {
  const reasons = a.reasons.map((r) => `[${e(r.trigger)}] ${e(r.message)}`).join('<br>');
  const p95 = Object.entries(a.canary.p95 ?? {})
    .map(([op, ms]) => `${e(op)} ${e(num(ms))} ms`)
    .join(', ');
  return `<tr><td>${e(a.at)}</td><td>${e(pct(a.weight))}</td><td class="verdict-${e(a.verdict)}">${e(a.verdict)}</td><td>${e(a.canary.errors)}/${e(a.canary.invocations)}</td><td>${e(a.baseline.errors)}/${e(a.baseline.invocations)}</td><td>${p95}</td><td>${reasons}</td></tr>`;
};

/**
 * The canary section: one chart container per chart of {@link CanaryChartData} (drawn by
 * the page's script), the failing analysis as a callout, and every analysis as a table so
 * the evidence reads without the script (and in print).
 */
export const canarySection = (journal: RunJournal, data: CanaryChartData | undefined): string => {
  const canary = journal.canary;
  if (!canary || !data) return '';
  const failing = canary.analyses[decidingAnalysis(journal)];
  const charts = data.charts
    .map((c) => `<div class="chart" id="chart-${e(c.id)}" data-chart="${e(c.id)}"></div>`)
    .join('');
  const stableP95 = canary.analyses.some((a) => a.baseline.p95);
  return `<section id="canary"><h2>Canary: version ${e(canary.candidate)} against stable ${e(canary.stable)}</h2>
${failing ? failingCallout(failing) : ''}
<p class="legend-note">${canary.analyses.length} analyses. Shaded bands: the weight on the canary; dashed red line: the plan's threshold${failing ? '; red vertical line: the failing analysis' : ''}.${stableP95 ? '' : ' Stable p95 was not journaled by this run.'}</p>
${charts}
<table><thead><tr><th>at</th><th>weight</th><th>verdict</th><th>canary err/inv</th><th>stable err/inv</th><th>canary p95</th><th>reasons</th></tr></thead><tbody>${canary.analyses.map(analysisRow).join('')}</tbody></table>
</section>`;
};
