import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunJournal } from '../../cli/journal/run-journal.js';
import { liveView } from '../../cli/watch/live-view.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'journals');
const journalOf = (name: string): RunJournal =>
  JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as RunJournal;

/** The healthy fixture rewound to the middle of its 50% bake (what a watcher sees live). */
const midBake = (): RunJournal => {
  const j = structuredClone(journalOf('prod-canary-healthy'));
  const canary = j.canary as NonNullable<RunJournal['canary']>;
  j.status = 'running';
  delete j.finishedAt;
  j.versions.after = undefined as unknown as string;
  canary.stepIndex = 1;
  canary.stepStartedAt = '2026-11-28T10:20:00.000Z';
  canary.analyses = canary.analyses.slice(0, 12);
  j.steps = j.steps.map((s) =>
    s.kind === 'canary'
      ? { ...s, state: 'running' }
      : s.kind === 'failover-region' || s.kind === 'smoke'
        ? { ...s, state: 'pending' }
        : s,
  );
  return j;
};

describe('liveView', () => {
  it('shows the weight baking, the time left in its bake and the last verdict', () => {
    // Prepare: the 50% bake is 1800 s and began 10 min ago
    const journal = midBake();
    const now = new Date('2026-11-28T10:30:00.000Z');

    // Act
    const view = liveView(journal, now);

    // Assess
    expect(view.status).toBe('running');
    expect(view.step).toEqual({ title: journal.steps[6]?.title, state: 'running' });
    expect(view.abortable).toBe(true);
    expect(view.canary).toMatchObject({
      candidate: '43',
      stable: '42',
      steps: [10, 50],
      weightPct: 50,
      bakeEndsAt: '2026-11-28T10:50:00.000Z',
      secondsLeft: 1200,
      analyses: 12,
    });
    const last = journal.canary?.analyses[11];
    expect(view.canary?.lastVerdict).toMatchObject({ at: last?.at, verdict: last?.verdict });
  });

  it('never counts below zero once the bake is due', () => {
    // Prepare
    const journal = midBake();

    // Act
    const view = liveView(journal, new Date('2026-11-28T11:30:00.000Z'));

    // Assess
    expect(view.canary?.secondsLeft).toBe(0);
  });

  it('between weights shows the weight still on, and no bake clock', () => {
    // Prepare: the 10% bake ended, the 50% shift not made yet
    const journal = midBake();
    delete (journal.canary as NonNullable<RunJournal['canary']>).stepStartedAt;

    // Act
    const view = liveView(journal, new Date('2026-11-28T10:30:00.000Z'));

    // Assess
    expect(view.canary?.weightPct).toBe(10);
    expect(view.canary?.secondsLeft).toBeUndefined();
  });

  it('a finished healthy run is at 100% and cannot be aborted', () => {
    // Act
    const view = liveView(journalOf('prod-canary-healthy'), new Date());

    // Assess
    expect(view.canary?.weightPct).toBe(100);
    expect(view.abortable).toBe(false);
    expect(view.step?.state).toBe('succeeded');
  });

  it('a rolled-back run shows 0%, the failed step and the error', () => {
    // Prepare
    const journal = journalOf('prod-canary-rolled-back');

    // Act
    const view = liveView(journal, new Date());

    // Assess
    expect(view.canary?.weightPct).toBe(0);
    expect(view.abortable).toBe(false);
    expect(view.step?.state).toBe('failed');
    expect(view.error?.code).toBe(journal.error?.code);
  });

  it('a run without a canary has no canary view', () => {
    // Act
    const view = liveView(journalOf('sit-plain'), new Date());

    // Assess
    expect(view.canary).toBeUndefined();
    expect(view.abortable).toBe(false);
  });
});
