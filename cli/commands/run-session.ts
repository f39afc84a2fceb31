import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvidenceApi } from '../aws/evidence-api.js';
import { PromoteError } from '../errors.js';
import type { IoHost } from '../io/io-host.js';
import type { RunJournal } from '../journal/run-journal.js';
import { writeRunHtml } from '../reports/html-report.js';
import { toJUnit } from '../reports/junit.js';
import { renderRunMarkdown } from '../reports/markdown.js';

/** The second Ctrl-C's last words may take this long before the process leaves anyway. */
const LAST_WORDS_DEADLINE_MS = 6_000;

/**
 * Ctrl-C / SIGTERM for a run: the first aborts (the runner then rolls back and exits); a
 * second one runs the run's registered last words — journal marked interrupted, lock
 * released only if the alias is clean, the command that finishes the cleanup — bounded in
 * time, then leaves; a third leaves at once.
 */
export const interruptible = (io: IoHost, describeState: () => string) => {
  const controller = new AbortController();
  let count = 0;
  let lastWords: (() => Promise<string>) | undefined;
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
    if (count > 2 || !lastWords) {
      io.warn('INTERRUPTED_TWICE', `${signal}: leaving now. ${describeState()}`);
      process.exit(130);
    }
    io.warn('INTERRUPTED_TWICE', `second ${signal}: recording where the run stands, then leaving…`);
    const deadline = setTimeout(() => {
      io.warn('INTERRUPTED_TWICE', `leaving without the full record. ${describeState()}`);
      process.exit(130);
    }, LAST_WORDS_DEADLINE_MS);
    deadline.unref();
    lastWords().then(
      (text) => {
        io.warn('INTERRUPTED_TWICE', text);
        process.exit(130);
      },
      (error) => {
        io.warn('INTERRUPTED_TWICE', `${(error as Error).message}. ${describeState()}`);
        process.exit(130);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    onSecondInterrupt: (words: () => Promise<string>) => {
      lastWords = words;
    },
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
};

export interface ReportFiles {
  readonly markdown: string;
  readonly json: string;
  /** The self-contained HTML report (absent only when rendering it failed: a warning). */
  readonly html?: string;
  readonly junit?: string;
  /** Where the same files are kept in the env's account (`s3://…/runs/<env>/<run>/`). */
  readonly stored?: string;
}

/** Where a run's HTML report is: beside its summary.md and report.json. */
export const htmlReportPath = (home: string, journal: Pick<RunJournal, 'env' | 'runId'>): string =>
  join(home, 'runs', journal.env, journal.runId, 'report.html');

/**
 * Writes the run's reports: Markdown + JSON + HTML next to the journal, JUnit of the smoke
 * tests when asked, and the Markdown appended to `GITHUB_STEP_SUMMARY` when GitHub sets it.
 * An HTML report that cannot be rendered is a warning (through `io`), never a failed run.
 */
export const writeReports = (
  home: string,
  journal: RunJournal,
  junitPath?: string,
  io?: IoHost,
): ReportFiles => {
  const dir = join(home, 'runs', journal.env, journal.runId);
  mkdirSync(dir, { recursive: true });
  const markdown = renderRunMarkdown(journal);
  const files: { markdown: string; json: string; html?: string; junit?: string } = {
    markdown: join(dir, 'summary.md'),
    json: join(dir, 'report.json'),
  };
  writeFileSync(files.markdown, markdown);
  writeFileSync(files.json, `${JSON.stringify(journal, null, 2)}\n`);
  try {
    files.html = writeRunHtml(htmlReportPath(home, journal), journal);
  } catch (error) {
    io?.warn(
      'REPORT_HTML_FAILED',
      `report.html not written: ${(error as Error).message} (summary.md and report.json stand)`,
    );
  }
  const smoke = journal.steps.find((s) => s.evidence.smoke)?.evidence.smoke;
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

/**
 * Copies local evidence files into the env's evidence bucket. A copy that fails is a warning
 * (the files stay on disk and the journal is in the state table), never a failed run.
 */
export const storeEvidence = async (
  evidence: EvidenceApi | undefined,
  io: IoHost,
  items: ReadonlyArray<{ file: string; key: string }>,
): Promise<string | undefined> => {
  if (!evidence) return undefined;
  try {
    for (const { file, key } of items) {
      await evidence.put(
        key,
        readFileSync(file, 'utf8'),
        file.endsWith('.json')
          ? 'application/json'
          : file.endsWith('.html')
            ? 'text/html; charset=utf-8'
            : 'text/markdown; charset=utf-8',
      );
    }
    const prefix = items[0]?.key.split('/').slice(0, -1).join('/');
    return `s3://${evidence.bucket}/${prefix}/`;
  } catch (error) {
    io.warn(
      'EVIDENCE_NOT_STORED',
      `evidence not copied to s3://${evidence.bucket}: ${(error as Error).name}: ${(error as Error).message} (the local files stand)`,
    );
    return undefined;
  }
};

/** {@link writeReports}, then the same files into the env's evidence bucket. */
export const reportRun = async (
  conn: { home: string; evidence?: EvidenceApi },
  io: IoHost,
  journal: RunJournal,
  junitPath?: string,
): Promise<ReportFiles> => {
  const files = writeReports(conn.home, journal, junitPath, io);
  const prefix = `runs/${journal.env}/${journal.runId}`;
  const stored = await storeEvidence(conn.evidence, io, [
    { file: files.markdown, key: `${prefix}/summary.md` },
    { file: files.json, key: `${prefix}/report.json` },
    ...(files.html ? [{ file: files.html, key: `${prefix}/report.html` }] : []),
  ]);
  return { ...files, ...(stored ? { stored } : {}) };
};

/**
 * What a run changed, truthfully, for its closing line: published versions, backups, alias
 * moves (and whether they were undone). Pure.
 */
export const describeChanges = (journal: RunJournal): string => {
  const changes: string[] = [];
  if (journal.backups.length)
    changes.push(`backup ${journal.backups.map((b) => b.name).join(', ')}`);
  const published = journal.steps.map((s) => s.evidence.published?.version).filter(Boolean);
  if (published.length) changes.push(`published version ${published.join(', ')}`);
  const { before, after } = journal.versions;
  if (journal.rollback?.verified) {
    changes.push(`alias moved and rolled back to ${journal.rollback.to}`);
  } else if (before && after && before !== after) {
    changes.push(`alias ${before} → ${after}`);
  }
  return changes.length ? `changed: ${changes.join('; ')}` : 'nothing was changed';
};

/** The closing line every run prints: which version the environment is on now. */
export const finalLine = (journal: RunJournal): string => {
  const on = journal.versions.after ?? journal.versions.before;
  const status = journal.status.replace('_', ' ');
  const changes = journal.status === 'succeeded' ? '' : `; ${describeChanges(journal)}`;
  if (!on) return `${journal.env}: ${describeChanges(journal)} (${status}; run ${journal.runId})`;
  return `${journal.env} is on version ${on} (${status}; run ${journal.runId})${changes}`;
};

/**
 * The line every run ends with: where its reports are, the HTML one first (the one to
 * open), the Markdown summary after it.
 */
export const reportLine = (files: ReportFiles): string =>
  files.html ? `report: ${files.html} (summary ${files.markdown})` : `report: ${files.markdown}`;

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
