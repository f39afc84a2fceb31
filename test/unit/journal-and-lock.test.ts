import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { stateApi } from '../../cli/aws/state-api.js';
import { PromoteError } from '../../cli/errors.js';
import { EnvLock } from '../../cli/journal/env-lock.js';
import { JournalStore } from '../../cli/journal/journal-store.js';
import { newJournal, type RunJournal } from '../../cli/journal/run-journal.js';
import { targetFor, tempHome } from './promote-fixtures.js';

const doc = mockClient(DynamoDBDocumentClient);

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

const holder = {
  pk: 'lock',
  sk: 'promote',
  runId: '20260221T100000Z-beef',
  actor: 'alice',
  host: 'alice-laptop',
  command: 'promote prod',
  since: '2026-02-21T10:00:00.000Z',
};

const journal = (runId: string, env: RunJournal['env'] = 'sit'): RunJournal =>
  newJournal({ env, command: 'promote', actor: 'ci', sandbox: true, steps: [], runId });

beforeEach(() => {
  doc.reset();
});

describe('EnvLock', () => {
  it('acquires with a conditional put naming this run', async () => {
    // Prepare
    doc.on(PutCommand).resolves({});
    const lock = new EnvLock(stateApi(targetFor('sit')), 'sit');

    // Act
    const held = await lock.acquire({ runId: 'r1', actor: 'bob', command: 'promote sit' });

    // Assess
    expect(held).toMatchObject({ runId: 'r1', actor: 'bob', command: 'promote sit' });
    expect(held.host).toBeTruthy();
    const [put] = doc.commandCalls(PutCommand);
    expect(put?.args[0].input).toMatchObject({
      TableName: 'promote-state-sit',
      Item: { pk: 'lock', sk: 'promote', runId: 'r1', actor: 'bob' },
      ConditionExpression: 'attribute_not_exists(pk) OR runId = :runId',
      ExpressionAttributeValues: { ':runId': 'r1' },
    });
  });

  it('fails with lock_held naming the holder when the condition fails', async () => {
    // Prepare
    doc.on(PutCommand).rejects(conditionFailed());
    doc.on(GetCommand).resolves({ Item: holder });
    const lock = new EnvLock(stateApi(targetFor('prod')), 'prod');

    // Act
    const error = await lock.acquire({ runId: 'r2', actor: 'bob', command: 'promote prod' }).then(
      () => undefined,
      (e: unknown) => e as PromoteError,
    );

    // Assess
    expect(error).toBeInstanceOf(PromoteError);
    expect(error?.reason).toBe('lock_held');
    expect(error?.code).toBe('LOCK_HELD');
    expect(error?.exitCode).toBe(7);
    expect(error?.message).toContain('alice@alice-laptop');
    expect(error?.message).toContain(holder.runId);
    expect(error?.details?.holder).toMatchObject({ runId: holder.runId });
    expect(doc.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'promote-state-prod',
      Key: { pk: 'lock', sk: 'promote' },
      ConsistentRead: true,
    });
  });

  it('propagates errors other than a failed condition', async () => {
    // Prepare
    doc
      .on(PutCommand)
      .rejects(Object.assign(new Error('no table'), { name: 'ResourceNotFoundException' }));
    const lock = new EnvLock(stateApi(targetFor('sit')), 'sit');

    // Act
    const error = await lock.acquire({ runId: 'r1', actor: 'bob', command: 'x' }).catch((e) => e);

    // Assess
    expect(error).not.toBeInstanceOf(PromoteError);
    expect((error as Error).name).toBe('ResourceNotFoundException');
  });

  it('releases only under a condition on this run id', async () => {
    // Prepare
    doc.on(DeleteCommand).resolves({});
    const lock = new EnvLock(stateApi(targetFor('sit')), 'sit');

    // Act
    await lock.release('r1');

    // Assess
    const [del] = doc.commandCalls(DeleteCommand);
    expect(del?.args[0].input).toMatchObject({
      TableName: 'promote-state-sit',
      Key: { pk: 'lock', sk: 'promote' },
      ConditionExpression: 'runId = :runId',
      ExpressionAttributeValues: { ':runId': 'r1' },
    });
  });

  it('leaves another run’s lock alone without throwing', async () => {
    // Prepare
    doc.on(DeleteCommand).rejects(conditionFailed());
    const lock = new EnvLock(stateApi(targetFor('sit')), 'sit');

    // Act
    const outcome = await lock.release('not-mine').then(() => 'released quietly');

    // Assess
    expect(outcome).toBe('released quietly');
    expect(doc.commandCalls(DeleteCommand)).toHaveLength(1);
  });

  it('force-unlocks with an unconditional delete and says who held it', async () => {
    // Prepare
    doc.on(GetCommand).resolves({ Item: holder });
    doc.on(DeleteCommand).resolves({});
    const lock = new EnvLock(stateApi(targetFor('sit')), 'sit');

    // Act
    const was = await lock.forceUnlock();

    // Assess
    expect(was?.actor).toBe('alice');
    expect(doc.commandCalls(DeleteCommand)[0]?.args[0].input.ConditionExpression).toBeUndefined();
  });
});

