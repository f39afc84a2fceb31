import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunJournal } from '../journal/run-journal.js';
import { describeSource, type RestoreOutcome } from './restore-flow.js';

/**
 * The restore's evidence for people and machines: `summary.md` and `report.json` in the
 * run's directory (`<home>/runs/<env>/<runId>/`, as every run writes them), built from the
 * journal and the outcome only.
 */

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The Markdown report of a restore run (also what `GITHUB_STEP_SUMMARY` gets). */
export const renderRestoreMarkdown = (journal: RunJournal, outcome?: RestoreOutcome): string => {
  const r = journal.restore;
  const verdict = r?.verdict ?? journal.status;
  const lines = [
    `## restore ${journal.env} — ${verdict === 'validated' ? 'validated' : verdict.toUpperCase()}`,
    '',
    `- run \`${journal.runId}\` by ${journal.actor}${journal.sandbox ? ' (sandbox)' : ''}, started ${journal.startedAt}${journal.finishedAt ? `, finished ${journal.finishedAt}` : ''}`,
  ];
  if (r?.source) lines.push(`- source: ${describeSource(r.source)}`);
  if (r?.source?.kind === 'backup') lines.push(`- backup ARN: \`${r.source.arn}\``);
  if (r?.table) {
    lines.push(
      `- side table: \`${r.table}\` — kept for inspection; delete it with \`promote restore ${journal.env} --cleanup ${r.table}\``,
    );
  }
  if (outcome)
    lines.push(`- expected counts: ${outcome.expected.source} — ${outcome.expected.note}`);
  if (journal.error) lines.push(`- **error** \`${journal.error.code}\`: ${journal.error.message}`);
  if (r?.checks?.length) {
    lines.push('', '| check | result | detail |', '|---|---|---|');
    for (const c of r.checks) {
      const result = c.ok ? '✅ pass' : c.blocking ? '❌ fail' : '⚠️ warning';
      lines.push(`| ${cell(c.name)} | ${result} | ${cell(c.detail)} |`);
    }
  }
  if (outcome) {
    const { byStatus } = outcome.validation.counts;
    const expected = outcome.expected.byStatus ?? {};
    const statuses = [...new Set([...Object.keys(byStatus), ...Object.keys(expected)])].sort();
    lines.push(
      '',
      '### Items per status',
      '',
      '| status | side table | at backup |',
      '|---|---|---|',
    );
    for (const s of statuses) {
      lines.push(
        `| ${cell(s)} | ${byStatus[s] ?? 0} | ${outcome.expected.byStatus ? (expected[s] ?? 0) : '–'} |`,
      );
    }
    lines.push(
      `| **total** | ${outcome.validation.counts.total} | ${outcome.expected.total ?? '–'}${outcome.expected.tolerance ? ` ± ${outcome.expected.tolerance}` : ''} |`,
    );
    if (outcome.validation.samples.length) {
      lines.push('', '### Sampled orders', '', '| key | outcome | detail |', '|---|---|---|');
      for (const f of outcome.validation.samples) {
        lines.push(`| ${cell(f.key)} | ${f.outcome} | ${cell(f.detail ?? '')} |`);
      }
    }
  }
  if (r?.deleted)
    lines.push(`- deleted: ${r.deleted.map((t) => `\`${t}\``).join(', ') || 'nothing'}`);
  return `${lines.join('\n')}\n`;
};

export interface RestoreReportFiles {
  readonly markdown: string;
  readonly json: string;
}

/** Writes `summary.md` and `report.json` into the run's directory. */
export const writeRestoreReport = (
  home: string,
  journal: RunJournal,
  outcome?: RestoreOutcome,
): RestoreReportFiles => {
  const dir = join(home, 'runs', journal.env, journal.runId);
  mkdirSync(dir, { recursive: true });
  const files = { markdown: join(dir, 'summary.md'), json: join(dir, 'report.json') };
  writeFileSync(files.markdown, renderRestoreMarkdown(journal, outcome));
  const report = {
    env: journal.env,
    runId: journal.runId,
    status: journal.status,
    restore: journal.restore,
    ...(outcome
      ? {
          expected: outcome.expected,
          counts: outcome.validation.counts,
          samples: outcome.validation.samples,
        }
      : {}),
    ...(journal.error ? { error: journal.error } : {}),
  };
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  if (process.env.GITHUB_STEP_SUMMARY) {
    try {
      appendFileSync(
        process.env.GITHUB_STEP_SUMMARY,
        `${renderRestoreMarkdown(journal, outcome)}\n`,
      );
    } catch {
      // A summary we cannot append to must not fail a restore.
    }
  }
  return files;
};
