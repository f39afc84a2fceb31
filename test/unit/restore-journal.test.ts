import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadChecklist } from '../../cli/checklists/load-checklist.js';
import { runProbe } from '../../cli/checklists/probe.js';
import { PROBES } from '../../cli/checklists/probe-registry.js';
import { lastValidatedRestore } from '../../cli/checklists/restore-probes.js';
import type { RunJournal } from '../../cli/journal/run-journal.js';
import { supersession } from '../../cli/journal/supersede.js';
import { countAroundBackup } from '../../cli/ops/backup-counts.js';
import { resolveBackup } from '../../cli/ops/restore-source.js';
import { documentClientOf } from '../../cli/ops/table-counts.js';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { journalFor, targetFor } from './promote-fixtures.js';

/**
 * What the journal holds for backups and restores: the counts the backup step takes around
 * a backup, the `restore-rehearsed` probe that reads validated restores, and journals that
 * are older than both (they must still load and still be usable).
 */

const doc = mockClient(DynamoDBDocumentClient);
const prod = ENVIRONMENTS.prod;
const NOW = new Date('2026-12-01T12:00:00.000Z');

beforeEach(() => doc.reset());

const restoreRun = (finishedAt: string, verdict: 'validated' | 'failed'): RunJournal => {
  const journal = { ...journalFor('prod', ['restore', 'validate']), command: 'restore' as const };
  journal.status = verdict === 'validated' ? 'succeeded' : 'failed';
  journal.finishedAt = finishedAt;
  journal.restore = {
    action: 'restore',
    table: 'orders-prod-restored-20261120T100000Z',
    source: { kind: 'backup', arn: 'arn:b', name: 'orders-prod-on-demand-20261120-095900' },
    verdict,
  };
  return journal;
};

