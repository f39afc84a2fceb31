import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GetAliasCommand,
  GetFunctionCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { PromoteError } from '../../cli/errors.js';
import { PLANS } from '../../cli/plans/plans.js';
import { codeSha256, deploy } from '../../cli/steps/deploy.js';
import { stepContext, tempHome } from './promote-fixtures.js';

const lambda = mockClient(LambdaClient);

const ZIP = Buffer.from('PK\u0003\u0004 not really a zip, Lambda is mocked');
/** Computed here, not with the code under test: base64 of the SHA-256. */
const SHA = createHash('sha256').update(ZIP).digest('base64');
const GIT = { sha: 'abcdef1234567890abcdef1234567890abcdef12', tag: 'v1.2.3-sit' };

const artifactFile = (): string => {
  const path = join(tempHome(), 'order-handler.zip');
  writeFileSync(path, ZIP);
  return path;
};

const deployContext = () =>
  stepContext({ env: 'sit', options: { artifact: artifactFile(), git: GIT } });

const rejection = async (run: Promise<void>): Promise<PromoteError> => {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PromoteError);
  return error as PromoteError;
};

beforeEach(() => {
  lambda.reset();
  lambda.on(GetAliasCommand).resolves({ FunctionVersion: '3' });
});

describe('codeSha256', () => {
  it('is the base64 SHA-256 Lambda reports', () => {
    // Prepare
    const empty = new Uint8Array();

    // Act
    const sha = codeSha256(empty);

    // Assess
    expect(sha).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
    expect(codeSha256(ZIP)).toBe(SHA);
  });
});

describe('deploy step', () => {
  it('reuses the published version that already has the same hash', async () => {
    // Prepare
    lambda.on(ListVersionsByFunctionCommand).resolves({
      Versions: [
        { Version: '$LATEST', CodeSha256: SHA },
        { Version: '2', CodeSha256: 'other=' },
        { Version: '3', CodeSha256: SHA, Description: 'release v1.2.3-sit' },
      ],
    });
    const ctx = deployContext();

    // Act
    await deploy.run(ctx, { kind: 'deploy' });

    // Assess
    expect(lambda.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
    expect(lambda.commandCalls(PublishVersionCommand)).toHaveLength(0);
    expect(ctx.journal.versions).toMatchObject({ before: '3', candidate: '3' });
    expect(ctx.record.evidence.reused).toBe('3');
    expect(ctx.journal.artifact).toEqual({
      codeSha256: SHA,
      release: 'v1.2.3-sit',
      bytes: ZIP.length,
    });
  });

  it('does not take $LATEST for a published version with the same hash', async () => {
    // Prepare
    lambda.on(ListVersionsByFunctionCommand).resolves({
      Versions: [
        { Version: '$LATEST', CodeSha256: SHA },
        { Version: '3', CodeSha256: 'older=' },
      ],
    });
    lambda.on(UpdateFunctionCodeCommand).resolves({ CodeSha256: SHA });
    lambda.on(GetFunctionCommand).resolves({ Configuration: { LastUpdateStatus: 'Successful' } });
    lambda.on(PublishVersionCommand).resolves({ Version: '4', CodeSha256: SHA });
    const ctx = deployContext();

    // Act
    await deploy.run(ctx, { kind: 'deploy' });

    // Assess
    expect(lambda.commandCalls(PublishVersionCommand)).toHaveLength(1);
    expect(ctx.journal.versions.candidate).toBe('4');
  });

  it('uploads, waits for Successful and publishes a version guarded by the hash', async () => {
    // Prepare
    lambda.on(ListVersionsByFunctionCommand).resolves({
      Versions: [
        { Version: '$LATEST', CodeSha256: 'old=' },
        { Version: '3', CodeSha256: 'old=' },
      ],
    });
    lambda.on(UpdateFunctionCodeCommand).resolves({ CodeSha256: SHA });
    // waitUntilFunctionUpdatedV2 polls GetFunction (Configuration.LastUpdateStatus).
    lambda
      .on(GetFunctionCommand)
      .resolvesOnce({ Configuration: { LastUpdateStatus: 'Successful' } });
    lambda.on(PublishVersionCommand).resolves({ Version: '4', CodeSha256: SHA });
    const ctx = deployContext();

    // Act
    await deploy.run(ctx, { kind: 'deploy' });

    // Assess
    const [upload] = lambda.commandCalls(UpdateFunctionCodeCommand);
    expect(upload?.args[0].input.FunctionName).toBe(PLANS.sit.env.functionName);
    expect(Buffer.from(upload?.args[0].input.ZipFile ?? []).equals(ZIP)).toBe(true);
    expect(lambda.commandCalls(GetFunctionCommand)).toHaveLength(1);
    const [publish] = lambda.commandCalls(PublishVersionCommand);
    expect(publish?.args[0].input.CodeSha256).toBe(SHA);
    expect(publish?.args[0].input.Description).toContain('release v1.2.3-sit');
    expect(publish?.args[0].input.Description).toContain('git abcdef123456');
    expect(publish?.args[0].input.Description).toContain(ctx.journal.runId);
    expect(ctx.journal.versions).toMatchObject({ before: '3', candidate: '4' });
    expect(ctx.record.evidence.published).toMatchObject({ version: '4' });
  });

  it('fails with deploy_failed when Lambda stores another hash, and publishes nothing', async () => {
    // Prepare
    lambda.on(ListVersionsByFunctionCommand).resolves({ Versions: [] });
    lambda.on(UpdateFunctionCodeCommand).resolves({ CodeSha256: 'somethingElse=' });
    const ctx = deployContext();

    // Act
    const error = await rejection(deploy.run(ctx, { kind: 'deploy' }));

    // Assess
    expect(error.reason).toBe('deploy_failed');
    expect(error.code).toBe('CODE_HASH_MISMATCH');
    expect(error.message).toContain(SHA);
    expect(lambda.commandCalls(PublishVersionCommand)).toHaveLength(0);
    expect(ctx.journal.versions.candidate).toBeUndefined();
  });

  it('fails with deploy_failed when the code update ends Failed', async () => {
    // Prepare
    lambda.on(ListVersionsByFunctionCommand).resolves({ Versions: [] });
    lambda.on(UpdateFunctionCodeCommand).resolves({ CodeSha256: SHA });
    lambda.on(GetFunctionCommand).resolves({ Configuration: { LastUpdateStatus: 'Failed' } });
    const ctx = deployContext();

    // Act
    const error = await rejection(deploy.run(ctx, { kind: 'deploy' }));

    // Assess
    expect(error.reason).toBe('deploy_failed');
    expect(error.code).toBe('CODE_UPDATE_FAILED');
    expect(error.message).toContain('still on 3');
    expect(lambda.commandCalls(PublishVersionCommand)).toHaveLength(0);
  });

  it('refuses an unreadable --artifact as a usage error before touching Lambda code', async () => {
    // Prepare
    const ctx = stepContext({
      env: 'sit',
      options: { artifact: join(tempHome(), 'missing.zip') },
    });

    // Act
    const error = await rejection(deploy.run(ctx, { kind: 'deploy' }));

    // Assess
    expect(error.reason).toBe('usage');
    expect(error.code).toBe('ARTIFACT_UNREADABLE');
    expect(lambda.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
  });
});
