import type { RunJournal } from '../journal/run-journal.js';
import { type ReportData, renderRunBody, reportData } from '../reports/html-report.js';
import { type LiveView, liveView } from './live-view.js';

/** What `/api/state` answers: the run at a glance and, when it changed, the report's body. */
export interface WatchState {
  /** Changes whenever the journal does (run, save counter, status): the page's `since`. */
  readonly key: string;
  readonly env: string;
  readonly view?: LiveView;
  /** Present when the caller's `since` differs from `key`. */
  readonly html?: string;
  readonly data?: ReportData;
  readonly abort: { readonly offered: boolean; readonly used: boolean; readonly locked: boolean };
  /** The journals could not be read at the last refresh (the last good state is shown). */
  readonly readError?: string;
  readonly at: string;
}

/** The last journal read and its rendering, kept between refreshes. */
export interface Snapshot {
  readonly key: string;
  readonly journal?: RunJournal;
  readonly html: string;
  readonly data?: ReportData;
}

const keyOf = (journal: RunJournal | undefined): string =>
  journal
    ? `${journal.runId}:${journal.seq ?? 0}:${journal.status}:${journal.steps.length}`
    : 'none';

/**
 * The snapshot of `journal`, re-rendered only when it changed since `previous` (rendering
 * the report body is the costly part of a refresh; most refreshes find nothing new).
 */
export const snapshotOf = (journal: RunJournal | undefined, previous?: Snapshot): Snapshot => {
  const key = keyOf(journal);
  if (previous && previous.key === key) return previous;
  if (!journal) return { key, html: '' };
  const data = reportData(journal);
  return { key, journal, html: renderRunBody(journal, data), data };
};

/** The answer to a page that last saw `since`. Pure. */
export const stateFor = (input: {
  snapshot: Snapshot;
  env: string;
  since: string | undefined;
  now: Date;
  abort: WatchState['abort'];
  readError?: string;
}): WatchState => {
  const { snapshot } = input;
  const changed = input.since !== snapshot.key;
  return {
    key: snapshot.key,
    env: input.env,
    ...(snapshot.journal ? { view: liveView(snapshot.journal, input.now) } : {}),
    ...(changed ? { html: snapshot.html, ...(snapshot.data ? { data: snapshot.data } : {}) } : {}),
    abort: input.abort,
    ...(input.readError ? { readError: input.readError } : {}),
    at: input.now.toISOString(),
  };
};
