import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PromoteError } from '../errors.js';
import type { IoHost } from '../io/io-host.js';
import type { RunJournal } from '../journal/run-journal.js';
import { toJUnit } from '../reports/junit.js';
import { renderRunMarkdown } from '../reports/markdown.js';
import type { SmokeReport } from '../smoke/run-smoke.js';

/**
 * Ctrl-C / SIGTERM for a run: the first aborts (the runner then rolls back and exits),
 * a second one warns and leaves at once — saying the environment may be mid-change.
 */
export const interruptible = (io: IoHost, describeState: () => string) => {
  const controller = new AbortController();
  let count = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    count += 1;
    if (count === 1) {
      io.warn(
        'INTERRUPTED',
        `${signal}: stopping and rolling back (press Ctrl-C again to leave now)`,
      );
      controller.abort();
      return;
    }
    io.warn('INTERRUPTED_TWICE', `second ${signal}: leaving without waiting. ${describeState()}`);
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
};

export interface ReportFiles {
  readonly markdown: string;
  readonly json: string;
  readonly junit?: string;
}

/**
 * Writes the run's reports: Markdown + JSON next to the journal, JUnit of the smoke tests
 * when asked, and the Markdown appended to `GITHUB_STEP_SUMMARY` when GitHub sets it.
 */
export const writeReports = (
  home: string,
  journal: RunJournal,
  junitPath?: string,
): ReportFiles => {
  const dir = join(home, 'runs', journal.env, journal.runId);
  mkdirSync(dir, { recursive: true });
  const markdown = renderRunMarkdown(journal);
  const files: { markdown: string; json: string; junit?: string } = {
    markdown: join(dir, 'summary.md'),
    json: join(dir, 'report.json'),
  };
  writeFileSync(files.markdown, markdown);
  writeFileSync(files.json, `${JSON.stringify(journal, null, 2)}\n`);
  const smoke = journal.steps.find((s) => s.evidence.smoke)?.evidence.smoke as
    | SmokeReport
    | undefined;
  if (junitPath && smoke) {
    writeFileSync(junitPath, toJUnit(smoke, `smoke ${journal.env}`));
    files.junit = junitPath;
  }
  if (process.env.GITHUB_STEP_SUMMARY) {
    try {
      appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
    } catch {
      // A summary we cannot append to must not fail a deployment.
    }
  }
  return files;
};

/** The closing line every run prints: which version the environment is on now. */
export const finalLine = (journal: RunJournal): string => {
  const on = journal.versions.after ?? journal.versions.before;
  if (!on)
    return `${journal.env}: nothing was changed (${journal.status.replace('_', ' ')}; run ${journal.runId})`;
  return `${journal.env} is on version ${on ?? 'unknown'} (${journal.status.replace('_', ' ')}; run ${journal.runId})`;
};

/** Adds the journal and report paths to a failure so `--json` carries the evidence. */
export const withRun = (error: unknown, journal: RunJournal, files: ReportFiles): unknown => {
  if (!(error instanceof PromoteError)) return error;
  return new PromoteError(error.reason, error.code, error.message, error.hint, {
    ...(error.details ?? {}),
    env: journal.env,
    version: journal.versions.after ?? journal.versions.before,
    status: journal.status,
    run: journal.runId,
    reports: files,
  });
};
