import { readFileSync } from 'node:fs';
import {
  GetAliasCommand,
  LambdaClient,
  UpdateAliasCommand,
  type UpdateAliasCommandInput,
} from '@aws-sdk/client-lambda';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { stateApi } from '../../cli/aws/state-api.js';
import { PromoteError } from '../../cli/errors.js';
import { EnvLock } from '../../cli/journal/env-lock.js';
import { JournalStore } from '../../cli/journal/journal-store.js';
import { newJournal } from '../../cli/journal/run-journal.js';
import { PLANS } from '../../cli/plans/plans.js';
import type { StepSpec } from '../../cli/plans/step-spec.js';
import { runPlan } from '../../cli/runner/run-plan.js';
import { STEP_MODULES } from '../../cli/steps/registry.js';
import type { RunOptions } from '../../cli/steps/step-context.js';
import { apisFor, ioHost, targetFor, tempHome } from './promote-fixtures.js';

const lambda = mockClient(LambdaClient);
const doc = mockClient(DynamoDBDocumentClient);

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.smoke-secret-token.sig';

/** Alias `live` that moves on UpdateAlias and reads back as it is. */
const liveAlias = (version: string) => {
  const state = { version };
  lambda.on(GetAliasCommand).callsFake(() => ({ FunctionVersion: state.version }));
  lambda.on(UpdateAliasCommand).callsFake((input: UpdateAliasCommandInput) => {
    state.version = input.FunctionVersion ?? state.version;
    return { FunctionVersion: state.version };
  });
  return state;
};

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** Every call answers 500: every smoke test fails. */
const brokenApi = vi.fn(async () => json(500, { error: { code: 'INTERNAL' } }));

/** Health and list answer as a healthy service does (the read-only subset passes). */
const healthyApi = vi.fn(async (url: string | URL | Request) =>
  String(url).endsWith('/v1.0/orders/health')
    ? json(200, { status: 'healthy', version: '1.0.0' })
    : json(200, { orders: [], count: 0, next_token: null }),
);

const setup = (steps: readonly StepSpec[], options: Partial<RunOptions> = {}) => {
  const plan = PLANS.sit;
  const target = targetFor('sit');
  const state = stateApi(target);
  const home = tempHome();
  const store = new JournalStore(home, undefined);
  const { io } = ioHost({ json: true });
  const journal = newJournal({
    env: 'sit',
    command: 'promote',
    actor: 'tester@example',
    sandbox: true,
    steps: steps.map((s) => ({
      kind: s.kind,
      title: (STEP_MODULES[s.kind].title as (spec: StepSpec, p: typeof plan) => string)(s, plan),
    })),
  });
  journal.versions.candidate = '4';
  const attach = vi.fn(() => store.attach(state));
  const controller = new AbortController();
  return {
    journal,
    store,
    attach,
    controller,
    io,
    home,
    run: () =>
      runPlan({
        plan,
        steps,
        target,
        apis: apisFor(target),
        io,
        journal,
        store,
        lock: { lock: new EnvLock(state, 'sit'), attach },
        options: { home, smokeTokens: async () => ({ token: TOKEN }), ...options },
        signal: controller.signal,
      }),
  };
};

const lockPuts = () =>
  doc.commandCalls(PutCommand).filter((c) => c.args[0].input.Item?.pk === 'lock');
const lockDeletes = () =>
  doc
    .commandCalls(DeleteCommand)
    .filter((c) => c.args[0].input.Key?.pk === 'lock' && c.args[0].input.Key?.sk === 'promote');

beforeEach(() => {
  lambda.reset();
  doc.reset();
  doc.on(PutCommand).resolves({});
  doc.on(DeleteCommand).resolves({});
  brokenApi.mockClear();
  healthyApi.mockClear();
});

