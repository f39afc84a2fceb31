import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GetAliasCommand,
  GetFunctionCommand,
  InvokeCommand,
  type InvokeCommandOutput,
  LambdaClient,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { lambdaApi } from '../../cli/aws/lambda-api.js';
import { inRegion, regionalApiUrlOf } from '../../cli/aws/regional-target.js';
import { rollbackRegion } from '../../cli/commands/rollback-region.js';
import { PromoteError } from '../../cli/errors.js';
import { restoreFailoverAlias } from '../../cli/runner/restore-alias.js';
import { failoverRegion } from '../../cli/steps/failover-region.js';
import { ioHost, stepContext, targetFor, tempHome } from './promote-fixtures.js';

const ZIP = Buffer.from('PK\u0003\u0004 the package, Lambda is mocked');
const SHA = createHash('sha256').update(ZIP).digest('base64');
const REGION = 'eu-west-1';

const client = new LambdaClient({ region: REGION });
const mock = mockClient(client);
const failoverLambda = () =>
  lambdaApi(inRegion(targetFor('prod'), REGION), client, {
    attempts: 1,
    baseDelayMs: 0,
    maxDelayMs: 0,
    sleep: async () => {},
  });

/** A payload as the SDK hands it over (the API reads it as bytes). */
const payload = (text: string) => Buffer.from(text) as unknown as InvokeCommandOutput['Payload'];
const healthy = () =>
  payload(JSON.stringify({ statusCode: 200, body: JSON.stringify({ status: 'healthy' }) }));

const context = (journaledSha = SHA) => {
  const path = join(tempHome(), 'order-handler.zip');
  writeFileSync(path, ZIP);
  const ctx = stepContext({
    env: 'prod',
    options: { artifact: path },
    apis: { failover: { region: REGION, lambda: failoverLambda() } },
  });
  ctx.journal.artifact = { codeSha256: journaledSha, release: 'v1.2.0-prod' };
  return ctx;
};

const rejection = async (run: Promise<unknown>): Promise<PromoteError> => {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PromoteError);
  return error as PromoteError;
};

beforeEach(() => {
  mock.reset();
  mock
    .on(GetAliasCommand)
    .resolvesOnce({ FunctionVersion: '7' })
    .resolves({ FunctionVersion: '8' });
  mock.on(ListVersionsByFunctionCommand).resolves({
    Versions: [{ Version: '7', CodeSha256: 'older=' }],
  });
  mock.on(UpdateFunctionCodeCommand).resolves({ CodeSha256: SHA });
  mock.on(GetFunctionCommand).resolves({
    Configuration: {
      Version: '8',
      CodeSha256: SHA,
      State: 'Active',
      LastUpdateStatus: 'Successful',
    },
  });
  mock.on(PublishVersionCommand).resolves({ Version: '8', CodeSha256: SHA });
  mock.on(UpdateAliasCommand).resolves({ FunctionVersion: '8' });
  mock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: healthy() });
});

describe('failover-region step', () => {
  it('publishes the same bytes in the failover region under its own version and moves its alias', async () => {
    // Prepare
    const ctx = context();

    // Act
    await failoverRegion.run(ctx, { kind: 'failover-region' });

    // Assess
    expect(ctx.journal.failover).toMatchObject({
      region: REGION,
      before: '7',
      candidate: '8',
      after: '8',
    });
    expect(mock.commandCalls(PublishVersionCommand)[0]?.args[0].input.CodeSha256).toBe(SHA);
    expect(mock.commandCalls(UpdateAliasCommand)[0]?.args[0].input).toMatchObject({
      FunctionVersion: '8',
      RoutingConfig: { AdditionalVersionWeights: {} },
    });
    // The rollback was armed (journal saved) before the alias moved.
    expect(ctx.save).toHaveBeenCalled();
  });

  it('reuses the version that already holds the package', async () => {
    // Prepare
    mock.on(ListVersionsByFunctionCommand).resolves({
      Versions: [
        { Version: '7', CodeSha256: 'older=' },
        { Version: '9', CodeSha256: SHA },
      ],
    });
    mock.on(UpdateAliasCommand).resolves({ FunctionVersion: '9' });
    mock
      .on(GetAliasCommand)
      .resolvesOnce({ FunctionVersion: '7' })
      .resolves({ FunctionVersion: '9' });
    const ctx = context();

    // Act
    await failoverRegion.run(ctx, { kind: 'failover-region' });

    // Assess
    expect(mock.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
    expect(ctx.journal.failover?.after).toBe('9');
  });

  it('refuses other bytes than the primary runs, touching nothing', async () => {
    // Prepare
    const ctx = context('primary-runs-this=');

    // Act
    const error = await rejection(failoverRegion.run(ctx, { kind: 'failover-region' }));

    // Assess
    expect(error.code).toBe('CANDIDATE_MISMATCH');
    expect(mock.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
    expect(mock.commandCalls(UpdateAliasCommand)).toHaveLength(0);
  });

  it('fails when the moved version does not answer its health route', async () => {
    // Prepare
    mock.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload('{}'),
    });
    const ctx = context();

    // Act
    const error = await rejection(failoverRegion.run(ctx, { kind: 'failover-region' }));

    // Assess
    expect(error.code).toBe('REGION_UNHEALTHY');
    expect(ctx.journal.failover?.before).toBe('7');
  });
});

