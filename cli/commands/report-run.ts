import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { EnvName } from '../../infra/environments.js';
import { promoteHome } from '../../sandbox/paths.js';
import { PromoteError } from '../errors.js';
import { JournalStore } from '../journal/journal-store.js';
import { writeRunHtml } from '../reports/html-report.js';
import { envArg } from './arg-parsers.js';
import { ioOf } from './io-of.js';
import type { ReportFlags } from './report.js';
import { htmlReportPath } from './run-session.js';

/**
 * Whether a browser can be shown: macOS always; elsewhere an X11 or Wayland display.
 * Without one (CI, ssh) `--open` only prints the path rather than failing.
 */
const hasDisplay = (): boolean =>
  process.platform === 'darwin' ||
  process.platform === 'win32' ||
  Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);

/** Opens a file with the desktop's handler, detached, so the CLI exits at once. */
const openFile = (path: string): void => {
  const opener =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(opener, [path], { detached: true, stdio: 'ignore' });
  // A missing opener is not worth a failure: the path is printed either way.
  child.on('error', () => undefined);
  child.unref();
};

/**
 * `promote report <env> [runId]`: finds the run in the local journals (the env's newest
 * when no id is given), renders report.html from the journal when the run predates it,
 * prints the path and, with `--open` and a display, opens it. Local only: no AWS call.
 */
export const reportCommand = async (
  envValue: string,
  runId: string | undefined,
  flags: ReportFlags,
  command: Command,
): Promise<void> => {
  const io = ioOf(command);
  const env: EnvName = envArg(envValue);
  const home = promoteHome();
  const store = new JournalStore(home, undefined);
  // Alias-moving runs only: backup/restore journals have their own reports.
  const runs = (await store.scan(env, Number.MAX_SAFE_INTEGER)).runs.filter(
    (r) => r.command === 'promote' || r.command === 'rollback',
  );
  const journal = runId ? runs.find((r) => r.runId === runId) : runs[0];
  if (!journal) {
    throw new PromoteError(
      'usage',
      'REPORT_UNKNOWN_RUN',
      runId
        ? `no promote or rollback run ${runId} of ${env} in ${home}`
        : `no promote or rollback run of ${env} in ${home}`,
      `list the runs with: promote history ${env}`,
    );
  }
  const path = htmlReportPath(home, journal);
  if (!existsSync(path)) {
    writeRunHtml(path, journal);
    io.debug('REPORT_RENDERED', `rendered from the journal of run ${journal.runId}`);
  }
  io.result(path);
  if (flags.open && hasDisplay()) {
    openFile(path);
    io.debug('REPORT_OPENED', `opened ${path}`);
  }
  io.document({ ok: true, env, runId: journal.runId, path });
};