describe('runPlan', () => {
  it('shifts, then rolls the alias back when smoke fails, and releases the lock', async () => {
    // Prepare
    const alias = liveAlias('3');
    const run = setup([{ kind: 'shift-all' }, { kind: 'smoke' }], {
      fetch: brokenApi as unknown as typeof fetch,
    });

    // Act
    const error = await run.run().then(
      () => undefined,
      (e: unknown) => e as PromoteError,
    );

    // Assess
    expect(error).toBeInstanceOf(PromoteError);
    expect(error?.reason).toBe('smoke_failed');
    expect(brokenApi).toHaveBeenCalled();
    const moves = lambda
      .commandCalls(UpdateAliasCommand)
      .map((c) => c.args[0].input.FunctionVersion);
    expect(moves).toEqual(['4', '3']);
    expect(alias.version).toBe('3');
    expect(run.journal.status).toBe('rolled_back');
    expect(run.journal.rollback).toMatchObject({ to: '3', verified: true });
    expect(run.journal.error).toMatchObject({ code: 'SMOKE_FAILED', exitCode: 9 });
    expect(run.journal.steps.map((s) => s.state)).toEqual(['succeeded', 'failed']);
    expect(run.journal.finishedAt).toBeDefined();
    // Lock: taken once for this run, attached, and released under this run's id.
    expect(lockPuts()).toHaveLength(1);
    expect(lockPuts()[0]?.args[0].input.Item?.runId).toBe(run.journal.runId);
    expect(run.attach).toHaveBeenCalledTimes(1);
    expect(lockDeletes()).toHaveLength(1);
    expect(lockDeletes()[0]?.args[0].input.ExpressionAttributeValues).toEqual({
      ':runId': run.journal.runId,
    });
    // The journal, local and remote, never holds the token.
    const local = readFileSync(run.store.pathOf(run.journal), 'utf8');
    expect(JSON.parse(local)).toMatchObject({ status: 'rolled_back' });
    expect(local).not.toContain(TOKEN);
    const remote = doc.commandCalls(PutCommand).filter((c) => c.args[0].input.Item?.pk === 'run');
    expect(remote.length).toBeGreaterThan(0);
    expect(JSON.stringify(remote.map((c) => c.args[0].input.Item))).not.toContain(TOKEN);
  });

  it('succeeds when every step passes, leaving the alias on the candidate', async () => {
    // Prepare
    const alias = liveAlias('3');
    const run = setup([{ kind: 'shift-all' }, { kind: 'smoke', readOnly: true }], {
      fetch: healthyApi as unknown as typeof fetch,
    });

    // Act
    const journal = await run.run();

    // Assess
    expect(journal.status).toBe('succeeded');
    expect(alias.version).toBe('4');
    expect(journal.versions).toMatchObject({ before: '3', after: '4' });
    expect(journal.rollback).toBeUndefined();
    expect(journal.steps.every((s) => s.state === 'succeeded')).toBe(true);
    expect(lockPuts()).toHaveLength(1);
    expect(lockDeletes()).toHaveLength(1);
  });

  it('stops as interrupted, without touching the alias, when aborted before start', async () => {
    // Prepare
    liveAlias('3');
    const run = setup([{ kind: 'shift-all' }, { kind: 'smoke' }], {
      fetch: brokenApi as unknown as typeof fetch,
    });
    run.controller.abort();

    // Act
    const error = await run.run().then(
      () => undefined,
      (e: unknown) => e as PromoteError,
    );

    // Assess
    expect(error).toBeInstanceOf(PromoteError);
    expect(error?.reason).toBe('interrupted');
    expect(error?.exitCode).toBe(130);
    expect(run.journal.status).toBe('interrupted');
    expect(lambda.commandCalls(UpdateAliasCommand)).toHaveLength(0);
    expect(brokenApi).not.toHaveBeenCalled();
    // An interrupted run takes no lock (and so has none to release).
    expect(lockPuts()).toHaveLength(0);
    expect(lockDeletes()).toHaveLength(0);
  });

  it('fails with lock_held, changing nothing, when another run holds the lock', async () => {
    // Prepare
    liveAlias('3');
    doc.on(PutCommand).rejects(
      Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
      }),
    );
    doc.on(GetCommand).resolves({
      Item: { pk: 'lock', sk: 'promote', runId: 'other-run', actor: 'alice', host: 'h' },
    });
    const run = setup([{ kind: 'shift-all' }]);

    // Act
    const error = await run.run().then(
      () => undefined,
      (e: unknown) => e as PromoteError,
    );

    // Assess
    expect(error?.reason).toBe('lock_held');
    expect(error?.message).toContain('alice@h');
    expect(lambda.commandCalls(UpdateAliasCommand)).toHaveLength(0);
    expect(run.attach).not.toHaveBeenCalled();
    expect(lockDeletes()).toHaveLength(0);
    expect(run.journal.status).toBe('failed');
  });

  it('reports rollback_failed with a manual command when the alias cannot be restored', async () => {
    // Prepare
    const alias = liveAlias('3');
    lambda
      .on(UpdateAliasCommand)
      .callsFakeOnce((input: UpdateAliasCommandInput) => {
        alias.version = input.FunctionVersion ?? alias.version;
        return { FunctionVersion: alias.version };
      })
      .rejects(new Error('AccessDenied on UpdateAlias'));
    const run = setup([{ kind: 'shift-all' }, { kind: 'smoke' }], {
      fetch: brokenApi as unknown as typeof fetch,
    });

    // Act
    const error = await run.run().then(
      () => undefined,
      (e: unknown) => e as PromoteError,
    );

    // Assess
    expect(error?.reason).toBe('rollback_failed');
    expect(error?.hint).toContain('--function-version 3');
    expect(run.journal.status).toBe('rollback_failed');
    expect(lockDeletes()).toHaveLength(1);
  });
});
