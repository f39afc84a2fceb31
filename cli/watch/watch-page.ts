import { htmlEscape as e, inlineSafe } from '../reports/html-escape.js';
import { REPORT_PAGE_SCRIPT } from '../reports/report-page-script.js';
import { REPORT_STYLES } from '../reports/report-styles.js';
import { uplotAssets } from '../reports/uplot-assets.js';
import { LIVE_PAGE_SCRIPT } from './live-page-script.js';

const LIVE_STYLES = `
#live { position: sticky; top: 0; background: #f8f9fa; border: 1px solid var(--line);
  border-radius: 6px; padding: 10px 14px; margin-bottom: 16px; z-index: 2; }
#live .row { display: flex; flex-wrap: wrap; gap: 6px 24px; align-items: baseline; }
#live .big { font-size: 20px; font-weight: 600; }
#live .muted { color: var(--muted); }
#live-conn.lost { color: var(--bad); font-weight: 600; }
#abort { margin-top: 8px; border-top: 1px dashed var(--line); padding-top: 8px; }
#abort input { font: inherit; padding: 3px 6px; }
#abort button { font: inherit; background: var(--bad); color: #fff; border: 0; border-radius: 4px;
  padding: 4px 12px; cursor: pointer; }
#abort button:disabled { background: #adb5bd; cursor: default; }
#abort-result.error { color: var(--bad); } #abort-result.ok { color: var(--ok); }
`;

const abortForm = `<form id="abort" autocomplete="off">
<strong>Abort and roll back</strong> <span class="muted">— needs the one-time token printed in the terminal that runs <code>promote watch</code></span><br>
<label>token <input id="abort-token" name="token" size="22" spellcheck="false"></label>
<label>reason <input id="abort-reason" name="reason" size="36" maxlength="200"></label>
<button id="abort-button" type="submit" disabled>abort and roll back</button>
<span id="abort-result" role="status"></span>
</form>`;

/**
 * The live view's page: a sticky header the script fills from `/api/state` (status, step,
 * weight, time left in the bake, last verdict), the run report's body below it (swapped in
 * whenever the journal changes and its charts redrawn), and — only with `--allow-abort` —
 * the abort form. Scripts carry the per-response `nonce` the Content-Security-Policy
 * allows; nothing is loaded from anywhere but this server.
 */
export const renderWatchPage = (input: { env: string; nonce: string; abort: boolean }): string => {
  const uplot = uplotAssets();
  const n = e(input.nonce);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>promote watch ${e(input.env)}</title>
<style>${inlineSafe(uplot.style, 'style')}</style>
<style>${inlineSafe(REPORT_STYLES, 'style')}</style>
<style>${inlineSafe(LIVE_STYLES, 'style')}</style>
</head><body>
<section id="live" aria-live="polite">
<div class="row"><span class="big">watch ${e(input.env.toUpperCase())}</span>
<span id="live-status" class="status status-planned">connecting…</span>
<span id="live-conn" class="muted"></span></div>
<div class="row"><span id="live-step"></span><span id="live-weight"></span><span id="live-left"></span></div>
<div class="row"><span id="live-verdict" class="muted"></span></div>
${input.abort ? abortForm : '<div class="muted">read-only view</div>'}
</section>
<div id="report"><p class="muted">waiting for a run of ${e(input.env)}…</p></div>
<script nonce="${n}">${inlineSafe(uplot.script, 'script')}</script>
<script nonce="${n}">${inlineSafe(REPORT_PAGE_SCRIPT, 'script')}</script>
<script nonce="${n}">${inlineSafe(LIVE_PAGE_SCRIPT, 'script')}</script>
</body></html>
`;
};
