import { describe, expect, it } from 'vitest';
import type { StateApi, StateItem } from '../../cli/aws/state-api.js';
import { resumable } from '../../cli/commands/resume-run.js';
import type { PromoteError } from '../../cli/errors.js';
import { EnvLock } from '../../cli/journal/env-lock.js';
import { heartbeatLine } from '../../cli/journal/guardian-records.js';
import { JournalStore } from '../../cli/journal/journal-store.js';
import type { RunJournal } from '../../cli/journal/run-journal.js';
import type { GuardianRecord, Heartbeat } from '../../infra/guardian.js';
import { ioHost, journalFor, tempHome } from './promote-fixtures.js';

/**
 * The guardian's record as the CLI shows it: joined to the run it rolled back when journals
 * are read, and `--resume` refusing that run (marking it rolled back, releasing the lock a
 * killed run left) instead of shifting traffic back.
 */

/** An in-memory state table: enough of DynamoDB for the journal, the lock and the records. */
const memoryState = (): StateApi & { items: Map<string, StateItem> } => {
  const items = new Map<string, StateItem>();
  const key = (pk: string, sk: string) => `${pk}\u0000${sk}`;
  return {
    items,
    tableName: 'promote-state-prod',
    async get(pk, sk) {
      return items.get(key(pk, sk));
    },
    async put(item, condition) {
      const current = items.get(key(item.pk, item.sk));
      // The lock's condition: free, or held by the same run.
      if (condition?.expression.startsWith('attribute_not_exists(pk) OR runId')) {
        if (current && current.runId !== condition.values?.[':runId']) return false;
      }
      items.set(key(item.pk, item.sk), item);
      return true;
    },
    async delete(pk, sk, condition) {
      const current = items.get(key(pk, sk));
      if (condition && current?.runId !== condition.values?.[':runId']) return false;
      items.delete(key(pk, sk));
      return true;
    },
    async query(pk, limit) {
      return [...items.values()]
        .filter((i) => i.pk === pk)
        .sort((a, b) => (a.sk < b.sk ? 1 : -1))
        .slice(0, limit);
    },
  };
};

const record = (runId: string): GuardianRecord => ({
  pk: 'guardian',
  sk: `2026-03-01T10:00:22.000Z#${runId}`,
  at: '2026-03-01T10:00:22.000Z',
  runId,
  env: 'prod',
  region: 'af-south-1',
  functionName: 'order-handler-prod',
  alias: 'live',
  outcome: 'restored',
  from: { version: '7', weights: { '8': 0.1 } },
  to: { version: '7', codeSha256: 'c3RhYmxl' },
  candidate: { version: '8', codeSha256: 'Y2FuZGlkYXRl' },
  reasons: [
    {
      kind: 'heartbeat-stale',
      since: '2026-03-01T10:00:00.000Z',
      ageSeconds: 22,
      staleAfterSeconds: 20,
    },
  ],
  summary: 'heartbeat stale since 2026-03-01T10:00:00.000Z (no beat for 22 s, limit 20 s)',
});

/** A canary run killed at 10% on another machine: journal running, lock held. */
const killedRun = async (state: ReturnType<typeof memoryState>) => {
  const journal: RunJournal = {
    ...journalFor('prod', ['canary']),
    versions: { before: '7', candidate: '8' },
    lockedAt: '2026-03-01T09:59:00.000Z',
  };
  const store = new JournalStore(tempHome(), state);
  await store.save(journal);
  await state.put({
    pk: 'lock',
    sk: 'promote',
    runId: journal.runId,
    actor: 'ci',
    host: 'ci-runner-1',
    command: 'promote prod',
    since: '2026-03-01T09:59:00.000Z',
  });
  return { journal, store };
};

