import {
  GetAliasCommand,
  LambdaClient,
  UpdateAliasCommand,
  type UpdateAliasCommandInput,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { lambdaApi } from '../../cli/aws/lambda-api.js';
import { PromoteError } from '../../cli/errors.js';
import { PLANS } from '../../cli/plans/plans.js';
import { restoreAlias } from '../../cli/runner/restore-alias.js';
import { shiftAll } from '../../cli/steps/shift-all.js';
import { ioHost, journalFor, stepContext, targetFor } from './promote-fixtures.js';

const lambda = mockClient(LambdaClient);

/** A Lambda whose alias moves when UpdateAlias is called and reads back as it is. */
const liveAlias = (version: string, weights: Record<string, number> = {}) => {
  const state = { version, weights };
  lambda.on(GetAliasCommand).callsFake(() => ({
    FunctionVersion: state.version,
    RoutingConfig: { AdditionalVersionWeights: state.weights },
  }));
  lambda.on(UpdateAliasCommand).callsFake((input: UpdateAliasCommandInput) => {
    state.version = input.FunctionVersion ?? state.version;
    state.weights = input.RoutingConfig?.AdditionalVersionWeights ?? {};
    return { FunctionVersion: state.version };
  });
  return state;
};

const updates = () =>
  lambda.commandCalls(UpdateAliasCommand).map((c) => ({
    version: c.args[0].input.FunctionVersion,
    weights: c.args[0].input.RoutingConfig?.AdditionalVersionWeights,
  }));

const rejection = async (run: Promise<unknown>): Promise<PromoteError> => {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PromoteError);
  return error as PromoteError;
};

beforeEach(() => {
  lambda.reset();
});

describe('shift-all step', () => {
  it('moves the alias to the candidate, reads it back and records before/after', async () => {
    // Prepare
    const alias = liveAlias('3');
    const ctx = stepContext({ env: 'sit' });
    ctx.journal.versions.candidate = '4';

    // Act
    await shiftAll.run(ctx, { kind: 'shift-all' });

    // Assess
    expect(updates()).toEqual([{ version: '4', weights: {} }]);
    expect(lambda.commandCalls(GetAliasCommand)).toHaveLength(2);
    expect(lambda.commandCalls(UpdateAliasCommand)[0]?.args[0].input).toMatchObject({
      FunctionName: PLANS.sit.env.functionName,
      Name: 'live',
    });
    expect(alias.version).toBe('4');
    expect(ctx.journal.versions).toMatchObject({ before: '3', candidate: '4', after: '4' });
    expect(ctx.record.evidence.alias).toEqual({ from: '3', to: '4' });
    // The rollback is armed (journal saved with `before`) before the alias moves.
    expect(ctx.save).toHaveBeenCalled();
  });

  it('does nothing when the alias is already on the candidate', async () => {
    // Prepare
    liveAlias('4');
    const ctx = stepContext({ env: 'sit' });
    ctx.journal.versions.candidate = '4';

    // Act
    await shiftAll.run(ctx, { kind: 'shift-all' });

    // Assess
    expect(lambda.commandCalls(UpdateAliasCommand)).toHaveLength(0);
    expect(ctx.journal.versions.after).toBe('4');
    expect(ctx.record.evidence.unchanged).toBe(true);
  });

  it('fails with deploy_failed when the alias reads back elsewhere', async () => {
    // Prepare
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '3' });
    lambda.on(UpdateAliasCommand).resolves({ FunctionVersion: '4' });
    const ctx = stepContext({ env: 'sit' });
    ctx.journal.versions.candidate = '4';

    // Act
    const error = await rejection(shiftAll.run(ctx, { kind: 'shift-all' }));

    // Assess
    expect(error.reason).toBe('deploy_failed');
    expect(error.code).toBe('ALIAS_NOT_VERIFIED');
    expect(ctx.journal.versions.before).toBe('3');
    expect(ctx.journal.versions.after).toBeUndefined();
  });

  it('fails with deploy_failed when weights are left on the alias', async () => {
    // Prepare
    lambda
      .on(GetAliasCommand)
      .resolvesOnce({ FunctionVersion: '3' })
      .resolves({
        FunctionVersion: '4',
        RoutingConfig: { AdditionalVersionWeights: { '3': 0.1 } },
      });
    lambda.on(UpdateAliasCommand).resolves({ FunctionVersion: '4' });
    const ctx = stepContext({ env: 'sit' });
    ctx.journal.versions.candidate = '4';

    // Act
    const error = await rejection(shiftAll.run(ctx, { kind: 'shift-all' }));

    // Assess
    expect(error.reason).toBe('deploy_failed');
    expect(error.message).toContain('"3":0.1');
  });

  it('refuses to shift without a candidate', async () => {
    // Prepare
    liveAlias('3');
    const ctx = stepContext({ env: 'sit' });

    // Act
    const error = await rejection(shiftAll.run(ctx, { kind: 'shift-all' }));

    // Assess
    expect(error.code).toBe('NO_CANDIDATE');
    expect(lambda.calls()).toHaveLength(0);
  });
});

