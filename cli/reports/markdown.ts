import type { RunJournal } from '../journal/run-journal.js';
import type { StepEvidence } from '../journal/step-evidence.js';

const ICON: Record<string, string> = {
  succeeded: '✅',
  failed: '❌',
  skipped: '⏭️',
  pending: '⏸️',
  running: '⏳',
};

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const seconds = (ms: number | undefined) => (ms === undefined ? '' : `${(ms / 1000).toFixed(1)} s`);

/**
 * The run as the sign-off evidence the plan asks for ("document approval in deployment
 * log"): outcome, versions, steps with timings, backups, smoke results, rollback. Written
 * next to the journal and appended to `GITHUB_STEP_SUMMARY` in GitHub Actions. Built from
 * the journal only, which holds no secrets.
 */
export const renderRunMarkdown = (journal: RunJournal): string => {
  const lines: string[] = [];
  const v = journal.versions;
  lines.push(
    `## ${journal.command} ${journal.env} — ${journal.status.replace('_', ' ')}`,
    '',
    `- run \`${journal.runId}\` by ${journal.actor}${journal.sandbox ? ' (sandbox)' : ''}, started ${journal.startedAt}${journal.finishedAt ? `, finished ${journal.finishedAt}` : ''}`,
    `- alias live: version ${v.before ?? '?'} → ${v.after ?? v.before ?? '?'}${v.candidate ? ` (candidate ${v.candidate})` : ''}`,
  );
  // Break-glass first, where nobody can miss it (GitHub renders the caution block in red).
  for (const o of journal.inputs?.overrideGates ?? []) {
    const missing = journal.steps.find((st) => st.evidence.gateOverride)?.evidence.gateOverride;
    lines.push(
      '',
      '> [!CAUTION]',
      `> **GATE OVERRIDDEN: ${o.gate}** — shipped without it (break-glass). Reason: ${o.reason}.${missing ? ` Missing: ${missing.missing}.` : ''}`,
      '',
    );
  }
  const gate = journal.steps.find((st) => st.evidence.gate)?.evidence.gate as
    | { title?: string; at?: string; actor?: string; approverRole?: string }
    | undefined;
  if (gate) {
    lines.push(
      `- gate: ${gate.title ?? 'sign-off'} signed ${gate.at ?? ''} by ${gate.actor ?? '?'} (${gate.approverRole ?? ''}) for this package`,
    );
  }
  if (journal.artifact) {
    lines.push(
      `- artifact: release \`${journal.artifact.release ?? '-'}\`, CodeSha256 \`${journal.artifact.codeSha256}\``,
    );
  }
  if (journal.git?.sha) {
    lines.push(
      `- git: \`${journal.git.sha.slice(0, 12)}\`${journal.git.tag ? ` tag \`${journal.git.tag}\`` : ''}${journal.git.dirty ? ' (dirty tree)' : ''}`,
    );
  }
  if (journal.reason) lines.push(`- reason: ${journal.reason}`);
  for (const b of journal.backups) lines.push(`- backup: \`${b.name}\` ${b.status} (\`${b.arn}\`)`);
  if (journal.rollback) {
    const r = journal.rollback;
    lines.push(
      `- **rollback** to version ${r.to}: ${r.verified ? 'verified' : `FAILED (${r.error ?? 'unknown'})`} — ${r.reason}`,
    );
  }
  if (journal.error) lines.push(`- **error** \`${journal.error.code}\`: ${journal.error.message}`);
  const tf = journal.terraform;
  if (tf?.skipped) lines.push(`- terraform: skipped — ${tf.skipped}`);
  if (tf?.planSha256) {
    const counts = Object.entries(tf.review?.counts ?? {})
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    lines.push(
      `- terraform plan \`${tf.planSha256}\` (${counts})${tf.applied ? `, applied ${tf.applied.at}` : ', not applied'}`,
    );
    for (const c of tf.review?.changes.filter((x) => x.kind === 'replace' || x.kind === 'delete') ??
      []) {
      lines.push(`  - ${c.kind} \`${c.address}\`${c.reason ? ` (${c.reason})` : ''}`);
    }
    for (const c of tf.review?.critical ?? [])
      lines.push(`  - CRITICAL review: ${c.why} — \`${c.address}\``);
    for (const a of tf.review?.allowed ?? [])
      lines.push(`  - destroy allowed: \`${a.address}\` — ${a.reason}`);
  }
  lines.push('', '| # | step | state | time | notes |', '|---|---|---|---|---|');
  for (const step of journal.steps) {
    const note = step.error ? step.error.message : summarise(step.evidence);
    lines.push(
      `| ${step.index + 1} | ${cell(step.title)} | ${ICON[step.state] ?? ''} ${step.state} | ${seconds(step.durationMs)} | ${cell(note)} |`,
    );
  }
  const smoke = journal.steps.find((s) => s.evidence.smoke)?.evidence.smoke;
  if (smoke) {
    lines.push(
      '',
      `### Smoke tests: ${smoke.passed} passed, ${smoke.failed} failed, ${smoke.skipped} skipped`,
      '',
    );
    lines.push('| # | test | result | status | time |', '|---|---|---|---|---|');
    for (const t of smoke.tests) {
      lines.push(
        `| ${t.number} | ${cell(t.title)} | ${t.ok ? '✅' : t.skipped ? '⏭️ skipped' : `❌ ${cell(t.reason ?? '')}`} | ${t.status ?? ''} | ${t.durationMs.toFixed(0)} ms |`,
      );
    }
    if (smoke.leftBehind.length) {
      lines.push(
        '',
        `Left behind: ${smoke.leftBehind.map((o) => `${o.orderId} (${o.reason})`).join(', ')}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
};

const summarise = (evidence: StepEvidence): string => {
  const parts: string[] = [];
  const { checks, published, reused, alias, backup, skipped } = evidence;
  if (checks) parts.push(`${checks.filter((c) => c.ok).length}/${checks.length} checks ok`);
  if (published) parts.push(`published version ${published.version}`);
  if (reused) parts.push(`package unchanged (version ${reused})`);
  if (alias) parts.push(`alias ${alias.from} → ${alias.to}`);
  if (backup) parts.push(`backup ${backup.name}`);
  if (skipped) parts.push(`skipped: ${skipped}`);
  return parts.join('; ');
};
