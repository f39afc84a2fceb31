import type { IoHost } from '../io/io-host.js';
import type { JournalScan } from '../journal/journal-store.js';

/** What a look at the journals could not reconcile, for `--json` and for people. */
export const problemsOf = (scan: JournalScan) => ({
  divergent: scan.divergent,
  unreadable: scan.unreadable,
  ...(scan.remoteError ? { remoteError: scan.remoteError } : {}),
});

/** Journal copies that disagree or cannot be read are shown, never skipped. */
export const reportScanProblems = (io: IoHost, scan: JournalScan) => {
  for (const d of scan.divergent) {
    io.warn(
      'JOURNAL_DIVERGED',
      `run ${d.runId}: local copy seq ${d.localSeq}, state table seq ${d.remoteSeq} — the ${d.newer} one counts`,
    );
  }
  for (const u of scan.unreadable)
    io.warn('JOURNAL_UNREADABLE', `cannot read ${u.where}: ${u.error}`);
  if (scan.remoteError) {
    io.warn('JOURNAL_REMOTE', `state table unreadable (${scan.remoteError}); local journals only`);
  }
};