describe('countAroundBackup', () => {
  it('counts before CreateBackup and bounds the count by the writes the scan after it sees', async () => {
    // Prepare: one older order updated and one created between the count and the scan after.
    const old = { created_at: '2026-12-01T10:00:00.000Z', updated_at: '2026-12-01T10:00:00.000Z' };
    doc
      .on(ScanCommand)
      .resolvesOnce({
        Items: [
          { order_id: 'o1', status: 'pending', ...old },
          { order_id: 'o2', status: 'pending', ...old },
        ],
      })
      .resolves({
        Items: [
          { order_id: 'o1', status: 'pending', ...old },
          { order_id: 'o2', status: 'shipped', ...old, updated_at: '2026-12-01T12:00:01.000Z' },
          {
            order_id: 'n1',
            status: 'pending',
            created_at: '2026-12-01T12:00:02.000Z',
            updated_at: '2026-12-01T12:00:02.000Z',
          },
        ],
      });
    const takeBackup = vi.fn(async () => 'arn:backup');

    // Act
    const counted = await countAroundBackup(
      documentClientOf(targetFor('prod')),
      'orders-prod',
      takeBackup,
      () => NOW,
    );

    // Assess
    expect(takeBackup).toHaveBeenCalledTimes(1);
    expect(counted).toEqual({
      backup: 'arn:backup',
      counts: { byStatus: { pending: 2 }, total: 2, countedAt: NOW.toISOString(), tolerance: 2 },
    });
    const [before, after] = doc.commandCalls(ScanCommand).map((c) => c.args[0].input);
    const projected = {
      '#a0': 'order_id',
      '#a1': 'status',
      '#a2': 'created_at',
      '#a3': 'updated_at',
    };
    expect(before).toMatchObject({ ConsistentRead: true, ExpressionAttributeNames: projected });
    expect(after).toMatchObject({ ConsistentRead: true, ExpressionAttributeNames: projected });
  });

  it('is exact when nothing was written around the backup', async () => {
    // Prepare
    const old = { created_at: '2026-12-01T10:00:00.000Z', updated_at: '2026-12-01T10:00:00.000Z' };
    doc.on(ScanCommand).resolves({
      Items: [
        { order_id: 'o1', status: 'pending', ...old },
        { order_id: 'o2', status: 'cancelled', ...old },
      ],
    });

    // Act
    const counted = await countAroundBackup(
      documentClientOf(targetFor('prod')),
      'orders-prod',
      async () => 'arn:backup',
      () => NOW,
    );

    // Assess
    expect(counted).toMatchObject({
      counts: { byStatus: { pending: 1, cancelled: 1 }, total: 2, tolerance: 0 },
    });
  });

  it('counts every page of the table', async () => {
    // Prepare
    doc
      .on(ScanCommand)
      .resolvesOnce({ Items: [{ status: 'pending' }], LastEvaluatedKey: { order_id: 'a' } })
      .resolvesOnce({ Items: [{ status: 'shipped' }, {}] })
      .resolves({ Items: [] });

    // Act
    const counted = await countAroundBackup(
      documentClientOf(targetFor('prod')),
      'orders-prod',
      async () => 'arn:backup',
      () => NOW,
    );

    // Assess
    expect(counted).toMatchObject({
      counts: { byStatus: { pending: 1, shipped: 1, '(none)': 1 }, total: 3 },
    });
    expect(doc.commandCalls(ScanCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual({
      order_id: 'a',
    });
  });

  it('a failed count never stops the backup', async () => {
    // Prepare
    doc
      .on(ScanCommand)
      .rejects(Object.assign(new Error('no scan for you'), { name: 'AccessDeniedException' }));
    const takeBackup = vi.fn(async () => 'arn:backup');

    // Act
    const counted = await countAroundBackup(
      documentClientOf(targetFor('prod')),
      'orders-prod',
      takeBackup,
      () => NOW,
    );

    // Assess
    expect(counted).toEqual({
      backup: 'arn:backup',
      error: 'AccessDeniedException: no scan for you',
    });
    expect(takeBackup).toHaveBeenCalledTimes(1);
  });
});

describe('the journal of backups and restores', () => {
  it('a journal from before item counts existed still loads and falls back to DescribeBackup', async () => {
    // Prepare: the shape journals had before (no counts, no restore, promote command).
    const old = JSON.parse(
      JSON.stringify({
        ...journalFor('prod', ['backup']),
        backups: [
          { arn: 'arn:b', name: 'orders-prod-pre-deployment-20261101-100000', status: 'AVAILABLE' },
        ],
      }),
    ) as RunJournal;
    const api = {
      listBackups: vi.fn(),
      describeBackup: vi.fn(async () => ({
        arn: 'arn:b',
        name: 'orders-prod-pre-deployment-20261101-100000',
        status: 'AVAILABLE',
        tableName: 'orders-prod',
        itemCount: 7,
      })),
    };

    // Act
    const resolved = await resolveBackup(api, prod, 'arn:b', async () => [old]);

    // Assess
    expect(resolved.expected).toMatchObject({ source: 'describe-backup', total: 7 });
    expect(resolved.source).toMatchObject({ kind: 'backup', arn: 'arn:b' });
  });

  it('a restore or backup run taking the lock later never supersedes a paused promote', () => {
    // Prepare
    const paused = journalFor('prod', ['canary']);
    paused.status = 'paused';
    const later = (command: RunJournal['command']) => ({
      ...journalFor('prod', ['x']),
      command,
      startedAt: new Date(Date.parse(paused.startedAt) + 60_000).toISOString(),
      lockedAt: new Date(Date.parse(paused.startedAt) + 61_000).toISOString(),
    });

    // Act
    const byRestore = supersession(paused, [paused, later('restore'), later('backup')]);
    const byRollback = supersession(paused, [paused, later('rollback')]);

    // Assess
    expect(byRestore).toBeUndefined();
    expect(byRollback?.reason).toContain('rollback run');
  });
});

describe('restore-rehearsed probe', () => {
  const ctx = (runs: RunJournal[]) => ({
    env: prod,
    plan: {} as never,
    apis: {} as never,
    checklist: {} as never,
    apiBaseUrl: 'https://api.kimmyai.io',
    now: () => NOW,
    runs: async () => runs,
  });

  it('passes on a validated restore of the env in the last 30 days, naming it', async () => {
    // Prepare
    const runs = [
      restoreRun('2026-11-25T10:00:00.000Z', 'validated'),
      restoreRun('2026-11-28T10:00:00.000Z', 'failed'),
    ];

    // Act
    const result = await runProbe('restore-rehearsed', PROBES, ctx(runs));

    // Assess
    expect(result.ok).toBe(true);
    expect(result.name).toBe('validated restore of orders-prod in the last 30 days');
    expect(result.detail).toContain(
      'orders-prod-restored-20261120T100000Z from backup orders-prod-on-demand-20261120-095900',
    );
  });

  it.each([
    ['none at all', []],
    ['only a failed one', [restoreRun('2026-11-28T10:00:00.000Z', 'failed')]],
    ['one too old', [restoreRun('2026-10-01T10:00:00.000Z', 'validated')]],
  ])('fails with %s', async (_what, runs) => {
    // Act
    const result = await runProbe('restore-rehearsed', PROBES, ctx(runs as RunJournal[]));

    // Assess
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('no validated "promote restore" since 2026-11-01');
  });

  it('picks the newest of several validated restores', () => {
    // Prepare
    const runs = [
      restoreRun('2026-11-20T10:00:00.000Z', 'validated'),
      restoreRun('2026-11-29T10:00:00.000Z', 'validated'),
    ];

    // Act
    const found = lastValidatedRestore(runs, new Date('2026-11-01T00:00:00Z'));

    // Assess
    expect(found?.finishedAt).toBe('2026-11-29T10:00:00.000Z');
  });

  it("is what PROD's checklist item 'Test restore procedure from backup' checks", () => {
    // Prepare
    const checklist = loadChecklist('prod');

    // Act
    const item = checklist.phases
      .flatMap((p) => p.sections.flatMap((s) => s.items))
      .find((i) => i.text === 'Test restore procedure from backup');

    // Assess
    expect(item).toMatchObject({ id: 'prod-data-restore-tested', check: 'restore-rehearsed' });
    expect(item?.manual).toBeUndefined();
  });
});