describe('restoreAlias', () => {
  const setup = (before: string | undefined, candidate = '4') => {
    const journal = journalFor('sit');
    if (before) journal.versions.before = before;
    journal.versions.candidate = candidate;
    journal.status = 'failed';
    return { journal, io: ioHost().io, lambda: lambdaApi(targetFor('sit')) };
  };

  it('is not needed when the alias is still on `before` with no weights', async () => {
    // Prepare
    liveAlias('3');
    const input = setup('3');

    // Act
    const outcome = await restoreAlias({ ...input, reason: 'smoke failed' });

    // Assess
    expect(outcome).toBe('not_needed');
    expect(lambda.commandCalls(UpdateAliasCommand)).toHaveLength(0);
    expect(input.journal.rollback).toBeUndefined();
    expect(input.journal.status).toBe('failed');
  });

  it('is not needed (and reads nothing) when the run never armed it', async () => {
    // Prepare
    liveAlias('4');
    const input = setup(undefined);

    // Act
    const outcome = await restoreAlias({ ...input, reason: 'preflight' });

    // Assess
    expect(outcome).toBe('not_needed');
    expect(lambda.calls()).toHaveLength(0);
  });

  it('switches a moved alias back to `before` with empty weights and verifies it', async () => {
    // Prepare
    const alias = liveAlias('4');
    const input = setup('3');

    // Act
    const outcome = await restoreAlias({ ...input, reason: 'SMOKE_FAILED: 2 failed' });

    // Assess
    expect(outcome).toBe('rolled_back');
    expect(updates()).toEqual([{ version: '3', weights: {} }]);
    expect(alias.version).toBe('3');
    expect(input.journal.rollback).toMatchObject({
      to: '3',
      verified: true,
      reason: 'SMOKE_FAILED: 2 failed',
    });
    expect(input.journal.versions.after).toBe('3');
    expect(input.journal.status).toBe('rolled_back');
  });

  it('clears canary weights even when the stable version is already `before`', async () => {
    // Prepare
    const alias = liveAlias('3', { '4': 0.1 });
    const input = setup('3');

    // Act
    const outcome = await restoreAlias({ ...input, reason: 'gate' });

    // Assess
    expect(outcome).toBe('rolled_back');
    expect(alias.weights).toEqual({});
  });

  it('keeps status interrupted when the run was interrupted', async () => {
    // Prepare
    liveAlias('4');
    const input = setup('3');
    input.journal.status = 'interrupted';

    // Act
    await restoreAlias({ ...input, reason: 'INTERRUPTED' });

    // Assess
    expect(input.journal.status).toBe('interrupted');
    expect(input.journal.rollback?.verified).toBe(true);
  });

  it('leaves an alias someone else moved alone (neither before nor candidate)', async () => {
    // Prepare
    const alias = liveAlias('36');
    const input = setup('23', '24');

    // Act
    const outcome = await restoreAlias({ ...input, reason: 'resumed run failed' });

    // Assess
    expect(outcome).toBe('foreign');
    expect(updates()).toEqual([]);
    expect(alias.version).toBe('36');
    expect(input.journal.versions.after).toBe('36');
    expect(input.journal.rollback).toBeUndefined();
  });

  it('treats weights towards an unknown version as foreign too', async () => {
    // Prepare
    liveAlias('23', { '99': 0.1 });
    const input = setup('23', '24');

    // Act
    const outcome = await restoreAlias({ ...input, reason: 'x' });

    // Assess
    expect(outcome).toBe('foreign');
    expect(updates()).toEqual([]);
  });

  it('reports failed and marks the journal rollback_failed when UpdateAlias throws', async () => {
    // Prepare
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '4' });
    lambda.on(UpdateAliasCommand).rejects(new Error('AccessDeniedException: not allowed'));
    const input = setup('3');

    // Act
    const outcome = await restoreAlias({ ...input, reason: 'smoke' });

    // Assess
    expect(outcome).toBe('failed');
    expect(input.journal.status).toBe('rollback_failed');
    expect(input.journal.rollback).toMatchObject({ to: '3', verified: false });
    expect(input.journal.rollback?.error).toContain('not allowed');
  });
});
