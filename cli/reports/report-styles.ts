/**
 * The report page's stylesheet, inlined (the page makes no request at view time): system
 * fonts only, a light palette, and a print stylesheet that keeps charts and bars visible
 * (`print-color-adjust`) without dark backgrounds.
 */
export const REPORT_STYLES = `
:root { --ok: #2b8a3e; --bad: #c92a2a; --warn: #e67700; --muted: #667; --line: #dee2e6; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #212529; background: #fff; margin: 0 auto; max-width: 960px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.status { display: inline-block; padding: 2px 10px; border-radius: 12px; color: #fff; font-weight: 600; }
.status-succeeded { background: var(--ok); }
.status-failed, .status-rollback_failed { background: var(--bad); }
.status-rolled_back { background: var(--warn); }
.status-running, .status-paused, .status-planned, .status-interrupted, .status-superseded { background: #5c7cfa; }
.state-succeeded { color: var(--ok); } .state-failed { color: var(--bad); }
.state-skipped, .state-pending { color: var(--muted); } .state-running, .state-paused { color: #5c7cfa; }
.bar { height: 10px; background: #e9ecef; border-radius: 5px; min-width: 160px; }
.bar > span { display: block; height: 100%; border-radius: 5px; background: #74c0fc; }
.bar.failed > span { background: #ff8787; }
.callout { border-left: 4px solid var(--bad); background: #fff5f5; padding: 8px 12px; margin: 12px 0; }
.callout.caution { border-color: var(--warn); background: #fff9db; }
.callout h3 { margin: 0 0 4px; font-size: 15px; }
.chart { margin: 12px 0; }
.legend-note { color: var(--muted); font-size: 12px; }
.verdict-fail { color: var(--bad); font-weight: 600; } .verdict-pass { color: var(--ok); }
.verdict-wait { color: var(--warn); }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; }
  .chart, tr, .callout { break-inside: avoid; }
  .chart canvas { max-width: 100%; height: auto !important; }
  .uplot { width: 100% !important; }
}
`;
