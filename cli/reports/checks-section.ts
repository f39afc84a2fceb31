import type { RunJournal, StepRecord } from '../journal/run-journal.js';
import { htmlEscape as e } from './html-escape.js';

/** A gate record's fields as "key value" pairs, nested values as JSON (escaped by the caller). */
const gateFacts = (gate: Record<string, unknown>): string =>
  Object.entries(gate)
    .map(
      ([k, v]) =>
        `<dt>${e(k)}</dt><dd>${typeof v === 'object' && v !== null ? `<code>${e(JSON.stringify(v))}</code>` : e(String(v))}</dd>`,
    )
    .join('');

const stepChecks = (step: StepRecord): string => {
  const ev = step.evidence;
  const checks = ev.checks ?? [];
  if (checks.length === 0 && !ev.gate && !ev.alarmsInAlarm?.length) return '';
  const rows = checks.map((c) => {
    const mark = c.ok ? '✔' : c.blocking ? '✖' : '!';
    const cls = c.ok ? 'state-succeeded' : c.blocking ? 'state-failed' : 'verdict-wait';
    return `<tr><td class="${cls}">${mark}</td><td>${e(c.name)}</td><td>${e(c.detail)}</td><td>${c.blocking ? 'blocking' : 'warning'}</td></tr>`;
  });
  const failed = checks.filter((c) => !c.ok).length;
  const extra = [
    ev.caller ? `<dt>caller</dt><dd>account ${e(ev.caller.account)}</dd>` : '',
    ev.alarmsInAlarm?.length
      ? `<dt>alarms in ALARM</dt><dd>${e(ev.alarmsInAlarm.join(', '))}</dd>`
      : '',
    ev.dlq
      ? `<dt>DLQ</dt><dd>${e(ev.dlq.visible)} visible, ${e(ev.dlq.inFlight)} in flight</dd>`
      : '',
  ].join('');
  const gate = ev.gate
    ? `<h4>Sign-off this run relied on</h4><dl class="facts">${gateFacts(ev.gate)}</dl>`
    : '';
  return `<h3>${e(step.title)} <span class="legend-note">${checks.length} checks${failed ? `, ${failed} not ok` : ''}</span></h3>${extra ? `<dl class="facts">${extra}</dl>` : ''}${rows.length ? `<table><thead><tr><th></th><th>check</th><th>evidence</th><th>kind</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : ''}${gate}`;
};

/**
 * The checklists' evidence: every check a step made (preflight, the infrastructure
 * checklist after apply, verify) with what it saw, the alarms and DLQ as read, and — in
 * PROD — the SIT sign-off the run was gated on. '' when no step checked anything.
 */
export const checksSection = (journal: RunJournal): string => {
  const parts = journal.steps.map(stepChecks).filter(Boolean);
  return parts.length
    ? `<section id="checks"><h2>Checks and checklists</h2>${parts.join('')}</section>`
    : '';
};