describe('restoreFailoverAlias', () => {
  it('puts the failover region back on the version it started from', async () => {
    // Prepare
    mock.reset();
    mock
      .on(GetAliasCommand)
      .resolvesOnce({ FunctionVersion: '8' })
      .resolves({ FunctionVersion: '7' });
    mock.on(UpdateAliasCommand).resolves({ FunctionVersion: '7' });
    const ctx = context();
    ctx.journal.failover = { region: REGION, before: '7', candidate: '8', after: '8' };

    // Act
    const outcome = await restoreFailoverAlias({
      lambda: failoverLambda(),
      journal: ctx.journal,
      io: ioHost().io,
    });

    // Assess
    expect(outcome).toBe('rolled_back');
    expect(ctx.journal.failover).toMatchObject({
      after: '7',
      rollback: { to: '7', verified: true },
    });
  });

  it('leaves an alias someone else moved alone', async () => {
    // Prepare
    mock.reset();
    mock.on(GetAliasCommand).resolves({ FunctionVersion: '12' });
    const ctx = context();
    ctx.journal.failover = { region: REGION, before: '7', candidate: '8' };

    // Act
    const outcome = await restoreFailoverAlias({
      lambda: failoverLambda(),
      journal: ctx.journal,
      io: ioHost().io,
    });

    // Assess
    expect(outcome).toBe('foreign');
    expect(mock.commandCalls(UpdateAliasCommand)).toHaveLength(0);
  });
});

describe('regionalApiUrlOf', () => {
  it.each([
    [{ PROMOTE_API_URL_PROD_EU_WEST_1: 'https://eu.example/' }, 'https://eu.example'],
    [{ PROMOTE_API_URL_PROD: 'https://api.example' }, undefined],
    [{}, undefined],
  ])('reads %j as %s', (processEnv, expected) => {
    // Act / Assess
    expect(regionalApiUrlOf('prod', REGION, processEnv)).toBe(expected);
  });
});

describe('rollbackRegion (rollback prod in the failover region)', () => {
  const rollbackContext = () => {
    const ctx = context();
    const journal = ctx.journal;
    journal.steps.push({
      index: 1,
      kind: 'switch-alias-failover',
      title: 'failover',
      state: 'pending',
      evidence: {},
    });
    return { journal, step: journal.steps[1] as (typeof journal.steps)[0] };
  };

  it('moves the failover region to the version holding the same package', async () => {
    // Prepare
    mock.reset();
    mock
      .on(GetAliasCommand)
      .resolvesOnce({ FunctionVersion: '8' })
      .resolves({ FunctionVersion: '6' });
    mock.on(ListVersionsByFunctionCommand).resolves({
      Versions: [
        { Version: '6', CodeSha256: 'old=' },
        { Version: '8', CodeSha256: SHA },
      ],
    });
    mock.on(UpdateAliasCommand).resolves({ FunctionVersion: '6' });
    const { journal, step } = rollbackContext();

    // Act
    const outcome = await rollbackRegion({
      regional: { region: REGION, lambda: failoverLambda() },
      codeSha256: 'old=',
      journal,
      step,
      io: ioHost().io,
    });

    // Assess
    expect(outcome).toBe('rolled_back');
    expect(journal.failover).toMatchObject({ region: REGION, before: '8', after: '6' });
    expect(step.state).toBe('succeeded');
  });

  it('leaves the region and says drift when it does not hold the package', async () => {
    // Prepare
    mock.reset();
    mock.on(GetAliasCommand).resolves({ FunctionVersion: '8' });
    mock
      .on(ListVersionsByFunctionCommand)
      .resolves({ Versions: [{ Version: '8', CodeSha256: SHA }] });
    const { journal, step } = rollbackContext();

    // Act
    const outcome = await rollbackRegion({
      regional: { region: REGION, lambda: failoverLambda() },
      codeSha256: 'never-published-here=',
      journal,
      step,
      io: ioHost().io,
    });

    // Assess
    expect(outcome).toBe('drift');
    expect(step).toMatchObject({ state: 'failed', error: { code: 'REGION_DRIFT' } });
    expect(mock.commandCalls(UpdateAliasCommand)).toHaveLength(0);
  });
});