describe('JournalStore', () => {
  it('saves locally and lists newest first, this environment only', async () => {
    // Prepare
    const store = new JournalStore(tempHome(), undefined);
    const older = journal('20260101T000000Z-aaaa');
    const newer = journal('20260102T000000Z-bbbb');
    newer.status = 'succeeded';
    const otherEnv = journal('20260103T000000Z-cccc', 'prod');

    // Act
    await store.save(newer);
    await store.save(older);
    await store.save(otherEnv);
    const listed = await store.list('sit');

    // Assess
    expect(listed.map((j) => j.runId)).toEqual([newer.runId, older.runId]);
    expect(listed[0]?.status).toBe('succeeded');
    expect(doc.calls()).toHaveLength(0);
  });

  it('overwrites a run on save and ignores a torn file', async () => {
    // Prepare
    const home = tempHome();
    const store = new JournalStore(home, undefined);
    const run = journal('20260101T000000Z-aaaa');
    await store.save(run);
    run.status = 'failed';
    writeFileSync(join(home, 'runs', 'sit', '20260105T000000Z-torn.json'), '{"schema":1,');

    // Act
    await store.save(run);
    const listed = await store.list('sit', 5);

    // Assess
    expect(listed).toHaveLength(1);
    expect(listed[0]?.status).toBe('failed');
    expect(store.pathOf(run)).toBe(join(home, 'runs', 'sit', `${run.runId}.json`));
  });

  it('reads the newest journals only, skipping a torn one without losing a slot', async () => {
    // Prepare: three good runs, a torn newest file and a torn oldest one
    const home = tempHome();
    const store = new JournalStore(home, undefined);
    for (const id of ['20260102T000000Z-bbbb', '20260103T000000Z-cccc', '20260104T000000Z-dddd'])
      await store.save(journal(id));
    writeFileSync(join(home, 'runs', 'sit', '20260105T000000Z-torn.json'), '{"schema":1,');
    writeFileSync(join(home, 'runs', 'sit', '20260101T000000Z-old.json'), 'not json');

    // Act
    const scan = await store.scan('sit', 2);

    // Assess
    expect(scan.runs.map((j) => j.runId)).toEqual([
      '20260104T000000Z-dddd',
      '20260103T000000Z-cccc',
    ]);
    expect(scan.unreadable.map((u) => u.where)).toEqual([
      join(home, 'runs', 'sit', '20260105T000000Z-torn.json'),
    ]);
  });

  it('writes to the state table under pk "run" once attached', async () => {
    // Prepare
    doc.on(PutCommand).resolves({});
    const store = new JournalStore(tempHome(), undefined);
    const run = journal('20260101T000000Z-aaaa');
    await store.save(run);
    expect(doc.commandCalls(PutCommand)).toHaveLength(0);

    // Act
    store.attach(stateApi(targetFor('sit')));
    await store.save(run);

    // Assess
    const puts = doc.commandCalls(PutCommand);
    expect(puts).toHaveLength(1);
    const input = puts[0]?.args[0].input;
    expect(input?.TableName).toBe('promote-state-sit');
    expect(input?.Item).toMatchObject({ pk: 'run', sk: run.runId, status: 'running' });
    expect(JSON.parse(String(input?.Item?.journal))).toMatchObject({ runId: run.runId });
    // The newest copy wins: the write is conditional on the remote one being older.
    expect(input?.Item?.seq).toBe(2);
    expect(input?.ConditionExpression).toBe('attribute_not_exists(seq) OR seq < :seq');
    expect(input?.ExpressionAttributeValues).toEqual({ ':seq': 2 });
  });

  it('reports a failed remote write and still keeps the local file', async () => {
    // Prepare
    doc.on(PutCommand).rejects(new Error('throttled'));
    const onRemoteError = vi.fn();
    const store = new JournalStore(tempHome(), stateApi(targetFor('sit')), onRemoteError);
    const run = journal('20260101T000000Z-aaaa');

    // Act
    await store.save(run);

    // Assess
    expect(onRemoteError).toHaveBeenCalledWith(expect.objectContaining({ message: 'throttled' }));
    doc.on(QueryCommand).rejects(new Error('offline'));
    const listed = await store.list('sit');
    expect(listed.map((j) => j.runId)).toEqual([run.runId]);
  });

  it('merges the state table’s runs with local-only ones', async () => {
    // Prepare
    const remote = journal('20260109T000000Z-remo');
    doc.on(PutCommand).rejects(new Error('offline'));
    doc.on(QueryCommand).resolves({
      Items: [{ pk: 'run', sk: remote.runId, journal: JSON.stringify(remote) }],
    });
    const store = new JournalStore(tempHome(), stateApi(targetFor('sit')));
    const local = journal('20260101T000000Z-locl');
    await store.save(local);

    // Act
    const listed = await store.list('sit');

    // Assess
    expect(listed.map((j) => j.runId)).toEqual([remote.runId, local.runId]);
    expect(doc.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'run' },
      ScanIndexForward: false,
    });
  });
});