describe('the guardian in the journal', () => {
  it('a run the guardian rolled back carries its record when journals are read', async () => {
    // Prepare
    const state = memoryState();
    const { journal, store } = await killedRun(state);
    await state.put(record(journal.runId) as unknown as StateItem);
    await state.put({ ...record('someone-else'), sk: '2026-03-01T09:00:00.000Z#x' } as never);

    // Act
    const scan = await store.scan('prod');

    // Assess
    expect(scan.runs[0]?.guardian).toMatchObject({
      outcome: 'restored',
      at: '2026-03-01T10:00:22.000Z',
      to: { version: '7' },
    });
    expect(scan.remoteError).toBeUndefined();
  });

  it('--resume refuses it, marks it rolled back and releases the lock it left', async () => {
    // Prepare
    const state = memoryState();
    const { journal, store } = await killedRun(state);
    await state.put(record(journal.runId) as unknown as StateItem);
    const lock = new EnvLock(state, 'prod');

    // Act
    const error = (await resumable('prod', store, lock, ioHost().io, false).catch(
      (e) => e,
    )) as PromoteError;

    // Assess
    expect(error.code).toBe('RUN_ROLLED_BACK_BY_GUARDIAN');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      `run ${journal.runId} cannot be resumed: it was rolled back by the guardian at 2026-03-01T10:00:22.000Z (alias → version 7) because heartbeat stale since 2026-03-01T10:00:00.000Z (no beat for 22 s, limit 20 s)`,
    );
    expect(await lock.holder()).toBeUndefined();
    const saved = (await store.scan('prod')).runs[0];
    expect(saved?.status).toBe('rolled_back');
    expect(saved?.rollback).toMatchObject({ to: '7', verified: true });
  });

  it('--resume --abort of it goes ahead (the alias is already clean) with the rollback on record', async () => {
    // Prepare
    const state = memoryState();
    const { journal, store } = await killedRun(state);
    await state.put(record(journal.runId) as unknown as StateItem);

    // Act
    const found = await resumable('prod', store, new EnvLock(state, 'prod'), ioHost().io, true);

    // Assess
    expect(found.journal.runId).toBe(journal.runId);
    expect(found.journal.rollback?.reason).toMatch(/^by the guardian: heartbeat stale since/);
  });

  it('a stood-down record does not stop a resume at the guardian', async () => {
    // Prepare: the guardian meant to, but the alias had moved (its record says so)
    const state = memoryState();
    const { journal, store } = await killedRun(state);
    await state.put({ ...record(journal.runId), outcome: 'stood-down' } as unknown as StateItem);

    // Act
    const error = (await resumable(
      'prod',
      store,
      new EnvLock(state, 'prod'),
      ioHost().io,
      false,
    ).catch((e) => e)) as PromoteError;

    // Assess: it goes on to the next check (this journal has no inputs)
    expect(error.code).toBe('RESUME_NO_INPUTS');
  });

  it('heartbeat lines say who beats, how recently, and what the guardian did', () => {
    // Prepare
    const beat: Heartbeat = {
      pk: 'heartbeat',
      sk: 'af-south-1',
      runId: 'run-1',
      env: 'prod',
      functionName: 'order-handler-prod',
      alias: 'live',
      phase: 'active',
      beatAt: '2026-03-01T10:00:00.000Z',
      startedAt: '2026-03-01T09:58:00.000Z',
      intervalSeconds: 15,
      analysisIntervalSeconds: 60,
      stable: { version: '7', codeSha256: 's' },
      candidate: { version: '8', codeSha256: 'c' },
      weight: 0.5,
      deadline: '2026-03-01T10:30:00.000Z',
      allowedAlarms: [],
    };
    const now = new Date('2026-03-01T10:00:04.000Z');

    // Act
    const active = heartbeatLine(beat, now);
    const restored = heartbeatLine(
      {
        ...beat,
        phase: 'restored',
        guardian: { at: 'T', summary: 'alarm X in ALARM', record: 'r' },
      },
      now,
    );

    // Assess
    expect(active).toBe(
      'canary heartbeat: run run-1 baking 50% of version 8 until 2026-03-01T10:30:00.000Z; last beat 4 s ago (every 15 s)',
    );
    expect(restored).toBe(
      'canary heartbeat: run run-1 rolled back by the guardian at T because alarm X in ALARM',
    );
  });
});
