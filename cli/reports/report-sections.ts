import type { BackupItemCounts } from '../journal/restore-evidence.js';
import type { RunJournal } from '../journal/run-journal.js';
import { htmlEscape as e } from './html-escape.js';

/**
 * The report's run sections as HTML fragments (steps, approvals, terraform, smoke, backups,
 * failover region, rollback). Each returns '' when the journal has nothing for it. Every
 * journal value is escaped here, where it meets markup.
 */

const seconds = (ms: number | undefined): string =>
  ms === undefined ? '' : `${(ms / 1000).toFixed(1)} s`;

const section = (title: string, body: string): string =>
  body ? `<section><h2>${e(title)}</h2>${body}</section>` : '';

/** Steps as a timeline: state, duration, a bar proportional to the longest step. */
export const stepsSection = (journal: RunJournal): string => {
  const longest = Math.max(1, ...journal.steps.map((s) => s.durationMs ?? 0));
  const rows = journal.steps.map((step) => {
    const width = (((step.durationMs ?? 0) / longest) * 100).toFixed(1);
    const note = step.error
      ? `<code>${e(step.error.code)}</code> ${e(step.error.message)}`
      : step.evidence.skipped
        ? `skipped: ${e(step.evidence.skipped)}`
        : '';
    return `<tr class="step"><td>${step.index + 1}</td><td>${e(step.title)}</td><td class="state-${e(step.state)}">${e(step.state)}</td><td>${seconds(step.durationMs)}</td><td><div class="bar ${e(step.state)}"><span style="width:${width}%"></span></div></td><td>${note}</td></tr>`;
  });
  return section(
    'Steps',
    `<table><thead><tr><th>#</th><th>step</th><th>state</th><th>time</th><th>duration</th><th>notes</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
  );
};

/** Who approved, when, through what, bound to which terraform plan. */
export const approvalsSection = (journal: RunJournal): string => {
  const rows = journal.steps.flatMap((s) => {
    const a = s.evidence.approval;
    if (!a) return [];
    const github = (a.github ?? []).map((r) => `${r.login} (${r.state})`).join(', ');
    return [
      `<tr><td>${e(a.by)}${a.role ? ` <span class="legend-note">${e(a.role)}</span>` : ''}</td><td>${e(a.at)}</td><td>${e(a.via)}</td><td>${e(a.answer)}</td><td>${a.planSha256 ? `<code>${e(a.planSha256)}</code>` : ''}</td><td>${e(a.changeRequest ?? '')}${github ? ` GitHub: ${e(github)}` : ''}</td></tr>`,
    ];
  });
  if (rows.length === 0) return '';
  return section(
    'Approvals',
    `<table><thead><tr><th>who</th><th>when</th><th>via</th><th>answer</th><th>plan hash</th><th>notes</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
  );
};

/** The terraform plan's counts, hash and the review's verdict (critical changes, allowed destroys). */
export const terraformSection = (journal: RunJournal): string => {
  const tf = journal.terraform;
  if (!tf) return '';
  if (tf.skipped) return section('Terraform', `<p>skipped — ${e(tf.skipped)}</p>`);
  const counts = Object.entries(tf.review?.counts ?? {})
    .map(([kind, n]) => `${e(n)} ${e(kind)}`)
    .join(', ');
  const critical = tf.review?.critical ?? [];
  const verdict = critical.length
    ? `<p class="verdict-fail">guard: ${critical.length} critical change(s)</p><ul>${critical.map((c) => `<li><code>${e(c.address)}</code> — ${e(c.why)}</li>`).join('')}</ul>`
    : '<p class="verdict-pass">guard: no critical change</p>';
  const changes = (tf.review?.changes ?? [])
    .filter((c) => c.kind === 'replace' || c.kind === 'delete')
    .map(
      (c) =>
        `<li>${e(c.kind)} <code>${e(c.address)}</code>${c.reason ? ` (${e(c.reason)})` : ''}</li>`,
    )
    .join('');
  const allowed = (tf.review?.allowed ?? [])
    .map((a) => `<li>destroy allowed: <code>${e(a.address)}</code> — ${e(a.reason)}</li>`)
    .join('');
  return section(
    'Terraform',
    `<dl class="facts"><dt>plan</dt><dd><code>${e(tf.planSha256 ?? '-')}</code></dd><dt>changes</dt><dd>${counts || 'none'}</dd><dt>applied</dt><dd>${tf.applied ? e(tf.applied.at) : 'not applied'}</dd>${tf.workspace ? `<dt>workspace</dt><dd>${e(tf.workspace)}</dd>` : ''}</dl>${verdict}${changes || allowed ? `<ul>${changes}${allowed}</ul>` : ''}`,
  );
};

