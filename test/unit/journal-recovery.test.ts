import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { stateApi } from '../../cli/aws/state-api.js';
import { describeChanges, finalLine } from '../../cli/commands/run-session.js';
import { JournalStore } from '../../cli/journal/journal-store.js';
import { newJournal, type RunJournal } from '../../cli/journal/run-journal.js';
import { isUnfinished, supersedeEarlier, supersession } from '../../cli/journal/supersede.js';
import { aliasIsClean, aliasIsOurs } from '../../cli/runner/restore-alias.js';
import { finishCommands } from '../../cli/runner/run-plan.js';
import { targetFor, tempHome } from './promote-fixtures.js';

/**
 * Recovery bookkeeping: journal copies with sequence numbers (the newest wins, divergence
 * and unreadable files are reported), superseded runs, the alias checks a resume relies on.
 */

const doc = mockClient(DynamoDBDocumentClient);

const run = (runId: string, startedAt: string, extra: Partial<RunJournal> = {}): RunJournal => ({
  ...newJournal({ env: 'sit', command: 'promote', actor: 'ci', sandbox: true, steps: [], runId }),
  startedAt,
  ...extra,
});

beforeEach(() => {
  doc.reset();
});

describe('JournalStore sequence numbers', () => {
  it('bumps seq on every save and sends it with the remote copy', async () => {
    // Prepare
    doc.on(PutCommand).resolves({});
    const store = new JournalStore(tempHome(), stateApi(targetFor('sit')));
    const j = run('20260101T000000Z-aaaa', '2026-01-01T00:00:00Z');

    // Act
    await store.save(j);
    await store.save(j);

    // Assess
    expect(j.seq).toBe(2);
    expect(doc.commandCalls(PutCommand).map((c) => c.args[0].input.Item?.seq)).toEqual([1, 2]);
  });

  it('retries a failed remote write, then marks the local copy remoteStale and reports it', async () => {
    // Prepare
    doc.on(PutCommand).rejects(new Error('ProvisionedThroughputExceeded'));
    const onRemoteError = vi.fn();
    const home = tempHome();
    const store = new JournalStore(home, stateApi(targetFor('sit')), onRemoteError, {
      retryDelayMs: 0,
    });
    const j = run('20260101T000000Z-aaaa', '2026-01-01T00:00:00Z');

    // Act
    await store.save(j);

    // Assess
    expect(doc.commandCalls(PutCommand)).toHaveLength(3);
    expect(onRemoteError).toHaveBeenCalledTimes(1);
    expect(j.remoteStale).toMatchObject({ seq: 1, error: 'ProvisionedThroughputExceeded' });
    doc.on(QueryCommand).resolves({ Items: [] });
    const [listed] = await store.list('sit');
    expect(listed?.remoteStale?.seq).toBe(1);
  });

  it('clears remoteStale once a later remote write succeeds', async () => {
    // Prepare
    doc
      .on(PutCommand)
      .rejectsOnce(new Error('a'))
      .rejectsOnce(new Error('b'))
      .rejectsOnce(new Error('c'))
      .resolves({});
    const store = new JournalStore(tempHome(), stateApi(targetFor('sit')), () => {}, {
      retryDelayMs: 0,
    });
    const j = run('20260101T000000Z-aaaa', '2026-01-01T00:00:00Z');
    await store.save(j);
    expect(j.remoteStale).toBeDefined();

    // Act
    await store.save(j);

    // Assess
    expect(j.remoteStale).toBeUndefined();
  });

  it('says so when the state table holds a newer copy (conditional write refused)', async () => {
    // Prepare
    const { ConditionalCheckFailedException } = await import('@aws-sdk/client-dynamodb');
    doc
      .on(PutCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    const onRemoteError = vi.fn();
    const store = new JournalStore(tempHome(), stateApi(targetFor('sit')), onRemoteError, {
      retryDelayMs: 0,
    });

    // Act
    await store.save(run('20260101T000000Z-aaaa', '2026-01-01T00:00:00Z'));

    // Assess: not retried (it is an answer, not a fault), and reported.
    expect(doc.commandCalls(PutCommand)).toHaveLength(1);
    expect(onRemoteError.mock.calls[0]?.[0].message).toMatch(/newer copy/);
  });
});

describe('JournalStore.scan', () => {
  it('takes the copy with the higher seq and reports the divergence (a stale remote never wins)', async () => {
    // Prepare: the run ended `failed` locally (seq 5); the remote copy still says running (seq 3).
    const home = tempHome();
    const local = run('20260101T000000Z-aaaa', '2026-01-01T00:00:00Z', {
      status: 'failed',
      seq: 5,
    });
    const store = new JournalStore(home, undefined);
    store.saveLocal({ ...local, seq: 4 });
    const remote = { ...local, status: 'running' as const, seq: 3 };
    doc.on(QueryCommand).resolves({
      Items: [{ pk: 'run', sk: local.runId, seq: 3, journal: JSON.stringify(remote) }],
    });
    store.attach(stateApi(targetFor('sit')));

    // Act
    const scan = await store.scan('sit');

    // Assess
    expect(scan.runs.map((r) => [r.runId, r.status, r.seq])).toEqual([[local.runId, 'failed', 5]]);
    expect(scan.divergent).toEqual([
      { runId: local.runId, localSeq: 5, remoteSeq: 3, newer: 'local' },
    ]);
  });

  it('takes a newer remote copy (e.g. marked superseded by another machine)', async () => {
    // Prepare
    const home = tempHome();
    const store = new JournalStore(home, undefined);
    const mine = run('20260101T000000Z-aaaa', '2026-01-01T00:00:00Z', { seq: 1 });
    store.saveLocal(mine);
    const theirs = { ...mine, status: 'superseded' as const, seq: 7 };
    doc.on(QueryCommand).resolves({
      Items: [{ pk: 'run', sk: mine.runId, seq: 7, journal: JSON.stringify(theirs) }],
    });
    store.attach(stateApi(targetFor('sit')));

    // Act
    const scan = await store.scan('sit');

    // Assess
    expect(scan.runs[0]?.status).toBe('superseded');
    expect(scan.divergent[0]?.newer).toBe('remote');
  });

  it('reports a truncated local journal and an unparsable remote item instead of skipping them', async () => {
    // Prepare
    const home = tempHome();
    const store = new JournalStore(home, undefined);
    store.saveLocal(run('20260101T000000Z-good', '2026-01-01T00:00:00Z'));
    writeFileSync(
      join(home, 'runs', 'sit', '20260102T000000Z-torn.json'),
      '{"schema":1,"runId":"2026',
    );
    doc.on(QueryCommand).resolves({ Items: [{ pk: 'run', sk: 'x', journal: '{not json' }] });
    store.attach(stateApi(targetFor('sit')));

    // Act
    const scan = await store.scan('sit');

    // Assess
    expect(scan.runs.map((r) => r.runId)).toEqual(['20260101T000000Z-good']);
    expect(scan.unreadable.map((u) => u.where)).toEqual([
      'promote-state-sit run x',
      join(home, 'runs', 'sit', '20260102T000000Z-torn.json'),
    ]);
  });

  it('says when the state table could not be read', async () => {
    // Prepare
    doc.on(QueryCommand).rejects(new Error('offline'));
    const store = new JournalStore(tempHome(), stateApi(targetFor('sit')));

    // Act
    const scan = await store.scan('sit');

    // Assess
    expect(scan.remoteError).toBe('offline');
  });
});

describe('supersession', () => {
  const a = run('20260101T100000Z-aaaa', '2026-01-01T10:00:00Z');

  it.each([
    ['no later run', [], undefined],
    [
      'a later run that took the lock',
      [run('20260101T110000Z-bbbb', '2026-01-01T11:00:00Z', { lockedAt: '2026-01-01T11:00:01Z' })],
      '20260101T110000Z-bbbb',
    ],
    [
      'a later run that never took the lock (blocked at preflight) does not count',
      [run('20260101T110000Z-cccc', '2026-01-01T11:00:00Z')],
      undefined,
    ],
    [
      'an earlier run does not count',
      [run('20260101T090000Z-dddd', '2026-01-01T09:00:00Z', { lockedAt: '2026-01-01T09:00:01Z' })],
      undefined,
    ],
  ])('%s', (_name, others, by) => {
    // Act
    const found = supersession(a, [a, ...others]);

    // Assess
    expect(found?.runId).toBe(by);
  });

  it('a run marked superseded stays superseded', () => {
    // Prepare
    const marked = run('20260101T100000Z-eeee', '2026-01-01T10:00:00Z', {
      status: 'superseded',
      supersededBy: { runId: 'X', reason: 'force-unlock', at: 't' },
    });

    // Act / Assess
    expect(supersession(marked, [marked])).toMatchObject({ runId: 'X' });
  });

  it('supersedeEarlier marks the earlier unfinished runs only', async () => {
    // Prepare
    const store = new JournalStore(tempHome(), undefined);
    const crashed = run('20260101T090000Z-crsh', '2026-01-01T09:00:00Z');
    const paused = run('20260101T091000Z-paus', '2026-01-01T09:10:00Z', { status: 'paused' });
    const done = run('20260101T092000Z-done', '2026-01-01T09:20:00Z', { status: 'succeeded' });
    const later = run('20260101T110000Z-late', '2026-01-01T11:00:00Z');
    for (const j of [crashed, paused, done, later]) store.saveLocal(j);
    const me = run('20260101T100000Z-mine', '2026-01-01T10:00:00Z');
    store.saveLocal(me);

    // Act
    const marked = await supersedeEarlier(store, me, 'took the lock');

    // Assess
    expect(marked.map((j) => j.runId).sort()).toEqual([crashed.runId, paused.runId]);
    const byId = new Map((await store.list('sit')).map((j) => [j.runId, j]));
    expect(byId.get(crashed.runId)?.status).toBe('superseded');
    expect(byId.get(crashed.runId)?.supersededBy?.runId).toBe(me.runId);
    expect(byId.get(done.runId)?.status).toBe('succeeded');
    expect(byId.get(later.runId)?.status).toBe('running');
    expect(isUnfinished(byId.get(paused.runId) as RunJournal)).toBe(false);
  });
});

describe('alias checks of a resume and a rollback', () => {
  const versions = { before: '23', candidate: '24' };
  it.each([
    [{ version: '23', weights: {} }, true, true],
    [{ version: '24', weights: {} }, true, true],
    [{ version: '23', weights: { '24': 0.1 } }, true, false],
    [{ version: '36', weights: {} }, false, false],
    [{ version: '23', weights: { '36': 0.5 } }, false, false],
    [{ version: '2', weights: {} }, false, false],
  ])('%j → ours %s, clean %s', (alias, ours, clean) => {
    expect(aliasIsOurs(alias, versions)).toBe(ours);
    expect(aliasIsClean(alias, versions)).toBe(clean);
  });
});

describe('closing words', () => {
  it('finishCommands names the sandbox or the profile, so the printed command works', () => {
    // Prepare
    const j = run('r', 't');

    // Act / Assess
    expect(finishCommands(j, targetFor('sit'))).toEqual([
      'promote sit --resume --abort --sandbox',
      'promote sit --resume --sandbox',
    ]);
    expect(finishCommands(j, targetFor('sit', false))).toEqual([
      'promote sit --resume --abort',
      'promote sit --resume',
    ]);
  });

  it.each([
    ['nothing', {}, 'nothing was changed'],
    [
      'a published version and a rollback',
      {
        steps: [
          {
            index: 0,
            kind: 'deploy',
            title: 'd',
            state: 'succeeded' as const,
            evidence: { published: { version: '24' } },
          },
        ],
        versions: { before: '23', candidate: '24', after: '23' },
        rollback: { to: '23', reason: 'x', verified: true, at: 't' },
      },
      'changed: published version 24; alias moved and rolled back to 23',
    ],
    [
      'a backup and an alias move',
      {
        backups: [{ arn: 'arn', name: 'orders-prod-pre-deployment-1', status: 'AVAILABLE' }],
        versions: { before: '23', candidate: '24', after: '24' },
      },
      'changed: backup orders-prod-pre-deployment-1; alias 23 → 24',
    ],
  ])('describeChanges: %s', (_name, extra, expected) => {
    expect(describeChanges(run('r', 't', extra as Partial<RunJournal>))).toBe(expected);
  });

  it('finalLine of a failed run says what changed', () => {
    // Prepare
    const j = run('r1', 't', {
      status: 'failed',
      versions: { before: '3', candidate: '4', after: '3' },
    });

    // Act / Assess
    expect(finalLine(j)).toBe('sit is on version 3 (failed; run r1); nothing was changed');
  });
});
