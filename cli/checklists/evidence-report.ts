import type { ChecklistRunRecord, ItemEvidence } from './governance-store.js';

const MARK: Record<ItemEvidence['status'], string> = {
  pass: '✅ pass',
  confirmed: '☑️ confirmed',
  open: '⬜ open',
  fail: '❌ fail',
};

/** Table cells must not break the table: pipes escaped, one line. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** A checklist run as Markdown: every item, its state, what was seen, when and by whom. */
export const renderChecklistMarkdown = (run: ChecklistRunRecord): string => {
  const lines = [
    `# Checklist ${run.env.toUpperCase()} — ${run.id}`,
    '',
    `- When: ${run.at}`,
    `- By: ${run.actor}${run.gitUser ? ` (${run.gitUser})` : ''} as \`${run.callerArn}\``,
    ...(run.codeSha256
      ? [`- Package live: \`${run.codeSha256}\`${run.liveVersion ? ` (v${run.liveVersion})` : ''}`]
      : []),
    `- Phases: ${run.phases.join(', ')}`,
    '',
  ];
  let section = '';
  for (const item of run.items) {
    const heading = `${item.phase} · ${item.section}`;
    if (heading !== section) {
      section = heading;
      lines.push(
        ...(lines.at(-1) === '' ? [] : ['']),
        `## ${heading}`,
        '',
        '| | Item | Id | Evidence | When | By |',
        '|---|---|---|---|---|---|',
      );
    }
    const evidence =
      item.kind === 'manual' && item.status === 'confirmed'
        ? `${item.detail} — ${(item.value as { evidence?: string } | undefined)?.evidence ?? ''}`
        : item.detail;
    lines.push(
      `| ${MARK[item.status]}${item.required ? '' : ' (optional)'} | ${cell(item.text)} | \`${item.id}\` | ${cell(evidence)} | ${item.at ?? ''} | ${cell(item.by ?? (item.kind === 'check' ? 'probe' : ''))} |`,
    );
  }
  return `${lines.join('\n')}\n`;
};