/** The smoke tests, one row each. */
export const smokeSection = (journal: RunJournal): string => {
  const smoke = journal.steps.find((s) => s.evidence.smoke)?.evidence.smoke;
  if (!smoke) return '';
  const rows = smoke.tests.map((t) => {
    const result = t.ok ? 'passed' : t.skipped ? 'skipped' : `failed: ${t.reason ?? ''}`;
    const cls = t.ok ? 'state-succeeded' : t.skipped ? 'state-skipped' : 'state-failed';
    return `<tr><td>${e(t.number)}</td><td>${e(t.title)}</td><td class="${cls}">${e(result)}</td><td>${e(t.status ?? '')}</td><td>${e(t.durationMs.toFixed(0))} ms</td></tr>`;
  });
  const left = smoke.leftBehind.length
    ? `<p>Left behind: ${smoke.leftBehind.map((o) => `${e(o.orderId)} (${e(o.reason)})`).join(', ')}</p>`
    : '';
  return section(
    `Smoke tests: ${smoke.passed} passed, ${smoke.failed} failed, ${smoke.skipped} skipped`,
    `<table><thead><tr><th>#</th><th>test</th><th>result</th><th>status</th><th>time</th></tr></thead><tbody>${rows.join('')}</tbody></table>${left}`,
  );
};

/** "4487 items: 120 PENDING, 4310 SHIPPED (±0)", escaped. */
const countsText = (counts: BackupItemCounts): string => {
  const byStatus = Object.entries(counts.byStatus ?? {})
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  return e(`${counts.total} items${byStatus ? `: ${byStatus}` : ''} (±${counts.tolerance})`);
};

/** Backups taken before the change, with item counts when known. */
export const backupsSection = (journal: RunJournal): string => {
  if (journal.backups.length === 0) return '';
  const rows = journal.backups.map(
    (b) =>
      `<tr><td>${e(b.name)}</td><td>${e(b.status)}</td><td><code>${e(b.arn)}</code></td><td>${b.counts ? countsText(b.counts) : e(b.countsError ?? '')}</td></tr>`,
  );
  return section(
    'Backups',
    `<table><thead><tr><th>name</th><th>status</th><th>ARN</th><th>items</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
  );
};

/** PROD's failover region: its own version numbers, and its rollback. */
export const failoverSection = (journal: RunJournal): string => {
  const f = journal.failover;
  if (!f) return '';
  const rb = f.rollback
    ? `<dt>rollback</dt><dd>to ${e(f.rollback.to)}: ${f.rollback.verified ? 'verified' : `FAILED ${e(f.rollback.error ?? '')}`} (${e(f.rollback.at)})</dd>`
    : '';
  return section(
    `Failover region ${f.region ?? ''}`,
    `<dl class="facts"><dt>before</dt><dd>${e(f.before ?? '-')}</dd><dt>candidate</dt><dd>${e(f.candidate ?? '-')}</dd><dt>after</dt><dd>${e(f.after ?? '-')}</dd>${rb}</dl>`,
  );
};

/** The rollback the run made (or tried). */
export const rollbackSection = (journal: RunJournal): string => {
  const r = journal.rollback;
  if (!r) return '';
  return `<div class="callout caution"><h3>Rolled back to version ${e(r.to)}: ${r.verified ? 'verified' : 'FAILED'}</h3><p>${e(r.reason)}${r.error ? ` — ${e(r.error)}` : ''} <span class="legend-note">${e(r.at)}</span></p></div>`;
};
